import { defineScenario } from '../sim/scenario/define.ts';

// Planted bug createWithoutId: the reply to c1's create is lost (the server's
// link to c1 is cut for 30 ms just after c1 sends it; one server, `servers: 1`,
// so the cut is certain to hit the leader). c1 retries the create
// blindly and gets a second znode; its first one, an orphan owned by its live
// session, stays ahead of it in the queue for ever. c1 waits on its own orphan,
// and every client behind waits on c1: no one gets the lock again.
export default defineScenario({
  name: 'zookeeper-orphan',
  description: 'ZooKeeper lock retrying a lost create without its id: an orphan znode deadlocks the queue',
  protocol: 'zookeeper',
  config: { servers: 1, clients: 3, sessionTimeout: '200ms', writes: 2, stagger: '10ms', bugs: { createWithoutId: true } },
  duration: '5s',
  network: { latency: { kind: 'uniform', min: '1ms', max: '3ms' } },
  faults: {
    timeline: [
      { id: 'cut', at: 0, on: { event: 'create-sent' }, kind: 'block', from: 'n1', to: 'c1' },
      { after: 'cut', delay: '30ms', kind: 'heal' },
    ],
  },
  expect: { violation: 'lock-progress' },
});
