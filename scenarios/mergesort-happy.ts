import { defineScenario } from '../sim/scenario/define.ts';

// Distributed merge sort, no faults: 8 chunks of 50 keys in [0, 200) (many equal keys) sorted on
// 4 workers, then 3 ranges between the input's tertiles, each a k-way merge of its slice of every
// run. The output is sorted and a permutation of the input, duplicates included.
export default defineScenario({
  name: 'mergesort-happy',
  description: 'Merge sort on 4 workers, no faults: sorted, and a permutation of the input',
  protocol: 'mergesort',
  config: { workers: 4, chunks: 8, size: 50, keyRange: 200, ranges: 3 },
  duration: '2s',
  expect: 'no-violation',
});
