import { defineScenario } from '../sim/scenario/define.ts';

// zookeeper-unfenced-pause with the fix: the resource fences with the znode's
// sequence number (monotonic, durable, never reused), so c1's late write carries
// a token below c2's and is rejected.
export default defineScenario({
  name: 'zookeeper-fenced-pause',
  description: 'ZooKeeper lock fenced by znode sequence numbers: the paused holder\'s late write is rejected',
  protocol: 'zookeeper',
  config: { clients: 2, fencing: true, sessionTimeout: '200ms', writes: 4, work: '20ms', think: '50ms', stagger: '20ms' },
  duration: '4s',
  network: { latency: { kind: 'uniform', min: '1ms', max: '3ms' } },
  faults: {
    timeline: [
      { id: 'pause', at: 0, on: { event: 'lock-acquired', node: 'c1' }, kind: 'pause', node: 'c1' },
      { after: 'pause', delay: '570ms', kind: 'resume', node: 'c1' },
      { at: '1s', kind: 'quiesce' },
    ],
  },
  expect: 'no-violation',
});
