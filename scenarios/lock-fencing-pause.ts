import { defineScenario } from '../sim/scenario/define.ts';

// The same sequence as lock-unsafe-pause, with the fencing recipe: c1 is
// paused mid critical section, its keep-alives stop, its session expires and
// c2 (waiting in the FIFO queue) gets the lock with a higher token and writes.
// When c1 wakes and sends its write, the resource sees token 1 < 2 and rejects
// it; c1 learns it lost the lock. No checker fires.
export default defineScenario({
  name: 'lock-fencing-pause',
  description: 'Lease + fencing token: the paused holder wakes after its lease and its stale write is rejected',
  protocol: 'lock',
  config: { clients: 2, locks: 1, recipe: 'fencing', fencing: true, ttl: '300ms', keepAlive: '60ms', margin: '30ms', writes: 3, work: '20ms', think: '0ms', stagger: '50ms', cycles: 1 },
  duration: '2s',
  network: { latency: { kind: 'uniform', min: '1ms', max: '3ms' } },
  faults: {
    timeline: [
      { at: '35ms', kind: 'pause', node: 'c1' },
      { at: '900ms', kind: 'resume', node: 'c1' },
    ],
  },
  expect: 'no-violation',
});
