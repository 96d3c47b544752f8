import { defineScenario } from '../sim/scenario/define.ts';

// Section 3.6, backup tasks: w1 is a straggler (every task takes 10 times as long). Near the end of
// each phase the idle workers get backup attempts of w1's tasks; the first completion wins and w1's
// late ones are ignored, so the job ends near the time it takes without the straggler and every
// reduce is committed once. (`faultline bench mapreduce` compares the completion time with and
// without backup tasks.)
export default defineScenario({
  name: 'mapreduce-straggler',
  description: 'MapReduce with a 10x straggler: backup tasks finish the job, duplicates are ignored',
  protocol: 'mapreduce',
  config: { workers: 4, maps: 12, reduces: 4, slow: { w1: 10 } },
  duration: '6s',
  expect: 'no-violation',
});
