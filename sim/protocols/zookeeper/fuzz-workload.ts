// The ZooKeeper lock's default fuzz workload: contention, session timeout against
// the request timeout and the critical section. Never a planted bug.

import fc from 'fast-check';

export const zkFuzzWorkload: fc.Arbitrary<Record<string, unknown>> = fc
  .record({
    clients: fc.integer({ min: 2, max: 4 }),
    sessionTimeoutMs: fc.constantFrom(200, 300, 600),
    requestTimeoutMs: fc.constantFrom(10, 40),
    writes: fc.integer({ min: 1, max: 5 }),
  })
  .map(({ sessionTimeoutMs, requestTimeoutMs, ...w }) => ({ ...w, sessionTimeout: sessionTimeoutMs * 1000, requestTimeout: requestTimeoutMs * 1000 }));

export default zkFuzzWorkload;
