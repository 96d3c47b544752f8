// The saga protocol's default fuzz workload: how many orders and how fast, how
// scarce stock and money are (so some sagas are refused and compensate), and the
// retry timeout against the network's latency (short timeouts give up on steps
// whose messages are merely slow, so compensations overtake their steps).

import fc from 'fast-check';

export const sagaFuzzWorkload: fc.Arbitrary<Record<string, unknown>> = fc
  .record({
    sagas: fc.integer({ min: 4, max: 12 }),
    intervalMs: fc.constantFrom(5, 20, 40),
    stock: fc.integer({ min: 4, max: 20 }),
    balance: fc.constantFrom(20, 40, 80),
    stepTimeoutMs: fc.constantFrom(4, 8, 15, 30),
    maxAttempts: fc.integer({ min: 1, max: 4 }),
  })
  .map(({ intervalMs, stepTimeoutMs, ...w }) => ({ ...w, interval: intervalMs * 1000, stepTimeout: stepTimeoutMs * 1000 }));

export default sagaFuzzWorkload;
