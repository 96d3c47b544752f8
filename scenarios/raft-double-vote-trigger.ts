import { defineScenario } from '../sim/scenario/define.ts';

// The planted bug notPersistingVotedFor reached by a trigger instead of a
// hand-timed timeline (compare raft-vote-persistence / raft-double-vote): the
// first server to grant a vote crashes at that instant (`on: vote-granted`,
// `@trigger`) and restarts 5 ms later. With this seed two candidates stand in
// term 1; the voter's vote was not on disk, so it votes again for the other
// one when its RequestVote retry arrives: one-vote-per-term (rules.ts) sees the
// second vote, before the two leaders of term 1 election-safety would see.
export default defineScenario({
  name: 'raft-double-vote-trigger',
  description: 'Raft with votedFor not persisted: crash a voter the moment it grants a vote (a trigger); it votes twice',
  protocol: 'raft',
  seed: 66,
  config: { servers: 3, clients: 2, electionTimeout: { min: '50ms', max: '100ms' }, heartbeat: '15ms', bugs: { notPersistingVotedFor: true } },
  duration: '2s',
  network: { latency: { kind: 'uniform', min: '1ms', max: '10ms' }, loss: 0.01 },
  faults: {
    timeline: [
      { at: 0, on: { event: 'vote-granted' }, kind: 'crash', node: '@trigger', id: 'voter' },
      { after: 'voter', delay: '5ms', kind: 'restart', node: '$voter' },
    ],
  },
  // The recovery oracle (sim/api/recovery.ts) catches this bug earlier, with no crash at all; off here so the
  // scenario shows the damage the crash does (test/search/recovery-oracle.test.ts shows the oracle's catch).
  recovery: false,
  expect: { violation: 'one-vote-per-term' },
});
