import { defineScenario } from '../sim/scenario/define.ts';

// The fix that works against the pause of redis-unsafe-pause: fencing tokens
// checked at the resource. With one master its SET counter grows with every
// acquisition, so c2's token is above c1's and the resource rejects c1's late
// write; c1 learns it lost the lock. (With several masters, or after a restart,
// the counter is no fencing token: see redlock-tokens-not-monotonic.)
export default defineScenario({
  name: 'redis-fencing-pause',
  description: 'Single Redis lock with a fenced resource: the paused client wakes and its stale write is rejected',
  protocol: 'redlock',
  config: { masters: 1, clients: 2, fencing: true, ttl: '300ms', writes: 3, work: '20ms', think: '0ms', stagger: '30ms', cycles: 1 },
  duration: '2s',
  network: { latency: { kind: 'uniform', min: '1ms', max: '3ms' } },
  faults: {
    timeline: [
      { at: '35ms', kind: 'pause', node: 'c1' },
      { at: '700ms', kind: 'resume', node: 'c1' },
    ],
  },
  expect: 'no-violation',
});
