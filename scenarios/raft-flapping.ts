import { defineScenario } from '../sim/scenario/define.ts';

// Flapping links: partitions come and go every few hundred milliseconds, with
// loss bursts on top. Terms churn (PreVote keeps a cut-off server from inflating
// them), but safety holds throughout and the cluster converges after the quiesce.
export default defineScenario({
  name: 'raft-flapping',
  description: 'Raft with PreVote under flapping partitions and loss bursts; converges once they stop',
  protocol: 'raft',
  config: { servers: 5, clients: 3, preVote: true },
  duration: '10s',
  network: { latency: { kind: 'uniform', min: '1ms', max: '10ms' }, loss: 0.01 },
  faults: {
    nemesis: {
      from: '300ms',
      until: '3s',
      partition: { rate: 4, duration: { min: '50ms', max: '400ms' } },
      loss: { rate: 1, p: 0.3, duration: { min: '50ms', max: '200ms' } },
    },
    timeline: [{ at: '3s', kind: 'quiesce' }],
  },
});
