// The pre-issue-11 base workload of twopc (`fuzzWorkloadBase`): the knobs `faultline fuzz` drew when
// issue 11 was filed (sim/protocols/twopc/fuzz-workload.ts at commit c914fde), before the window-opening
// knobs of its item 3. The `random` strategy draws it: the honest baseline guided search is measured
// against (sim/fuzz/README.md, "Strategies"). Kept as it was; do not add knobs here.
//
// Two-phase commit's default fuzz workload (`faultline fuzz twopc`): shard and
// client counts, accounts per shard, transfer amounts (up to above a balance,
// so debits vote no), a bounded or unbounded number of transfers per client,
// vote and client timeouts, and cooperative termination. No planted bug is
// switched on. Sizes stay near the defaults.

import fc from 'fast-check';

export const twopcFuzzWorkloadBase: fc.Arbitrary<Record<string, unknown>> = fc
  .record({
    participants: fc.integer({ min: 2, max: 4 }),
    clients: fc.integer({ min: 2, max: 6 }),
    accountsPerShard: fc.integer({ min: 1, max: 10 }),
    amountMin: fc.integer({ min: 1, max: 20 }),
    amountSpan: fc.integer({ min: 0, max: 60 }),
    // Half the time unbounded (clients run for the whole scenario), as by default.
    transfers: fc.option(fc.integer({ min: 5, max: 50 }), { nil: undefined, freq: 2 }),
    voteTimeoutMs: fc.integer({ min: 100, max: 300 }),
    clientTimeoutMs: fc.integer({ min: 500, max: 1500 }),
    cooperative: fc.boolean(),
  })
  .map(({ amountMin, amountSpan, transfers, voteTimeoutMs, clientTimeoutMs, ...w }) => ({
    ...w,
    amount: { min: amountMin, max: amountMin + amountSpan },
    ...(transfers !== undefined ? { transfers } : {}),
    voteTimeout: voteTimeoutMs * 1000,
    clientTimeout: clientTimeoutMs * 1000,
  }));

export default twopcFuzzWorkloadBase;
