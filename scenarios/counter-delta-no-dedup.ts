import { defineScenario } from '../sim/scenario/define.ts';

// counter-delta-crash with the planted bug deltaNoDedup: the receiver applies every delta it gets.
// While n3's acknowledgements to n1 are blocked, n1 resends its unacknowledged deltas every gossip
// interval and n3 counts them again each time. With delta gossip a replica only ever sends its own
// deltas, so n3's inflated copy of n1's entries is never corrected: the replicas never converge.
export default defineScenario({
  name: 'counter-delta-no-dedup',
  description: 'Delta gossip without deduplication: retransmitted deltas are counted twice (planted bug)',
  protocol: 'counter',
  config: { replicas: 3, clients: 3, gossip: 'delta', opsUntil: '1.6s', bugs: { deltaNoDedup: true } },
  duration: '2.5s',
  faults: {
    timeline: [
      { at: '400ms', kind: 'block', from: 'n3', to: 'n1' },
      { at: '1.2s', kind: 'heal' },
      { at: '1.2s', kind: 'quiesce' },
    ],
  },
  expect: { violation: 'convergence' },
});
