import { defineScenario } from '../sim/scenario/define.ts';

// Planted bug ignoreElapsed: c1 sends its SETs, then is paused for 150 ms before
// it reads the replies. A correct client subtracts the 150 ms from the validity
// time; the bug counts the full ttl from the moment it decides, so c1 keeps
// writing after its keys expired and c2 acquired.
export default defineScenario({
  name: 'redlock-slow-acquire',
  description: 'Redlock ignoring the elapsed acquisition time: a slow acquisition overstays its lease',
  protocol: 'redlock',
  config: { masters: 5, clients: 2, ttl: '300ms', writes: 12, work: '25ms', think: '0ms', stagger: '20ms', cycles: 1, bugs: { ignoreElapsed: true } },
  duration: '2s',
  network: { latency: { kind: 'uniform', min: '1ms', max: '3ms' } },
  faults: {
    timeline: [
      { at: '500us', kind: 'pause', node: 'c1' },
      { at: '150ms', kind: 'resume', node: 'c1' },
    ],
  },
  expect: { violation: 'mutual-exclusion' },
});
