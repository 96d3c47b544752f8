import { defineScenario } from '../sim/scenario/define.ts';

// Five clients, three shards. The coordinator is cut off from everyone from
// 300 ms to 900 ms: votes and acknowledgements are lost, its vote timers abort
// what was still collecting votes, and participants that voted yes stay in
// doubt (their queries are lost too) until the partition heals.
export default defineScenario({
  name: 'twopc-coordinator-partition',
  description: 'Two-phase commit: a partition isolates the coordinator; in-doubt participants block until it heals',
  protocol: 'twopc',
  config: { participants: 3, clients: 5 },
  duration: '2.5s',
  network: { latency: { kind: 'uniform', min: '1ms', max: '10ms' }, loss: 0.01 },
  faults: {
    timeline: [
      { at: '300ms', kind: 'isolate', node: 'co' },
      { at: '900ms', kind: 'heal' },
      { at: '900ms', kind: 'quiesce' },
    ],
  },
});
