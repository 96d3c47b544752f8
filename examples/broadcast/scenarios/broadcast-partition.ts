import { defineScenario } from 'faultline';

// n1 is cut off from n2 and n3 for a second while the client keeps broadcasting (to any
// server), with 5% of messages lost throughout. Gossip is retransmitted until
// acknowledged, so once the partition heals every acknowledged value reaches every server.
export default defineScenario({
  name: 'broadcast-partition',
  description: 'Broadcast across a healed partition and 5% loss: every acknowledged value reaches every server',
  protocol: '../protocol.ts',
  config: { servers: 3, values: 30 },
  duration: '4s',
  network: { latency: { kind: 'uniform', min: '1ms', max: '10ms' }, loss: 0.05 },
  faults: {
    timeline: [
      { at: '300ms', kind: 'partition', groups: [['n1'], ['n2', 'n3']] },
      { at: '1.3s', kind: 'heal' },
    ],
  },
  expect: 'no-violation',
});
