import { defineScenario } from '../sim/scenario/define.ts';

// Sagas give up isolation (Garcia-Molina and Salem: other transactions see a
// saga's partial results). Stock is scarce and customers are poor: a saga
// reserves the last items, then its payment is refused and it gives them back;
// meanwhile another saga was refused those very items. no-dirty-reads (switched
// on by checkIsolation) names the anomaly; the other checkers all hold.
export default defineScenario({
  name: 'saga-lost-isolation',
  description: 'Sagas are not isolated: a saga is refused stock held by a saga that is later compensated',
  protocol: 'saga',
  config: { sagas: 8, interval: '3ms', stock: 4, balance: 20, maxQty: 3, checkIsolation: true },
  duration: '2s',
  network: { latency: { kind: 'uniform', min: '1ms', max: '5ms' } },
  expect: { violation: 'no-dirty-reads' },
});
