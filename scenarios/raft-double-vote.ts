import { defineScenario } from '../sim/scenario/define.ts';
import votePersistence from './raft-vote-persistence.ts';

// raft-vote-persistence with the planted bug notPersistingVotedFor: n3 forgets
// its vote for n1 across its crash, votes for n2 in the same term, and term 1
// would get two leaders; one-vote-per-term (rules.ts) sees the second vote first.
export default defineScenario({
  ...(votePersistence as Parameters<typeof defineScenario>[0]),
  name: 'raft-double-vote',
  description: 'Raft with votedFor not persisted: a restarted voter votes twice in one term and two leaders are elected',
  protocol: 'raft',
  config: { ...(votePersistence.config as object), bugs: { notPersistingVotedFor: true } },
  expect: { violation: 'one-vote-per-term' },
});
