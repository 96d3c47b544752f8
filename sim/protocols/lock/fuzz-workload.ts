// The lock service's default fuzz workload (`faultline fuzz lock`, and the
// fenced-recipe property in test/lock): contention (clients), lock count,
// critical-section length (writes) and lease length (ttl, with the keep-alive
// at a quarter of it). The recipe stays the fenced one and no planted bug is
// switched on: under this workload the correct service must pass every checker.

import fc from 'fast-check';

export const lockFuzzWorkload: fc.Arbitrary<Record<string, unknown>> = fc
  .record({ clients: fc.integer({ min: 2, max: 4 }), locks: fc.integer({ min: 1, max: 3 }), writes: fc.integer({ min: 1, max: 5 }), ttlMs: fc.integer({ min: 100, max: 400 }) })
  .map(({ ttlMs, ...w }) => ({ ...w, ttl: ttlMs * 1000, keepAlive: Math.floor(ttlMs / 4) * 1000 }));

export default lockFuzzWorkload;
