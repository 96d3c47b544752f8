import { defineScenario } from '../sim/scenario/define.ts';

// redlock-clock-jump with a fenced resource: both clients still believe they
// hold the lock, but c2's token is higher, so once c2 has written the resource
// rejects c1's writes. The resource, not the lock, keeps the data safe.
export default defineScenario({
  name: 'redlock-fencing-clock-jump',
  description: 'Redlock with a fenced resource: after the clock jump the older holder\'s writes are rejected',
  protocol: 'redlock',
  config: { masters: 5, clients: 2, fencing: true, ttl: '300ms', writes: 10, work: '25ms', think: '0ms', stagger: '40ms', cycles: 1 },
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
  expect: 'no-violation',
});
