import { defineScenario } from '../sim/scenario/define.ts';

// Planted bug setThenExpire: the lock is taken with SET NX and given its TTL by a
// second command, PEXPIRE, once the SET is acknowledged. c1 crashes after sending
// its SET and before the reply: the key is set without expiry and no PEXPIRE
// ever comes. The lock is held forever (c2 never gets it); lease-bounded names it.
export default defineScenario({
  name: 'redis-set-then-expire',
  description: 'Single Redis lock taken with SET then PEXPIRE: a client crash between the two leaves the lock forever',
  protocol: 'redlock',
  config: { masters: 1, clients: 2, ttl: '200ms', stagger: '20ms', bugs: { setThenExpire: true } },
  duration: '1s',
  network: { latency: { kind: 'uniform', min: '1ms', max: '3ms' } },
  faults: { timeline: [{ at: '500us', kind: 'crash', node: 'c1' }] },
  expect: { violation: 'lease-bounded' },
});
