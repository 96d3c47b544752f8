import { defineScenario } from '../sim/scenario/define.ts';

// The PreVote deadlock etcd-io/raft guards against ("the cluster may deadlock
// if we drop messages with a lower term"). n1 has a higher term (5) but an
// empty log: it campaigned while cut off, before PreVote was on. n2 has the
// committed entries, at term 1. n3 is down for the whole run, so {n1, n2} is
// the stable quorum. n2's pre-votes (term 2) are rejected by n1 WITH n1's term,
// so n2 adopts term 5 and its next pre-vote (term 6) wins n1's vote: a leader
// at about 0.5 s. With the planted bug preVoteDropsLowerTerm, n1 drops them
// silently: n2 never learns term 5, n1 never wins (its log is stale), and
// quorum-elects-leader reports the leaderless quorum while the fault lasts.
export default defineScenario({
  name: 'raft-prevote-higher-term',
  description: 'Raft: with PreVote, a server with a higher term and a stale log must not block elections (it rejects pre-votes with its term)',
  protocol: 'raft',
  config: {
    servers: 3,
    clients: 0,
    preVote: true,
    checkQuorum: true,
    electionTimeout: { min: '100ms', max: '200ms' },
    heartbeat: '20ms',
    preload: {
      n1: { term: 5, votedFor: 'n1', log: [] },
      n2: { term: 1, votedFor: null, log: [1, 1] },
      n3: { term: 1, votedFor: null, log: [1, 1] },
    },
  },
  duration: '8s',
  network: { latency: { kind: 'constant', value: '2ms' } },
  faults: { timeline: [{ at: '1us', kind: 'crash', node: 'n3' }, { at: '3s', kind: 'quiesce' }] },
});
