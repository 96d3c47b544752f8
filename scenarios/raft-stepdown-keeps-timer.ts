import { defineScenario } from '../sim/scenario/define.ts';

// Found by quorum-elects-leader in a fuzz campaign on correct Raft without
// check-quorum (then written out by hand). n3 leads term 1; n1 is cut off from
// 300 ms and, without PreVote, campaigns again and again: its term climbs while
// its log falls behind. At 1 s the partition heals and n2 is isolated instead,
// so {n1, n3} is the stable quorum. n1's higher term makes n3 step down; n1
// cannot win (its log is stale), so n3 must time out and win a later term
// (Figure 2, Followers: "if election timeout elapses ... convert to candidate").
// A leader without check-quorum had no election timer running, and stepping
// down did not arm one: n3 waited for ever and the pair stayed leaderless.
export default defineScenario({
  name: 'raft-stepdown-keeps-timer',
  description: 'Raft without check-quorum: a leader deposed by a higher term arms its election timer, so a stale candidate cannot block the cluster',
  protocol: 'raft',
  config: {
    servers: 3,
    clients: 1,
    checkQuorum: false,
    heartbeat: '15ms',
    electionTimeout: { min: '80ms', max: '100ms' },
    electionTimeoutOf: { n3: { min: '40ms', max: '40ms' } },
  },
  duration: '8s',
  network: { latency: { kind: 'constant', value: '2ms' } },
  faults: {
    timeline: [
      { at: '300ms', kind: 'isolate', node: 'n1' },
      { at: '1s', kind: 'heal' },
      { at: '1s', kind: 'isolate', node: 'n2' },
      { at: '3s', kind: 'quiesce' },
    ],
  },
});
