// The lock service's default fuzz workload (`faultline fuzz lock`, and the
// fenced-recipe property in test/lock): contention (clients), lock count,
// critical-section length (writes, and the time each write takes) and lease
// length (ttl, with the keep-alive at a quarter of it): ttl from 100 ms to 2 s,
// so the generated pauses (up to half the fault window) are sometimes shorter
// and sometimes longer than a lease. The recipe stays the fenced one and no planted bug is
// switched on: under this workload the correct service must pass every checker.

import fc from 'fast-check';

export const lockFuzzWorkload: fc.Arbitrary<Record<string, unknown>> = fc
  .record({
    clients: fc.integer({ min: 2, max: 4 }),
    locks: fc.integer({ min: 1, max: 3 }),
    writes: fc.integer({ min: 1, max: 5 }),
    ttlMs: fc.oneof(fc.integer({ min: 100, max: 400 }), fc.constantFrom(1000, 2000)),
    workMs: fc.constantFrom(5, 20, 50),
  })
  .map(({ ttlMs, workMs, ...w }) => ({ ...w, ttl: ttlMs * 1000, keepAlive: Math.floor(ttlMs / 4) * 1000, work: workMs * 1000 }));

export default lockFuzzWorkload;
