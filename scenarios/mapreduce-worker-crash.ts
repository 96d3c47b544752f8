import { defineScenario } from '../sim/scenario/define.ts';

// Section 3.3, worker failure: w2 crashes at 550 ms, early in the reduce phase, when it has completed map
// tasks whose output lived on its local disk and is gone. The coordinator hears nothing for the
// failure timeout (150 ms), marks w2 failed and sets its in-progress AND completed map tasks back to
// idle; the re-executed maps' new locations are pushed to the running reduces. w2 comes back at 1.2 s
// as a new incarnation with an empty disk. The job still finishes with the exact sequential output.
export default defineScenario({
  name: 'mapreduce-worker-crash',
  description: 'MapReduce survives a worker crash: its completed maps are re-executed, the output is still exact',
  protocol: 'mapreduce',
  config: { workers: 4, maps: 12, reduces: 4 },
  duration: '4s',
  faults: {
    timeline: [
      { at: '550ms', kind: 'crash', node: 'w2' },
      { at: '1.2s', kind: 'restart', node: 'w2' },
      { at: '1.2s', kind: 'quiesce' },
    ],
  },
  expect: 'no-violation',
});
