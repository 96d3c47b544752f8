import { defineScenario } from '../sim/scenario/define.ts';
import votePersistence from './raft-vote-persistence.ts';

// raft-vote-persistence with the planted bug notPersistingVotedFor: n3 forgets
// its vote for n1 across its crash, votes for n2 in the same term, and term 1
// gets two leaders. Only the Figure 3 checkers run here, so the run shows that
// damage (election-safety); with every checker on, one-vote-per-term (rules.ts)
// stops it at the second vote.
export default defineScenario({
  ...(votePersistence as Parameters<typeof defineScenario>[0]),
  name: 'raft-double-vote',
  description: 'Raft with votedFor not persisted: a restarted voter votes twice in one term and two leaders are elected',
  protocol: 'raft',
  config: { ...(votePersistence.config as object), bugs: { notPersistingVotedFor: true } },
  checkers: ['election-safety', 'leader-append-only', 'log-matching', 'leader-completeness', 'state-machine-safety'],
  expect: { violation: 'election-safety' },
});
