// Redlock's default fuzz workload: contention (clients), lease length against
// the request timeout and the critical section (writes x work), so that some
// sections outlast their lease and some acquisitions take a good part of it
// (in two runs of five the request timeout is a quarter or a third of the ttl).
// The master count is drawn first (1: the single-instance lock, 3 or 5): when a
// generated fault names a master the drawn count does not have, fuzz() drops this
// key first and the run keeps the default 5. Never a planted bug.

import fc from 'fast-check';

export const redlockFuzzWorkload: fc.Arbitrary<Record<string, unknown>> = fc
  .record({
    masters: fc.constantFrom(1, 3, 5),
    clients: fc.integer({ min: 2, max: 4 }),
    ttlMs: fc.integer({ min: 150, max: 600 }),
    requestTimeoutMs: fc.constantFrom(5, 20, 60),
    /**
     * Two runs in five tie the request timeout to the lease instead: a quarter or a third of the ttl,
     * so an acquisition that waits out a timeout or two (a slow or paused master) spends a large share
     * of the lease before the client decides: the window where the elapsed acquisition time matters.
     */
    timeoutShare: fc.constantFrom(0, 0, 0, 4, 3),
    writes: fc.integer({ min: 1, max: 8 }),
    workMs: fc.constantFrom(10, 30, 60),
  })
  .map(({ ttlMs, requestTimeoutMs, timeoutShare, workMs, ...w }) => ({
    ...w,
    ttl: ttlMs * 1000,
    requestTimeout: (timeoutShare > 0 ? Math.floor(ttlMs / timeoutShare) : requestTimeoutMs) * 1000,
    work: workMs * 1000,
  }));

export default redlockFuzzWorkload;
