import { defineScenario } from '../sim/scenario/define.ts';

// A master restarts without persistence and forgets a key (Kleppmann 2016;
// antirez's answer is the restart delay). c1 cannot reach m3, so it holds m1
// and m2. m1 crashes and restarts at once (planted bug noRestartDelay: it serves
// again immediately, empty). c2 now gets m1 and m3: a second majority while c1
// still holds its lease.
export default defineScenario({
  name: 'redlock-restart-forgets',
  description: 'Redlock without the restart delay: a restarted master forgets c1\'s key and c2 gets a second majority',
  protocol: 'redlock',
  config: { masters: 3, clients: 2, ttl: '300ms', writes: 10, work: '25ms', think: '0ms', stagger: '40ms', cycles: 1, bugs: { noRestartDelay: true } },
  duration: '2s',
  network: { latency: { kind: 'uniform', min: '1ms', max: '3ms' } },
  faults: {
    timeline: [
      { at: 0, kind: 'block', from: 'c1', to: 'm3' },
      { at: '60ms', kind: 'crash', node: 'm1' },
      { at: '70ms', kind: 'restart', node: 'm1' },
    ],
  },
  expect: { violation: 'mutual-exclusion' },
});
