import { defineScenario } from '../sim/scenario/define.ts';

// Redlock's happy path: five masters, three clients contending, 1% loss. Each
// client acquires on a majority within the validity time, writes, and releases
// with compare-and-delete; critical sections never overlap.
export default defineScenario({
  name: 'redlock-happy',
  description: 'Redlock, 5 masters, 3 clients, 1% loss: the lock works when its timing assumptions hold',
  protocol: 'redlock',
  config: { masters: 5, clients: 3 },
  duration: '3s',
  network: { latency: { kind: 'uniform', min: '1ms', max: '5ms' }, loss: 0.01 },
  expect: 'no-violation',
});
