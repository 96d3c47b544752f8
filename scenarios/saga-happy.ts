import { defineScenario } from '../sim/scenario/define.ts';

// The order saga's happy path under 1% loss: eight orders through order, stock,
// payment and shipping. Some customers run out of money or the stock runs out,
// so some sagas are compensated; every saga ends one way or the other, each step
// takes effect once, and money and stock are conserved.
export default defineScenario({
  name: 'saga-happy',
  description: 'Order sagas under 1% loss: each completes or is compensated, money and stock conserved',
  protocol: 'saga',
  config: { sagas: 8 },
  duration: '2s',
  network: { latency: { kind: 'uniform', min: '1ms', max: '5ms' }, loss: 0.01 },
  expect: 'no-violation',
});
