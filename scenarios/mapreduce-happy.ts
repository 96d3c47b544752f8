import { defineScenario } from '../sim/scenario/define.ts';

// Word count over 12 generated documents on 4 workers, 4 reduce partitions, no faults
// (Dean & Ghemawat 2004, section 3.1): the coordinator hands out the maps, then the reduces once
// every map is done; each reduce fetches its partition from every map worker. The output equals the
// sequential count and every reduce is committed exactly once.
export default defineScenario({
  name: 'mapreduce-happy',
  description: 'MapReduce word count on 4 workers, no faults: output equals the sequential count',
  protocol: 'mapreduce',
  config: { workers: 4, maps: 12, reduces: 4 },
  duration: '3s',
  expect: 'no-violation',
});
