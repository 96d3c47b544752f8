import { defineScenario } from '../sim/scenario/define.ts';

// The naive counter: each replica holds a plain integer, adds to it and broadcasts the new value with
// a Lamport timestamp, and a replica keeps the value with the newest timestamp (last writer wins).
// A partition cuts n1 (and its client c1) off from n2 and n3 for a second; both sides keep counting.
// When it heals, one side's value overwrites the other's: the increments of the losing side are gone,
// and counter-value shows the final value missing acknowledged adds.
export default defineScenario({
  name: 'counter-naive-partition',
  description: 'Naive last-writer-wins counter loses the acknowledged updates of one side of a partition',
  protocol: 'counter',
  config: { replicas: 3, clients: 3, design: 'naive', decrements: false, opsUntil: '1.6s' },
  duration: '2.5s',
  faults: {
    timeline: [
      { at: '300ms', kind: 'partition', groups: [['n1', 'c1'], ['n2', 'n3', 'c2', 'c3']] },
      { at: '1.3s', kind: 'heal' },
      { at: '1.3s', kind: 'quiesce' },
    ],
  },
  expect: { violation: 'counter-value' },
});
