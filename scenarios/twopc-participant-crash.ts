import { defineScenario } from '../sim/scenario/define.ts';

// p2 stages its work (ack at 21 ms) and crashes at 35 ms, before prepare
// arrives: its work was volatile. The coordinator's vote timer aborts the
// transaction at 231 ms; p1, prepared and in doubt since 41 ms, learns the
// abort at 241 ms. p2 restarts at 500 ms knowing nothing about it.
export default defineScenario({
  name: 'twopc-participant-crash',
  description: 'Two-phase commit: a participant crashes before voting; the coordinator times out and aborts',
  protocol: 'twopc',
  config: { participants: 2, clients: 1, transfers: 1, amount: { min: 10, max: 10 }, think: { min: '1ms', max: '1ms' } },
  duration: '1s',
  network: { latency: { kind: 'constant', value: '10ms' } },
  faults: {
    timeline: [
      { at: '35ms', kind: 'crash', node: 'p2' },
      { at: '500ms', kind: 'restart', node: 'p2' },
      { at: '500ms', kind: 'quiesce' },
    ],
  },
});
