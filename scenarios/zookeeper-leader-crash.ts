import { defineScenario } from '../sim/scenario/define.ts';

// The Raft leader crashes while a client holds the lock. The data tree, the
// sessions and the lock queue are replicated: a follower is elected within an
// election timeout, gives every session a fresh timeout (as a new ZooKeeper leader
// does), and the holder's pings, unanswered by the dead leader, move on to the
// next server and find the new one. The holder keeps its session and its znode, so
// the lock survives the crash; its writes keep their fencing token (the znode's
// zxid, a Raft log index). The old leader comes back as a follower.
export default defineScenario({
  name: 'zookeeper-leader-crash',
  description: 'ZooKeeper lock on Raft: the leader crashes while a client holds the lock; the lock survives',
  protocol: 'zookeeper',
  config: { servers: 3, clients: 3, writes: 6, work: '20ms', stagger: '10ms' },
  duration: '8s',
  network: { latency: { kind: 'uniform', min: '1ms', max: '3ms' } },
  faults: {
    timeline: [
      { id: 'crash', at: 0, on: { event: 'lock-acquired' }, kind: 'crash', node: '@leader' },
      { after: 'crash', delay: '1s', kind: 'restart', node: '$crash' },
      { at: '1.5s', kind: 'quiesce' },
    ],
  },
  expect: 'no-violation',
});
