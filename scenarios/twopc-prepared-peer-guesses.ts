import { defineScenario } from '../sim/scenario/define.ts';

// "Outside" planted bug preparedPeerAnswersAbort (issue 11): the coordinator
// logs commit at about 51 ms, but its decision reaches neither participant
// (co -> p1 and co -> p2 are blocked from 45 ms) and it crashes at 55 ms. p1
// crashes too and restarts at 300 ms, in doubt again with a fresh query count,
// so p2 (in doubt since its vote) asks p1 first, at about 340 ms (cooperative
// termination). A correct p1, prepared, answers "uncertain"; with the bug it
// answers "abort", p2 aborts, and when the coordinator is back at 400 ms p1
// commits: atomicity. answers-known-outcome (rules.ts) sees the guess itself at
// about 351 ms. Without the bug both commit at about 410 ms.
export default defineScenario({
  name: 'twopc-prepared-peer-guesses',
  description: 'Two-phase commit, cooperative termination: a prepared participant must answer an asking peer "uncertain", never guess',
  protocol: 'twopc',
  config: {
    participants: 2,
    clients: 1,
    transfers: 1,
    amount: { min: 10, max: 10 },
    think: { min: '1ms', max: '1ms' },
    cooperative: true,
    cooperativeAfter: 1,
    bugs: { preparedPeerAnswersAbort: true },
  },
  duration: '3s',
  network: { latency: { kind: 'constant', value: '10ms' } },
  faults: {
    timeline: [
      { at: '45ms', kind: 'block', from: 'co', to: 'p1' },
      { at: '45ms', kind: 'block', from: 'co', to: 'p2' },
      { at: '55ms', kind: 'crash', node: 'co' },
      { at: '60ms', kind: 'crash', node: 'p1' },
      { at: '300ms', kind: 'restart', node: 'p1' },
      { at: '400ms', kind: 'restart', node: 'co' },
      { at: '400ms', kind: 'heal' },
    ],
  },
  expect: { violation: 'answers-known-outcome' },
});
