import { defineScenario } from '../sim/scenario/define.ts';

// The coordinator forces its commit record and sends the decision at 51 ms;
// the copy for p2 is lost (co -> p2 blocked from 45 ms) and the coordinator
// crashes at 55 ms. At 500 ms it restarts (and the block heals): recovery finds
// a commit record without an end record and re-sends the decision; p2 commits.
export default defineScenario({
  name: 'twopc-coordinator-recovery',
  description: 'Two-phase commit: a restarted coordinator re-sends a logged commit that a participant never received',
  protocol: 'twopc',
  config: { participants: 2, clients: 1, transfers: 1, amount: { min: 10, max: 10 }, think: { min: '1ms', max: '1ms' } },
  duration: '1s',
  network: { latency: { kind: 'constant', value: '10ms' } },
  faults: {
    timeline: [
      { at: '45ms', kind: 'block', from: 'co', to: 'p2' },
      { at: '55ms', kind: 'crash', node: 'co' },
      { at: '500ms', kind: 'heal' },
      { at: '500ms', kind: 'restart', node: 'co' },
      { at: '500ms', kind: 'quiesce' },
    ],
  },
});
