import { defineScenario } from '../sim/scenario/define.ts';
import figure8 from './raft-figure8.ts';

// Figure 8 with the planted bug commitPreviousTermByCounting: at 106 ms the leader
// of term 4 counts the replicas of index 2 (term 2) and commits it; at 302 ms n5
// wins term 5 without it, and the committed entry is overwritten. Only the
// Figure 3 checkers run here, so the run shows that damage (leader-completeness:
// n5 leads term 5 without the committed entry); with every checker on,
// leader-commits-current-term (rules.ts) stops it at the commit by counting.
export default defineScenario({
  ...(figure8 as Parameters<typeof defineScenario>[0]),
  name: 'raft-figure8-unsafe-commit',
  description: 'Raft, Figure 8 with a leader that commits an old-term entry by counting replicas: a committed entry is lost',
  protocol: 'raft',
  config: { ...(figure8.config as object), bugs: { commitPreviousTermByCounting: true } },
  checkers: ['election-safety', 'leader-append-only', 'log-matching', 'leader-completeness', 'state-machine-safety'],
  expect: { violation: 'leader-completeness' },
});
