import { defineScenario } from '../sim/scenario/define.ts';

// Clock drift instead of a pause: c1's clock runs at half speed, so its lease
// of 300 ms on its own clock is 600 ms of true time. The server's lease ends on
// time, c2 takes the lock and writes, and c1, still sure of its lease, writes
// after it. Redis-style recipe, no fencing: the sections overlap.
export default defineScenario({
  name: 'lock-drift-unsafe',
  description: 'Redis-style lock: a client with a slow clock outlives its lease and writes over the next holder',
  protocol: 'lock',
  config: { clients: 2, locks: 1, recipe: 'redis', fencing: false, ttl: '300ms', margin: '30ms', writes: 3, work: '80ms', think: '0ms', stagger: '20ms', cycles: 1 },
  clocks: { c1: { drift: -0.5 } },
  duration: '2s',
  network: { latency: { kind: 'uniform', min: '1ms', max: '3ms' } },
  expect: { violation: 'mutual-exclusion' },
});
