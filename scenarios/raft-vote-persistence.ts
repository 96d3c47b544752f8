import { defineScenario } from '../sim/scenario/define.ts';

// Figure 2: votedFor is persistent state, written to stable storage before the
// vote is answered. n1 and n2 both stand in term 1 (t=100 ms); n3 hears n1 first
// (1 ms link; n2's request takes 2 ms), votes for it and crashes at 101.5 ms;
// it restarts at 101.8 ms and reads its vote back from disk, so it refuses n2's
// request when that arrives at 102 ms: one leader in term 1. n2 never hears n1
// (n1 -> n2 is blocked until the quiesce), so it keeps standing and losing.
// With the planted bug notPersistingVotedFor, n3 forgets its vote and n2 is
// elected too: election-safety catches it, and one-vote-per-term (rules.ts) the
// second vote before it.
export default defineScenario({
  name: 'raft-vote-persistence',
  description: 'Raft: a voter crashes between two RequestVotes of the same term and remembers its vote from disk',
  protocol: 'raft',
  config: {
    servers: 3,
    clients: 0,
    heartbeat: '20ms',
    electionTimeout: { min: '1s', max: '1s' },
    electionTimeoutOf: { n1: { min: '100ms', max: '100ms' }, n2: { min: '100ms', max: '100ms' } },
  },
  duration: '1500ms',
  network: { latency: { kind: 'constant', value: '1ms' }, links: [{ from: 'n2', to: 'n3', latency: { kind: 'constant', value: '2ms' } }] },
  faults: {
    timeline: [
      { at: '0us', kind: 'block', from: 'n1', to: 'n2' },
      { at: '101500us', kind: 'crash', node: 'n3' },
      { at: '101800us', kind: 'restart', node: 'n3' },
      { at: '500ms', kind: 'quiesce' },
    ],
  },
});
