import { defineScenario } from '../sim/scenario/define.ts';

// Found by `faultline fuzz lock` and shrunk to one fault: the lock server
// stalls for 905 ms while two fenced clients retry their acquires. When it
// wakes it answers every queued retry at once, and those answers arrive late.
// A client must not take a late "granted, token 1" (the answer to a retry of an
// acquire whose lock it has since released) as the answer to its new acquire
// while another client holds token 2: clients ignore grants whose token is not
// above the last one they held. Before that rule, the history was not
// linearizable as a lock.
export default defineScenario({
  name: 'lock-server-pause',
  description: 'The lock server stalls while clients retry; late grant replies are not mistaken for new grants',
  protocol: 'lock',
  config: { clients: 2, locks: 1, recipe: 'fencing', ttl: '500ms', keepAlive: '100ms', margin: '50ms', retry: '50ms', writes: 3, work: '5ms', think: '20ms' },
  seed: 11,
  duration: '6s',
  faults: {
    timeline: [
      { at: 0, kind: 'pause', node: 's1' },
      { at: '904.975ms', kind: 'resume', node: 's1' },
      { at: '3.5s', kind: 'quiesce' },
    ],
  },
  expect: 'no-violation',
});
