import { defineScenario } from '../sim/scenario/define.ts';

// Planted bug nonIdempotentCompensation: the stock service's answers are slow to
// come back (up to 12 ms against a 3 ms retry timeout), so compensations are
// retried, and each retry puts the items back again.
export default defineScenario({
  name: 'saga-retried-compensation',
  description: 'A non-idempotent compensation under retries puts stock back twice',
  protocol: 'saga',
  config: { sagas: 12, interval: '5ms', stepTimeout: '3ms', maxAttempts: 1, bugs: { nonIdempotentCompensation: true } },
  duration: '2s',
  network: { latency: { kind: 'uniform', min: '1ms', max: '12ms' } },
  expect: { violation: 'at-most-once' },
});
