import { defineScenario } from '../sim/scenario/define.ts';

// A planted bug, to watch it fail: the server writes its lock table but never
// fsyncs it. c1 is inside its critical section when the server crashes; the
// server comes back with an empty table and a token counter at 1, hands c2 the
// lock c1 still holds, with a token that was already used. The black-box
// checkers see it (durable-grants, which would name the cause at the very first
// grant, is left out on purpose).
export default defineScenario({
  name: 'lock-bug-volatile-table',
  description: 'Planted bug: the lock table is not fsynced, so a server restart grants a held lock again with a reused token',
  protocol: 'lock',
  config: { clients: 2, ttl: '1s', keepAlive: '100ms', margin: '100ms', writes: 10, work: '30ms', think: '0ms', stagger: '20ms', cycles: 1, bugs: { skipFsync: true } },
  duration: '2s',
  faults: {
    timeline: [
      { at: '100ms', kind: 'crash', node: 's1' },
      { at: '150ms', kind: 'restart', node: 's1' },
    ],
  },
  checkers: ['single-holder', 'token-order', 'mutual-exclusion', 'linearizable'],
  expect: { violation: 'single-holder' },
});
