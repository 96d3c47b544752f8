import { defineScenario } from '../sim/scenario/define.ts';

// Planted bug plainDelete: release with DEL instead of the compare-and-delete
// script. c1 holds the lock; c2's SET NX fails, so c2 gives up its attempt and
// "releases" the key everywhere, as the algorithm says, but with a plain DEL:
// it deletes c1's key. c2's next attempt succeeds while c1 is still writing.
export default defineScenario({
  name: 'redis-plain-delete',
  description: 'Single Redis lock released with plain DEL: a failed attempt deletes the holder\'s key',
  protocol: 'redlock',
  config: { masters: 1, clients: 2, ttl: '300ms', writes: 8, work: '20ms', think: '0ms', stagger: '30ms', cycles: 1, bugs: { plainDelete: true } },
  duration: '2s',
  network: { latency: { kind: 'uniform', min: '1ms', max: '3ms' } },
  expect: { violation: 'mutual-exclusion' },
});
