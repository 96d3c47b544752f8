import { defineScenario } from '../sim/scenario/define.ts';

export default defineScenario({
  name: 'ring-leave-with-handoff',
  description: 'Ring cluster: n2 leaves a 5-node ring (N=3) and hands its keys off under load, with 3% loss, then n6 joins',
  protocol: 'ring',
  config: { servers: 5, spares: 1, clients: 4, keys: 120, changes: [{ at: '200ms', leave: 'n2' }, { at: '600ms', join: 'n6' }] },
  duration: '1.5s',
  network: { latency: { kind: 'uniform', min: '1ms', max: '8ms' }, loss: 0.03 },
});
