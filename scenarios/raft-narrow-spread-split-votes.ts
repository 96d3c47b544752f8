import { defineScenario } from '../sim/scenario/define.ts';

// Correct Raft (no planted bug) whose election-timeout range is too narrow for its
// network: 100-110 ms against one-way latencies of 1-10 ms, PreVote off. At 300 ms the
// partition leaves {n1, n2, n3} as the stable quorum without its leader; each round, two
// or more of them time out within one latency of each other, start the same term, vote
// for themselves and refuse the others (split votes), so no one wins for more than the
// 10 election timeouts quorum-elects-leader allows. Raft's liveness rests on the
// randomized timeouts spreading candidates further apart than a broadcast takes
// (Ongaro and Ousterhout, section 5.2 and 9.3, "Timing and availability"; the paper's
// measurements show split votes lasting long with a 5 ms range). The checker is right
// to flag this configuration; the default fuzz workload (fuzz-workload.ts) therefore
// draws ranges of at least 1.3x the minimum, 30 ms or more. Found by a session-15
// guided campaign on correct Raft (a 1.1x range); written out by hand.
export default defineScenario({
  name: 'raft-narrow-spread-split-votes',
  description: 'Correct Raft with a 10 ms election-timeout range over 1-10 ms latencies: split votes repeat past the liveness bound (quorum-elects-leader)',
  protocol: 'raft',
  seed: '2',
  config: {
    servers: 5,
    clients: 0,
    preVote: false,
    checkQuorum: true,
    heartbeat: '20ms',
    electionTimeout: { min: '100ms', max: '110ms' },
  },
  duration: '6s',
  network: { latency: { kind: 'uniform', min: '1ms', max: '10ms' } },
  faults: { timeline: [{ at: '300ms', kind: 'partition', groups: [['n1', 'n2', 'n3'], ['n4', 'n5']] }] },
  expect: { violation: 'quorum-elects-leader' },
});
