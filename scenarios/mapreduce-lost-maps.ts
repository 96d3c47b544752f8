import { defineScenario } from '../sim/scenario/define.ts';

// mapreduce-worker-crash with the planted bug keepCompletedMapsOfFailedWorker: when w2 fails, the
// coordinator only re-runs its in-progress tasks and keeps its completed maps marked completed. Their
// output died with w2's disk; the reduces keep asking the restarted w2, which has nothing, and the job
// never finishes (job-completes, judged completionBound after the faults stop: 1 s + the task times).
export default defineScenario({
  name: 'mapreduce-lost-maps',
  description: 'Not re-running a crashed worker\'s completed maps: the reduces wait forever for lost output (planted bug)',
  protocol: 'mapreduce',
  config: { workers: 4, maps: 12, reduces: 4, bugs: { keepCompletedMapsOfFailedWorker: true } },
  duration: '4s',
  faults: {
    timeline: [
      { at: '550ms', kind: 'crash', node: 'w2' },
      { at: '1.2s', kind: 'restart', node: 'w2' },
      { at: '1.2s', kind: 'quiesce' },
    ],
  },
  expect: { violation: 'job-completes' },
});
