import { defineScenario } from '../sim/scenario/define.ts';

// lock-drift-unsafe with the fencing recipe (and keep-alives too rare to help):
// c1's slow clock still fools it, but c2's higher token reaches the resource
// first and c1's late writes are rejected.
export default defineScenario({
  name: 'lock-drift-fencing',
  description: 'Lease + fencing token: a client with a slow clock outlives its lease and the resource rejects its writes',
  protocol: 'lock',
  config: { clients: 2, locks: 1, recipe: 'fencing', fencing: true, ttl: '300ms', keepAlive: '2s', margin: '30ms', writes: 3, work: '80ms', think: '0ms', stagger: '20ms', cycles: 1 },
  clocks: { c1: { drift: -0.5 } },
  duration: '2s',
  network: { latency: { kind: 'uniform', min: '1ms', max: '3ms' } },
  expect: 'no-violation',
});
