import { defineScenario } from '../sim/scenario/define.ts';

// Figure 8 of the Raft paper, step by step, with constant 1 ms links so every
// step happens at a known time. Preloaded state = the end of Figure 8 (b): S1
// (n1) led term 2 and put index 2 on S2 only; S5 (n5) led term 3 with its own
// index 2, and is down.
//  (c) n1 wins term 4 (t=102ms) and copies index 2 (term 2) to n3, one entry per
//      AppendEntries. Index 2 is now on a majority (n1, n2, n3), but is of an
//      old term: the commit rule (section 5.4.2) must not count it. n1 crashes
//      at 107 ms, before its term-4 entry reaches a majority.
//  (d) n5 restarts, wins term 5 with the votes of n3 and n4 (its last term, 3, is
//      newer than theirs) and overwrites index 2 everywhere.
// Had n1 committed index 2 by counting replicas (the planted bug
// commitPreviousTermByCounting), the entry lost in (d) would have been
// committed: leader-completeness catches the loss, and leader-commits-current-term
// (rules.ts) the commit by counting at 106 ms.
export default defineScenario({
  name: 'raft-figure8',
  description: 'Raft: the Figure 8 sequence; the current-term commit rule keeps a replicated old-term entry from counting as committed',
  protocol: 'raft',
  config: {
    servers: 5,
    clients: 0,
    heartbeat: '20ms',
    maxBatch: 1,
    electionTimeout: { min: '400ms', max: '500ms' },
    electionTimeoutOf: { n1: { min: '50ms', max: '50ms' }, n5: { min: '50ms', max: '50ms' } },
    preload: {
      n1: { term: 2, votedFor: 'n1', log: [1, 2] },
      n2: { term: 2, votedFor: 'n1', log: [1, 2] },
      n3: { term: 3, votedFor: 'n5', log: [1] },
      n4: { term: 3, votedFor: 'n5', log: [1] },
      n5: { term: 3, votedFor: 'n5', log: [1, 3] },
    },
  },
  duration: '1500ms',
  network: { latency: { kind: 'constant', value: '1ms' } },
  faults: {
    timeline: [
      { at: '1us', kind: 'crash', node: 'n5' },
      // n4 votes for n1 in term 4 (t=101 ms) but gets none of its entries, as in the figure.
      { at: '101500us', kind: 'block', from: 'n1', to: 'n4' },
      // n1 has just heard n3 acknowledge index 2 (t=106 ms); it crashes, and its term-4 entry still on the wire to n3 is lost.
      { at: '106500us', kind: 'isolate', node: 'n1' },
      { at: '106500us', kind: 'crash', node: 'n1' },
      { at: '200ms', kind: 'restart', node: 'n5' },
      { at: '800ms', kind: 'quiesce' },
    ],
  },
});
