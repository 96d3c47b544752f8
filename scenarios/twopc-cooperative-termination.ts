import { defineScenario } from '../sim/scenario/define.ts';

// The coordinator decides commit at 51 ms; the decision reaches p1 but not p2
// (co -> p2 is blocked from 45 ms), and the coordinator crashes at 55 ms and
// stays down until 2.5 s. p2 is in doubt; its first query goes unanswered, so
// it asks p1 (cooperative termination protocol), which knows the commit:
// p2 commits at about 361 ms, long before the coordinator is back. The quiesce
// at 2.5 s starts the liveness phase, so in-doubt-resolves is judged too.
export default defineScenario({
  name: 'twopc-cooperative-termination',
  description: 'Two-phase commit: a participant in doubt learns the commit from another participant while the coordinator is down (cooperative-termination; in-doubt-resolves, judged after the quiesce at 2.5 s)',
  protocol: 'twopc',
  config: {
    participants: 2,
    clients: 1,
    transfers: 1,
    amount: { min: 10, max: 10 },
    think: { min: '1ms', max: '1ms' },
    cooperative: true,
    cooperativeAfter: 1,
  },
  duration: '3s',
  network: { latency: { kind: 'constant', value: '10ms' } },
  faults: {
    timeline: [
      { at: '45ms', kind: 'block', from: 'co', to: 'p2' },
      { at: '55ms', kind: 'crash', node: 'co' },
      { at: '2.5s', kind: 'restart', node: 'co' },
      { at: '2.5s', kind: 'heal' },
      { at: '2.5s', kind: 'quiesce' },
    ],
  },
});
