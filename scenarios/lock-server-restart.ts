import { defineScenario } from '../sim/scenario/define.ts';

// The lock server crashes while leases are out and comes back 150 ms later,
// within the leases. The lock table and the token counter were fsynced before
// every grant, so the restarted server still knows who holds what: it grants
// no lock twice and hands out no token again. Then it crashes a second time,
// for longer than a lease, and the sessions lapse while it is down.
export default defineScenario({
  name: 'lock-server-restart',
  description: 'The lock server crashes and restarts twice while leases are out: no token reused, no double grant',
  protocol: 'lock',
  config: { clients: 4, locks: 2, recipe: 'fencing', ttl: '400ms', keepAlive: '80ms', margin: '40ms', writes: 3, work: '10ms', think: '20ms' },
  duration: '3s',
  network: { latency: { kind: 'uniform', min: '1ms', max: '5ms' }, loss: 0.01 },
  faults: {
    timeline: [
      { at: '500ms', kind: 'crash', node: 's1' },
      { at: '650ms', kind: 'restart', node: 's1' },
      { at: '1500ms', kind: 'crash', node: 's1' },
      { at: '2100ms', kind: 'restart', node: 's1' },
    ],
  },
  expect: 'no-violation',
});
