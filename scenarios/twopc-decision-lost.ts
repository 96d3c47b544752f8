import { defineScenario } from '../sim/scenario/define.ts';

// The commit decision (sent at 51 ms) reaches p1 but every message from the
// coordinator to p2 is lost until 600 ms: p2 stays in doubt, its queries reach
// the coordinator but the answers and the re-sent decisions do not. After the
// heal a re-send (or the answer to a query) commits it.
export default defineScenario({
  name: 'twopc-decision-lost',
  description: 'Two-phase commit: the commit decision to one participant is lost; it stays in doubt until a re-send gets through',
  protocol: 'twopc',
  config: { participants: 2, clients: 1, transfers: 1, amount: { min: 10, max: 10 }, think: { min: '1ms', max: '1ms' } },
  duration: '1.5s',
  network: { latency: { kind: 'constant', value: '10ms' } },
  faults: {
    timeline: [
      { at: '45ms', kind: 'block', from: 'co', to: 'p2' },
      { at: '600ms', kind: 'heal' },
      { at: '600ms', kind: 'quiesce' },
    ],
  },
});
