import { defineScenario } from '../sim/scenario/define.ts';

// One transfer, 10 ms links: prepare reaches p1 and p2 at 41 ms, both force their
// prepared records and vote yes; the coordinator crashes at 45 ms with the
// votes on the wire. The participants are in doubt and blocked (their queries
// go unanswered) until the coordinator restarts at 1 s with no commit record
// and answers abort by presumption. The quiesce at 1 s (when the coordinator is
// back) starts the liveness phase, so in-doubt-resolves is judged: every
// transaction resolves within the liveness bound after it.
export default defineScenario({
  name: 'twopc-coordinator-crash',
  description: 'Two-phase commit: the coordinator crashes after prepare with all votes yes; participants block in doubt until it recovers, then resolve (in-doubt-resolves, judged after the quiesce at 1 s)',
  protocol: 'twopc',
  config: { participants: 2, clients: 1, transfers: 1, amount: { min: 10, max: 10 }, think: { min: '1ms', max: '1ms' } },
  duration: '2s',
  network: { latency: { kind: 'constant', value: '10ms' } },
  faults: {
    timeline: [
      { at: '45ms', kind: 'crash', node: 'co' },
      { at: '1s', kind: 'restart', node: 'co' },
      { at: '1s', kind: 'quiesce' },
    ],
  },
});
