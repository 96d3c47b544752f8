import { defineScenario } from '../sim/scenario/define.ts';

// The ZooKeeper lock recipe's happy path: three clients queue as ephemeral
// sequential znodes, each watches only its predecessor, and each release wakes
// exactly one waiter. 1% loss: lost replies are recovered by finding the znode
// by its session-stamped name.
export default defineScenario({
  name: 'zookeeper-happy',
  description: 'ZooKeeper lock recipe, 3 clients, 1% loss: FIFO turns, one waiter woken per release',
  protocol: 'zookeeper',
  config: { clients: 3 },
  duration: '5s',
  network: { latency: { kind: 'uniform', min: '1ms', max: '5ms' }, loss: 0.01 },
  faults: { timeline: [{ at: '500ms', kind: 'quiesce' }] },
  expect: 'no-violation',
});
