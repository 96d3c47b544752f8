import { defineScenario } from '../sim/scenario/define.ts';

// Figure 7 of the Raft paper: when the leader of term 8 comes to power, its
// followers' logs may be missing entries (a, b), have extra uncommitted entries
// (c, d), or both (e, f). n1 holds the leader's log; n2..n7 hold the logs of
// followers a..f. n1 times out first and wins term 8 with the votes of a, b, e
// and f (c and d are more up-to-date and refuse). AppendEntries' consistency
// check, the fast back-up by conflicting term and truncation then bring every
// log into agreement with the leader's.
export default defineScenario({
  name: 'raft-figure7',
  description: 'Raft: the Figure 7 logs (followers a-f) are brought into agreement by the leader of term 8',
  protocol: 'raft',
  config: {
    servers: 7,
    clients: 1,
    client: { maxOps: 20 },
    heartbeat: '20ms',
    electionTimeoutOf: { n1: { min: '50ms', max: '60ms' } },
    preload: {
      n1: { term: 7, log: [1, 1, 1, 4, 4, 5, 5, 6, 6, 6] },
      n2: { term: 6, log: [1, 1, 1, 4, 4, 5, 5, 6, 6] }, // a
      n3: { term: 4, log: [1, 1, 1, 4] }, // b
      n4: { term: 6, log: [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6] }, // c
      n5: { term: 7, log: [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7] }, // d
      n6: { term: 4, log: [1, 1, 1, 4, 4, 4, 4] }, // e
      n7: { term: 3, log: [1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3] }, // f
    },
  },
  duration: '6s',
  faults: { timeline: [{ at: '1.5s', kind: 'quiesce' }] },
  network: { latency: { kind: 'uniform', min: '1ms', max: '5ms' } },
});
