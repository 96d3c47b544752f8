import { defineScenario } from '../sim/scenario/define.ts';

// Session expiry while the holder is paused releases the lock (Kleppmann 2016, on
// any lease-based lock, ZooKeeper's included): c1 holds the lock, checks its
// session and does the work for its next write; a stop-the-world pause outlasts
// its session. The server expires the session, its ephemeral znode vanishes, c2's
// watch fires and c2 takes the lock. c1 wakes and sends its write: without fencing
// the resource takes it, and the critical sections overlap.
export default defineScenario({
  name: 'zookeeper-unfenced-pause',
  description: 'ZooKeeper lock, resource without fencing: a holder paused past its session writes after the next holder',
  protocol: 'zookeeper',
  config: { clients: 2, fencing: false, sessionTimeout: '200ms', writes: 4, work: '20ms', think: '50ms', stagger: '20ms' },
  duration: '2s',
  network: { latency: { kind: 'uniform', min: '1ms', max: '3ms' } },
  faults: {
    timeline: [
      { id: 'pause', at: 0, on: { event: 'lock-acquired', node: 'c1' }, kind: 'pause', node: 'c1' },
      { after: 'pause', delay: '570ms', kind: 'resume', node: 'c1' },
    ],
  },
  expect: { violation: 'mutual-exclusion' },
});
