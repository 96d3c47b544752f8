import { defineScenario } from '../sim/scenario/define.ts';

// Planted bug voteYesWithoutLog: p2 votes yes at 41 ms with its prepared record
// unsynced and crashes at 45 ms; the coordinator commits at 51 ms. p2 restarts
// at 100 ms with no record of the transaction, so the re-sent commit finds it
// aborted (by presumption) while p1 has committed. That step breaks the step rule
// in-doubt-waits (p2 published prepared, then aborted on a delivered commit) and, at
// once, atomicity: the step rule, listed first, is the one reported.
export default defineScenario({
  name: 'twopc-vote-without-log',
  description: 'Two-phase commit, planted bug: a participant votes yes before its prepared record is durable, then crashes',
  protocol: 'twopc',
  config: {
    participants: 2,
    clients: 1,
    transfers: 1,
    amount: { min: 10, max: 10 },
    think: { min: '1ms', max: '1ms' },
    bugs: { voteYesWithoutLog: true },
  },
  duration: '1s',
  network: { latency: { kind: 'constant', value: '10ms' } },
  faults: {
    timeline: [
      { at: '45ms', kind: 'crash', node: 'p2' },
      { at: '100ms', kind: 'restart', node: 'p2' },
    ],
  },
  // The recovery oracle (sim/api/recovery.ts) catches this bug earlier, with no crash at all; off here so the
  // scenario shows the damage the crash does (test/search/recovery-oracle.test.ts shows the oracle's catch).
  recovery: false,
  expect: { violation: 'in-doubt-waits' },
});
