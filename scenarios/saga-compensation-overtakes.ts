import { defineScenario } from '../sim/scenario/define.ts';

// Planted bug noTombstone. The retry timeout (3 ms) is shorter than the slowest
// messages (up to 12 ms): the orchestrator gives up on slow steps and sends their
// compensations, which overtake the steps. Without a tombstone the compensation
// finds nothing to undo and forgets it came; the step arrives and commits inside
// a saga already compensated.
export default defineScenario({
  name: 'saga-compensation-overtakes',
  description: 'A compensation overtakes its step and leaves no tombstone: the step commits in a compensated saga',
  protocol: 'saga',
  config: { sagas: 12, interval: '5ms', stepTimeout: '10ms', maxAttempts: 1, bugs: { noTombstone: true } },
  duration: '2s',
  network: { latency: { kind: 'lognormal', median: '2ms', sigma: 1.5 } },
  expect: { violation: 'saga-atomicity' },
});
