import { defineScenario } from '../sim/scenario/define.ts';

// Why Redlock cannot make fencing tokens: the per-master SET counters are
// independent and volatile. c1 takes and releases the lock (token 1); every
// master restarts (no persistence: keys and counters gone), waits out its
// restart delay, and c2's acquisition yields token 1 again. token-order names it;
// a fenced resource would now refuse the legitimate holder c2.
export default defineScenario({
  name: 'redlock-tokens-not-monotonic',
  description: 'Redlock with per-master counters as tokens: after the masters restart, a later holder gets no higher token',
  protocol: 'redlock',
  config: { masters: 3, clients: 2, fencing: true, ttl: '200ms', writes: 2, work: '10ms', think: '0ms', stagger: '400ms', cycles: 1 },
  duration: '2s',
  network: { latency: { kind: 'uniform', min: '1ms', max: '3ms' } },
  faults: {
    timeline: [
      { at: '150ms', kind: 'crash', node: 'm1' },
      { at: '150ms', kind: 'crash', node: 'm2' },
      { at: '150ms', kind: 'crash', node: 'm3' },
      { at: '160ms', kind: 'restart', node: 'm1' },
      { at: '160ms', kind: 'restart', node: 'm2' },
      { at: '160ms', kind: 'restart', node: 'm3' },
    ],
  },
  expect: { violation: 'token-order' },
});
