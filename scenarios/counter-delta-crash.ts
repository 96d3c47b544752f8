import { defineScenario } from '../sim/scenario/define.ts';

// The PN-counter with delta gossip (Almeida et al. 2018) over a lossy, duplicating network: each
// replica numbers its own deltas and retransmits them until each peer acknowledges; a receiver applies
// a peer's deltas only in sequence order, once each. n2 crashes for 400 ms (its fsynced state and
// deltas survive) and a one-way block drops n3's acknowledgements to n1, so n1 retransmits the same
// deltas again and again: with deduplication nothing is counted twice.
export default defineScenario({
  name: 'counter-delta-crash',
  description: 'PN-counter with delta gossip: a crash, lost acknowledgements and duplicates, nothing counted twice',
  protocol: 'counter',
  config: { replicas: 3, clients: 3, gossip: 'delta', opsUntil: '1.6s' },
  duration: '2.5s',
  network: { latency: { kind: 'uniform', min: '1ms', max: '10ms' }, loss: 0.02, duplicate: 0.05 },
  faults: {
    timeline: [
      { at: '300ms', kind: 'crash', node: 'n2' },
      { at: '700ms', kind: 'restart', node: 'n2' },
      { at: '400ms', kind: 'block', from: 'n3', to: 'n1' },
      { at: '1.2s', kind: 'heal' },
      { at: '1.2s', kind: 'quiesce' },
    ],
  },
  expect: 'no-violation',
});
