import { defineScenario } from '../sim/scenario/define.ts';

// p2 forces its prepared record, votes yes at 41 ms and crashes at 45 ms; the
// commit sent to it at 51 ms (and the re-sends) find it down. It restarts at
// 300 ms: recovery reads the prepared record, re-acquires the lock on its
// account and asks the coordinator, which answers commit.
export default defineScenario({
  name: 'twopc-participant-recovery',
  description: 'Two-phase commit: a participant that crashed after voting yes recovers in doubt, re-locks and asks for the outcome',
  protocol: 'twopc',
  config: { participants: 2, clients: 1, transfers: 1, amount: { min: 10, max: 10 }, think: { min: '1ms', max: '1ms' }, resendInterval: '1s' },
  duration: '1s',
  network: { latency: { kind: 'constant', value: '10ms' } },
  faults: {
    timeline: [
      { at: '45ms', kind: 'crash', node: 'p2' },
      { at: '300ms', kind: 'restart', node: 'p2' },
      { at: '300ms', kind: 'quiesce' },
    ],
  },
});
