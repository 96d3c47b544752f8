import { defineScenario } from 'faultline';

// Planted bug noRetry: gossip is sent once and never retransmitted. The same partition as
// broadcast-partition loses the values broadcast meanwhile at the far side for good.
export default defineScenario({
  name: 'broadcast-no-retry',
  description: 'Planted bug: gossip without retransmission loses values across a partition',
  protocol: '../protocol.ts',
  config: { servers: 3, values: 30, bugs: { noRetry: true } },
  duration: '4s',
  network: { latency: { kind: 'uniform', min: '1ms', max: '10ms' } },
  faults: {
    timeline: [
      { at: '300ms', kind: 'partition', groups: [['n1'], ['n2', 'n3']] },
      { at: '1.3s', kind: 'heal' },
    ],
  },
  expect: { violation: 'eventual-delivery' },
});
