import { defineScenario } from '../sim/scenario/define.ts';

// Planted bug ignoreElapsed: c1 takes m1, m2, m3 at once, but m4 and m5 do not
// answer it (its messages to them are dropped), so it waits out two request
// timeouts of 100 ms before deciding. A correct client subtracts those 200 ms from
// the validity time; the bug counts the full ttl from the moment it decides, so c1
// keeps writing after its keys on m1..m3 expired and c2 took the lock.
export default defineScenario({
  name: 'redlock-slow-acquire',
  description: 'Redlock ignoring the elapsed acquisition time: a slow acquisition overstays its lease',
  protocol: 'redlock',
  config: { masters: 5, clients: 2, ttl: '300ms', requestTimeout: '100ms', writes: 14, work: '25ms', think: '0ms', stagger: '20ms', cycles: 1, bugs: { ignoreElapsed: true } },
  duration: '2s',
  network: { latency: { kind: 'uniform', min: '1ms', max: '3ms' } },
  faults: {
    timeline: [
      { at: 0, kind: 'block', from: 'c1', to: 'm4' },
      { at: 0, kind: 'block', from: 'c1', to: 'm5' },
    ],
  },
  expect: { violation: 'mutual-exclusion' },
});
