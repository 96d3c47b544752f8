// Merge sort's default fuzz workload: workers, chunks, chunk size, key range (many or few equal
// keys), merge ranges, task times. No planted bug is switched on.

import fc from 'fast-check';

export const mergesortFuzzWorkload: fc.Arbitrary<Record<string, unknown>> = fc
  .record({
    workers: fc.integer({ min: 2, max: 5 }),
    chunks: fc.integer({ min: 2, max: 12 }),
    size: fc.integer({ min: 1, max: 80 }),
    keyRange: fc.constantFrom(5, 50, 1000),
    ranges: fc.integer({ min: 1, max: 5 }),
    taskMs: fc.constantFrom(20, 100, 200),
  })
  .map(({ taskMs, ...w }) => ({ ...w, sortTime: taskMs * 1000, mergeTime: taskMs * 1000, taskTimeout: (taskMs + 250) * 1000 + 100_000 }));

export default mergesortFuzzWorkload;
