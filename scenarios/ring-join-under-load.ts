import { defineScenario } from '../sim/scenario/define.ts';

export default defineScenario({
  name: 'ring-join-under-load',
  description: 'Ring cluster: n6 joins a 5-node ring (N=3) while 4 clients add and read, with 2% loss',
  protocol: 'ring',
  config: { servers: 5, spares: 1, clients: 4, replicas: 3, keys: 120, changes: [{ at: '300ms', join: 'n6' }] },
  duration: '1.5s',
  network: { latency: { kind: 'uniform', min: '1ms', max: '8ms' }, loss: 0.02 },
});
