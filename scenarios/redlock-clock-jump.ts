import { defineScenario } from '../sim/scenario/define.ts';

// Kleppmann's clock critique of Redlock, as events: c1 cannot reach m4 and m5
// while it acquires, so it holds the lock on m1, m2, m3 (a bare majority). Then
// m3's clock jumps 250 ms forward (an NTP step): c1's key there expires early.
// The cut heals, c2 gets m3, m4 and m5, also a majority, and both clients hold
// the lock and write: mutual exclusion is gone with no client doing anything wrong.
export default defineScenario({
  name: 'redlock-clock-jump',
  description: 'Redlock: a clock jump on one master expires a key early and two clients each hold a majority',
  protocol: 'redlock',
  config: { masters: 5, clients: 2, ttl: '300ms', writes: 10, work: '25ms', think: '0ms', stagger: '40ms', cycles: 1 },
  duration: '2s',
  network: { latency: { kind: 'uniform', min: '1ms', max: '3ms' } },
  faults: {
    timeline: [
      { at: 0, kind: 'block', from: 'c1', to: 'm4' },
      { at: 0, kind: 'block', from: 'c1', to: 'm5' },
      { at: '100ms', kind: 'clock', node: 'm3', offset: '250ms' },
      { at: '110ms', kind: 'heal' },
    ],
  },
  expect: { violation: 'mutual-exclusion' },
});
