// Redlock's default fuzz workload: contention (clients), lease length against
// the request timeout and the critical section (writes x work), so that some
// sections outlast their lease and some acquisitions take a good part of it.
// Never a planted bug, never the master count (the fault targets are the masters).

import fc from 'fast-check';

export const redlockFuzzWorkload: fc.Arbitrary<Record<string, unknown>> = fc
  .record({
    clients: fc.integer({ min: 2, max: 4 }),
    ttlMs: fc.integer({ min: 150, max: 600 }),
    requestTimeoutMs: fc.constantFrom(5, 20, 60),
    writes: fc.integer({ min: 1, max: 8 }),
    workMs: fc.constantFrom(10, 30, 60),
  })
  .map(({ ttlMs, requestTimeoutMs, workMs, ...w }) => ({ ...w, ttl: ttlMs * 1000, requestTimeout: requestTimeoutMs * 1000, work: workMs * 1000 }));

export default redlockFuzzWorkload;
