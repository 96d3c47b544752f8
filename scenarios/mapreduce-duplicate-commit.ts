import { defineScenario } from '../sim/scenario/define.ts';

// mapreduce-straggler with the planted bug acceptDuplicateCompletions: the straggler w1's reduce
// finishes after its backup did, and the coordinator commits it as well: that partition's counts are
// added twice (exactly-once; the output is wrong too).
export default defineScenario({
  name: 'mapreduce-duplicate-commit',
  description: 'Accepting both completions of a backed-up reduce counts its partition twice (planted bug)',
  protocol: 'mapreduce',
  config: { workers: 4, maps: 12, reduces: 4, slow: { w1: 10 }, bugs: { acceptDuplicateCompletions: true } },
  duration: '4s',
  expect: { violation: 'exactly-once' },
});
