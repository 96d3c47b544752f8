import { defineScenario } from '../sim/scenario/define.ts';

// The planted bug mergeReexecutedTwice: w1 pauses at 20 ms while sorting its chunks, for longer
// than the task timeout (400 ms), so the coordinator sorts those chunks again on other workers; a
// merge handed to the still-paused w1 times out too. When w1 resumes at 900 ms it reports its late
// runs, and the buggy coordinator adds them as more runs of those chunks, so the re-issued merge
// reads both: those keys appear twice in the output (permutation). The correct coordinator keeps
// the first completion of each chunk only (mergesort-worker-crash and test/mergesort: it holds).
export default defineScenario({
  name: 'mergesort-merged-twice',
  description: 'A re-executed chunk merged twice: its keys are duplicated in the output (planted bug)',
  protocol: 'mergesort',
  config: { workers: 4, chunks: 8, size: 50, keyRange: 200, ranges: 3, bugs: { mergeReexecutedTwice: true } },
  duration: '3s',
  faults: {
    timeline: [
      { at: '20ms', kind: 'pause', node: 'w1' },
      { at: '900ms', kind: 'resume', node: 'w1' },
      { at: '900ms', kind: 'quiesce' },
    ],
  },
  expect: { violation: 'permutation' },
});
