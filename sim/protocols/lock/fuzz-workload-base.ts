// The pre-issue-11 base workload of lock (`fuzzWorkloadBase`): the knobs `faultline fuzz` drew when
// issue 11 was filed (sim/protocols/lock/fuzz-workload.ts at commit c914fde), before the window-opening
// knobs of its item 3. The `random` strategy draws it: the honest baseline guided search is measured
// against (sim/fuzz/README.md, "Strategies"). Kept as it was; do not add knobs here.
//
// The lock service's default fuzz workload (`faultline fuzz lock`, and the
// fenced-recipe property in test/lock): contention (clients), lock count,
// critical-section length (writes) and lease length (ttl, with the keep-alive
// at a quarter of it). The recipe stays the fenced one and no planted bug is
// switched on: under this workload the correct service must pass every checker.

import fc from 'fast-check';

export const lockFuzzWorkloadBase: fc.Arbitrary<Record<string, unknown>> = fc
  .record({ clients: fc.integer({ min: 2, max: 4 }), locks: fc.integer({ min: 1, max: 3 }), writes: fc.integer({ min: 1, max: 5 }), ttlMs: fc.integer({ min: 100, max: 400 }) })
  .map(({ ttlMs, ...w }) => ({ ...w, ttl: ttlMs * 1000, keepAlive: Math.floor(ttlMs / 4) * 1000 }));

export default lockFuzzWorkloadBase;
