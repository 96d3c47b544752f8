import { defineScenario } from '../sim/scenario/define.ts';

// Kleppmann's "How to do distributed locking" (2016), Figure "unsafe lock":
// c1 takes the lock (Redis-style, no fencing token), writes once, checks its
// lease and starts the next write; then a stop-the-world pause freezes it past
// its lease. The lease expires, c2 takes the lock and does its writes. c1 wakes
// and sends the write it had already decided to make: the resource takes it,
// and the two critical sections overlap in true time.
export default defineScenario({
  name: 'lock-unsafe-pause',
  description: 'Redis-style lock without fencing: a paused holder wakes after its lease and overwrites the new holder',
  protocol: 'lock',
  config: { clients: 2, locks: 1, recipe: 'redis', fencing: false, ttl: '300ms', margin: '30ms', writes: 3, work: '20ms', think: '0ms', stagger: '50ms', cycles: 1 },
  duration: '2s',
  network: { latency: { kind: 'uniform', min: '1ms', max: '3ms' } },
  faults: {
    timeline: [
      { at: '35ms', kind: 'pause', node: 'c1' },
      { at: '900ms', kind: 'resume', node: 'c1' },
    ],
  },
  expect: { violation: 'mutual-exclusion' },
});
