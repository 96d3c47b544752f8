import { defineScenario } from '../sim/scenario/define.ts';

// Kleppmann's "How to do distributed locking" (2016), the unsafe lock, on the
// single-instance Redis lock: c1 takes the lock, checks its lease and does the
// work for its next write; a stop-the-world pause freezes it past its ttl. The
// key expires on the master, c2 takes the lock and writes. c1 wakes and sends
// the write it had already decided to make: without fencing the resource takes
// it, and the two critical sections overlap in true time.
export default defineScenario({
  name: 'redis-unsafe-pause',
  description: 'Single Redis lock, no fencing: a client paused past its lease writes after the next holder',
  protocol: 'redlock',
  config: { masters: 1, clients: 2, ttl: '300ms', writes: 3, work: '20ms', think: '0ms', stagger: '30ms', cycles: 1 },
  duration: '2s',
  network: { latency: { kind: 'uniform', min: '1ms', max: '3ms' } },
  faults: {
    timeline: [
      { at: '35ms', kind: 'pause', node: 'c1' },
      { at: '700ms', kind: 'resume', node: 'c1' },
    ],
  },
  expect: { violation: 'mutual-exclusion' },
});
