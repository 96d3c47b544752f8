import { defineScenario } from '../sim/scenario/define.ts';

// w2 crashes at 150 ms, after sorting its chunks and before the merges read them: its runs are gone.
// The merges find them missing (w2 is down: no answer after the fetch retries), report the runs
// lost, and the coordinator sorts those chunks again elsewhere and re-issues the merges. The output
// is still sorted and a permutation of the input.
export default defineScenario({
  name: 'mergesort-worker-crash',
  description: 'Merge sort survives a worker crash mid-way: lost runs are re-sorted, the output is still exact',
  protocol: 'mergesort',
  config: { workers: 4, chunks: 8, size: 50, keyRange: 200, ranges: 3 },
  duration: '3s',
  faults: {
    timeline: [
      { at: '150ms', kind: 'crash', node: 'w2' },
      { at: '1s', kind: 'restart', node: 'w2' },
      { at: '1s', kind: 'quiesce' },
    ],
  },
  expect: 'no-violation',
});
