// MapReduce's default fuzz workload: workers, map and reduce counts, task times against the failure
// timeout, backup tasks on or off, a straggler or none. No planted bug is switched on.

import fc from 'fast-check';

export const mapreduceFuzzWorkload: fc.Arbitrary<Record<string, unknown>> = fc
  .record({
    workers: fc.integer({ min: 2, max: 5 }),
    maps: fc.integer({ min: 2, max: 16 }),
    reduces: fc.integer({ min: 1, max: 5 }),
    taskMs: fc.constantFrom(50, 100, 150, 300),
    backupTasks: fc.boolean(),
    straggler: fc.constantFrom(1, 1, 5, 20),
  })
  .map(({ taskMs, straggler, ...w }) => ({ ...w, mapTime: taskMs * 1000, reduceTime: taskMs * 1000, slow: straggler > 1 ? { w1: straggler } : {} }));

export default mapreduceFuzzWorkload;
