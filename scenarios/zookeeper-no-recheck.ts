import { defineScenario } from '../sim/scenario/define.ts';

// Planted bug noRecheck: a waiter takes the lock as soon as its watch fires. c1
// holds, c2 waits on c1, c3 on c2. c2 crashes as c3 starts waiting; its session expires and its znode
// goes: c3's watch fires and c3 "holds" while c1 still does. A correct waiter lists
// /lock again, sees c1 ahead and watches c1. (The fenced resource would reject the
// older holder's writes; lock-order names the cause.)
export default defineScenario({
  name: 'zookeeper-no-recheck',
  description: 'ZooKeeper lock taken on any watch event: a waiter ahead crashes and the next one joins the holder',
  protocol: 'zookeeper',
  config: { clients: 3, electionTimeout: { min: '10ms', max: '20ms' }, heartbeat: '3ms', sessionTimeout: '150ms', writes: 12, work: '25ms', stagger: '40ms', bugs: { noRecheck: true } },
  duration: '2s',
  network: { latency: { kind: 'uniform', min: '1ms', max: '3ms' } },
  faults: { timeline: [{ at: 0, on: { event: 'wait-started', node: 'c3' }, kind: 'crash', node: 'c2' }] },
  expect: { violation: 'lock-order' },
});
