import { defineScenario } from '../sim/scenario/define.ts';

// redlock-restart-forgets with the documented mitigation: the restarted m1
// stays unavailable for a ttl (plus the drift allowance), by which time c1's
// lease is over. c2 gets the lock only after that: no overlap.
export default defineScenario({
  name: 'redlock-restart-delay',
  description: 'Redlock with the restart delay: the restarted master stays away for a ttl and exclusion holds',
  protocol: 'redlock',
  config: { masters: 3, clients: 2, ttl: '300ms', writes: 10, work: '25ms', think: '0ms', stagger: '40ms', cycles: 1 },
  duration: '2s',
  network: { latency: { kind: 'uniform', min: '1ms', max: '3ms' } },
  faults: {
    timeline: [
      { at: 0, kind: 'block', from: 'c1', to: 'm3' },
      { at: '60ms', kind: 'crash', node: 'm1' },
      { at: '70ms', kind: 'restart', node: 'm1' },
    ],
  },
  expect: 'no-violation',
});
