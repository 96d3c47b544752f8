import { defineScenario } from '../sim/scenario/define.ts';

export default defineScenario({
  name: 'ring-crash-and-return',
  description: 'Ring cluster: n3 crashes in the middle of n6 joining and returns from its disk; writes to its keys wait (W = N) and nothing acknowledged is lost',
  protocol: 'ring',
  config: { servers: 5, spares: 1, clients: 4, keys: 120, changes: [{ at: '300ms', join: 'n6' }] },
  duration: '1.8s',
  network: { latency: { kind: 'uniform', min: '1ms', max: '8ms' }, loss: 0.02 },
  faults: {
    timeline: [
      { at: '302ms', kind: 'crash', node: 'n3' },
      { at: '700ms', kind: 'restart', node: 'n3' },
      { at: '900ms', kind: 'crash', node: 'n5' },
      { at: '1s', kind: 'quiesce' },
    ],
  },
});
