// Two-phase commit's default fuzz workload (`faultline fuzz twopc`): shard and
// client counts, accounts per shard, transfer amounts (up to above a balance,
// so debits vote no), a bounded or unbounded number of transfers per client,
// vote and client timeouts, and cooperative termination (with how many unanswered
// queries an in-doubt participant waits before asking its peers: 2 as by default, or
// 0-1, so the peers are asked while one of them may still be working on the transaction,
// the window of the asked participant's unilateral abort, BHG section 7.4); and the timing knobs
// that open windows: retry and query intervals short or long against the vote
// timeout (a participant that asks again soon vs. late), the work timeout. No
// planted bug is switched on. Sizes stay near the defaults.

import fc from 'fast-check';

export const twopcFuzzWorkload: fc.Arbitrary<Record<string, unknown>> = fc
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
    retryMs: fc.constantFrom(50, 10, 150),
    queryMs: fc.constantFrom(150, 30, 400),
    workMs: fc.constantFrom(400, 100, 1000),
    cooperative: fc.boolean(),
    /** The default (2) first, so it shrinks back to it; 0 and 1 ask the peers at the first or second timeout. */
    cooperativeAfter: fc.constantFrom(2, 0, 1),
  })
  .map(({ amountMin, amountSpan, transfers, voteTimeoutMs, clientTimeoutMs, retryMs, queryMs, workMs, ...w }) => ({
    ...w,
    amount: { min: amountMin, max: amountMin + amountSpan },
    ...(transfers !== undefined ? { transfers } : {}),
    voteTimeout: voteTimeoutMs * 1000,
    clientTimeout: clientTimeoutMs * 1000,
    retryInterval: retryMs * 1000,
    queryInterval: queryMs * 1000,
    resendInterval: queryMs * 1000,
    workTimeout: workMs * 1000,
  }));

export default twopcFuzzWorkload;
