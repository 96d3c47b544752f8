import { defineScenario } from '../sim/scenario/define.ts';

// mergesort-happy with the planted bug dropEqualKeys: when the heads of several runs are equal the
// k-way merge emits the key once. The output is still sorted, so a sortedness check alone passes;
// counting every key (permutation) shows the keys lost at run boundaries.
export default defineScenario({
  name: 'mergesort-drop-equal',
  description: 'A k-way merge that drops equal keys at run boundaries: sorted, but not a permutation (planted bug)',
  protocol: 'mergesort',
  config: { workers: 4, chunks: 8, size: 50, keyRange: 200, ranges: 3, bugs: { dropEqualKeys: true } },
  duration: '2s',
  expect: { violation: 'permutation' },
});
