import { defineScenario } from '../sim/scenario/define.ts';

// The orchestrator crashes in the middle of the stream and restarts 200 ms
// later: it reads its saga log and resumes each saga where it was, forward or
// backward; idempotency keys make the resent steps harmless.
export default defineScenario({
  name: 'saga-orchestrator-crash',
  description: 'The saga orchestrator crashes mid-run and recovers every saga from its durable log',
  protocol: 'saga',
  config: { sagas: 8, interval: '20ms' },
  duration: '2s',
  network: { latency: { kind: 'uniform', min: '1ms', max: '5ms' } },
  faults: {
    timeline: [
      { at: '70ms', kind: 'crash', node: 'o1' },
      { at: '270ms', kind: 'restart', node: 'o1' },
    ],
  },
  expect: 'no-violation',
});
