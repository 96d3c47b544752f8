import { defineScenario } from '../sim/scenario/define.ts';

export default defineScenario({
  name: 'twopc-transfers',
  description: 'Two-phase commit: 5 clients move money across 3 shards under 1% loss, crashes and partitions of every server',
  protocol: 'twopc',
  config: { participants: 3, clients: 5 },
  duration: '4s',
  network: { latency: { kind: 'uniform', min: '1ms', max: '10ms' }, loss: 0.01 },
  faults: {
    nemesis: {
      until: '2.5s',
      crash: { rate: 1, downtime: { min: '50ms', max: '400ms' } },
      partition: { rate: 1, duration: { min: '50ms', max: '300ms' } },
    },
    timeline: [{ at: '2.5s', kind: 'quiesce' }],
  },
});
