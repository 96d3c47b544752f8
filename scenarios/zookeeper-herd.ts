import { defineScenario } from '../sim/scenario/define.ts';

// Planted bug watchParent: waiters put a child watch on /lock instead of an exists
// watch on their predecessor, so every release wakes every waiter (the herd
// effect the recipe is designed to avoid).
export default defineScenario({
  name: 'zookeeper-herd',
  description: 'ZooKeeper lock with waiters watching /lock: each release wakes every waiter',
  protocol: 'zookeeper',
  config: { clients: 4, bugs: { watchParent: true } },
  duration: '1s',
  network: { latency: { kind: 'uniform', min: '1ms', max: '3ms' } },
  expect: { violation: 'no-herd' },
});
