import { defineScenario } from '../sim/scenario/define.ts';

// The same partition and workload as counter-naive-partition and counter-pn-partition (increments and
// decrements from three clients, reads), on the third design: the counter is a key of the Raft
// key-value store, an add is `incr counter <delta>` and a read a `get`, both through the log. c1 is cut
// off with n1 (a minority): its operation waits until the partition heals, while the majority side
// keeps counting. Nothing acknowledged is lost and every read is linearizable (the `linearizable`
// checker with the counter model), the strongest of the three: compare the naive counter's lost
// updates and the CRDT's reads that are only eventually right.
export default defineScenario({
  name: 'counter-raft-partition',
  description: 'Counter on the Raft key-value store (incr with signed deltas): linearizable through a partition',
  protocol: 'counter',
  config: { replicas: 3, clients: 3, design: 'raft', decrements: true, opsUntil: '1.6s' },
  duration: '2.5s',
  faults: {
    timeline: [
      { at: '300ms', kind: 'partition', groups: [['n1', 'c1'], ['n2', 'n3', 'c2', 'c3']] },
      { at: '1.3s', kind: 'heal' },
      { at: '1.3s', kind: 'quiesce' },
    ],
  },
  expect: 'no-violation',
});
