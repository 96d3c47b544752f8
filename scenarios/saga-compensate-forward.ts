import { defineScenario } from '../sim/scenario/define.ts';

// Planted bug compensateForward: when a payment is refused, the orchestrator
// cancels the order before it releases the stock: compensations run first step
// first instead of last step first.
export default defineScenario({
  name: 'saga-compensate-forward',
  description: 'Compensations in the wrong order: the order is cancelled before its stock is released',
  protocol: 'saga',
  config: { sagas: 8, balance: 20, bugs: { compensateForward: true } },
  duration: '2s',
  network: { latency: { kind: 'uniform', min: '1ms', max: '5ms' } },
  expect: { violation: 'compensation-order' },
});
