import { defineScenario } from '../sim/scenario/define.ts';

// Planted bug volatileProgress: the orchestrator keeps its progress in memory
// only. The same crash as saga-orchestrator-crash forgets the sagas in flight:
// half-done sagas stay half done (money taken, nothing shipped) for ever.
export default defineScenario({
  name: 'saga-volatile-progress',
  description: 'Saga progress kept only in memory: an orchestrator crash leaves sagas half done',
  protocol: 'saga',
  config: { sagas: 8, interval: '20ms', bugs: { volatileProgress: true } },
  duration: '2s',
  network: { latency: { kind: 'uniform', min: '1ms', max: '5ms' } },
  faults: {
    timeline: [
      { at: '70ms', kind: 'crash', node: 'o1' },
      { at: '270ms', kind: 'restart', node: 'o1' },
    ],
  },
  expect: { violation: 'saga-termination' },
});
