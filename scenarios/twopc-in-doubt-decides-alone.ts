import { defineScenario } from '../sim/scenario/define.ts';

// The cooperative-termination setting with the planted bug inDoubtDecidesAlone:
// p2, in doubt and unable to reach the coordinator, aborts on its own when its
// termination timer fires (191 ms), although p1 has committed. That step breaks the
// step rule in-doubt-waits (it left "prepared" with no outcome delivered) and, at once,
// TCConsistent (atomicity): the step rule, the cause, is the one reported.
export default defineScenario({
  name: 'twopc-in-doubt-decides-alone',
  description: 'Two-phase commit, planted bug: an in-doubt participant aborts on its own timeout while another committed',
  protocol: 'twopc',
  config: {
    participants: 2,
    clients: 1,
    transfers: 1,
    amount: { min: 10, max: 10 },
    think: { min: '1ms', max: '1ms' },
    bugs: { inDoubtDecidesAlone: true },
  },
  duration: '1s',
  network: { latency: { kind: 'constant', value: '10ms' } },
  faults: {
    timeline: [
      { at: '45ms', kind: 'block', from: 'co', to: 'p2' },
      { at: '55ms', kind: 'crash', node: 'co' },
    ],
  },
  expect: { violation: 'in-doubt-waits' },
});
