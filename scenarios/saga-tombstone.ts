import { defineScenario } from '../sim/scenario/define.ts';

// saga-compensation-overtakes without the bug: each compensation that arrives
// first leaves a tombstone and the late step is refused, so every compensated
// saga has nothing in effect.
export default defineScenario({
  name: 'saga-tombstone',
  description: 'Compensations overtaking their steps leave tombstones: late steps are refused and atomicity holds',
  protocol: 'saga',
  config: { sagas: 12, interval: '5ms', stepTimeout: '10ms', maxAttempts: 1 },
  duration: '2s',
  network: { latency: { kind: 'lognormal', median: '2ms', sigma: 1.5 } },
  expect: 'no-violation',
});
