import { defineScenario } from '../sim/scenario/define.ts';

// Planted bug commitBeforeLog: the coordinator sends commit at 51 ms and leaves
// its commit record to a lazy flush 20 ms later; it crashes at 55 ms. After the
// restart its log has no decision for a commit it announced: by presumed abort
// it would now answer abort.
export default defineScenario({
  name: 'twopc-commit-before-log',
  description: 'Two-phase commit, planted bug: the coordinator announces commit before its decision record is durable, then crashes',
  protocol: 'twopc',
  config: {
    participants: 2,
    clients: 1,
    transfers: 1,
    amount: { min: 10, max: 10 },
    think: { min: '1ms', max: '1ms' },
    bugs: { commitBeforeLog: true },
  },
  duration: '1s',
  network: { latency: { kind: 'constant', value: '10ms' } },
  faults: {
    timeline: [
      { at: '55ms', kind: 'crash', node: 'co' },
      { at: '300ms', kind: 'restart', node: 'co' },
    ],
  },
  // The recovery oracle (sim/api/recovery.ts) catches this bug earlier, with no crash at all; off here so the
  // scenario shows the damage the crash does (test/search/recovery-oracle.test.ts shows the oracle's catch).
  recovery: false,
  expect: { violation: 'decision-stable' },
});
