import { defineScenario } from '../sim/scenario/define.ts';

// The third counter design, on the existing Raft key-value store (sim/protocols/raft): a G-counter
// kept as an append-only log on one key. An increment appends a unique token (`append k0 c1.7;`), a
// read is a `get` (the counter's value is the number of tokens). Every operation goes through the
// Raft log, so the counter is linearizable, and the existing `linearizable` checker (kvModel) checks
// the history. A partition isolates n1 for a second; the majority keeps counting, nothing acknowledged
// is lost (compare counter-naive-partition). Decrements need an `incr` op with a signed delta in the
// Raft state machine, which it does not have (see sim/protocols/counter/README.md).
export default defineScenario({
  name: 'counter-raft-linearizable',
  description: 'Counter on the Raft key-value store (append-only increments on one key): linearizable through a partition',
  protocol: 'raft',
  config: { servers: 3, clients: 3, client: { keys: 1, mix: { get: 1, put: 0, append: 2, cas: 0 }, stopAt: '3s' } },
  duration: '4s',
  faults: {
    timeline: [
      { at: '1s', kind: 'partition', groups: [['n1'], ['n2', 'n3']] },
      { at: '2s', kind: 'heal' },
      { at: '2s', kind: 'quiesce' },
    ],
  },
  expect: 'no-violation',
});
