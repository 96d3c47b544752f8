import { defineScenario } from '../sim/scenario/define.ts';

// Planted bug plainDelete: release with DEL instead of the compare-and-delete
// script. c1 is paused past its lease; c2 takes the lock. c1 wakes, sees its
// lease is over and "releases": its DEL removes c2's key. c1 then takes the lock
// again while c2 is still writing.
export default defineScenario({
  name: 'redis-plain-delete',
  description: 'Single Redis lock released with plain DEL: a client deletes the next holder\'s lock',
  protocol: 'redlock',
  config: { masters: 1, clients: 2, ttl: '300ms', writes: 8, work: '40ms', think: '0ms', stagger: '30ms', bugs: { plainDelete: true } },
  duration: '2s',
  network: { latency: { kind: 'uniform', min: '1ms', max: '3ms' } },
  faults: {
    timeline: [
      { at: '35ms', kind: 'pause', node: 'c1' },
      { at: '500ms', kind: 'resume', node: 'c1' },
    ],
  },
  expect: { violation: 'mutual-exclusion' },
});
