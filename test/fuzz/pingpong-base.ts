import { defineScenario } from '../../sim/scenario/define.ts';

// Fixture for the fuzz CLI tests: a small pingpong cluster with every network
// behaviour and a crash of n3, independent of what scenarios/default.ts shows.
export default defineScenario({
  name: 'pingpong-base',
  description: 'Ping-pong on 5 nodes with loss, duplication, a partition and a crash-restart',
  protocol: 'pingpong',
  config: { nodes: 5, inFlight: 50 },
  duration: '2s',
  network: { latency: { kind: 'lognormal', median: '3ms', sigma: 0.5, min: '500us' }, loss: 0.02, duplicate: 0.01 },
  faults: {
    timeline: [
      { at: '300ms', kind: 'partition', groups: [['n1', 'n2'], ['n3', 'n4', 'n5']] },
      { at: '800ms', kind: 'heal' },
      { at: '1s', kind: 'crash', node: 'n3' },
      { at: '1.4s', kind: 'restart', node: 'n3' },
    ],
  },
});
