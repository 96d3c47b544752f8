import { defineScenario } from '../sim/scenario/define.ts';

// The same partition as counter-naive-partition, on the PN-counter: each replica only ever raises its
// own entries of P and N, and merge is the entrywise max, so when the partition heals the two sides'
// increments are combined, not overwritten. Every replica reads the sum of the acknowledged adds.
export default defineScenario({
  name: 'counter-pn-partition',
  description: 'PN-counter CRDT keeps both sides of a partition: replicas converge to the sum of the acknowledged adds',
  protocol: 'counter',
  config: { replicas: 3, clients: 3, design: 'pn-counter', decrements: true, opsUntil: '1.6s' },
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
