// The counter's default fuzz workload: replica and client counts, gossip mode and interval, read
// share, delta size, decrements on or off. The design stays the PN-counter (the naive counter is
// wrong by design) and no planted bug is switched on: the correct CRDT must pass every checker.

import fc from 'fast-check';

export const counterFuzzWorkload: fc.Arbitrary<Record<string, unknown>> = fc
  .record({
    replicas: fc.integer({ min: 2, max: 5 }),
    clients: fc.integer({ min: 1, max: 5 }),
    gossip: fc.constantFrom('state', 'delta'),
    intervalMs: fc.constantFrom(10, 30, 50, 100),
    readRatio: fc.constantFrom(0, 0.2, 0.5),
    maxDelta: fc.integer({ min: 1, max: 10 }),
    decrements: fc.boolean(),
  })
  .map(({ intervalMs, ...w }) => ({ ...w, gossipInterval: intervalMs * 1000 }));

export default counterFuzzWorkload;
