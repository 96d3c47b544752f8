import { defineScenario } from '../sim/scenario/define.ts';

// A partition isolates the Raft leader with the client holding the lock. n1 leads
// first (its election timeout is the shortest). When c1 takes the lock, n1 and c1
// are cut off from n2, n3 and the other clients (the resource stays reachable).
// The isolated n1 cannot commit anything and, with check-quorum, steps down within
// an election timeout, so it stops answering c1's pings; n2 and n3 elect a leader,
// which starts c1's session clock afresh and, hearing nothing, expires the session
// by a log entry: c1's znode goes and the next waiter takes the lock. c1 stops
// trusting its session (last acknowledged ping + timeout - margin) before the new
// leader can expire it, and the fencing token (the znode's zxid) would reject any
// write that came later: no overlap at the resource.
export default defineScenario({
  name: 'zookeeper-leader-partition',
  description: 'ZooKeeper lock on Raft: a partition isolates the leader with the lock holder; the majority expires its session',
  protocol: 'zookeeper',
  config: { servers: 3, clients: 3, electionTimeoutOf: { n1: { min: '20ms', max: '30ms' } }, writes: 8, work: '20ms', stagger: '10ms' },
  duration: '8s',
  network: { latency: { kind: 'uniform', min: '1ms', max: '3ms' } },
  faults: {
    timeline: [
      { id: 'cut', at: 0, on: { event: 'lock-acquired', node: 'c1' }, kind: 'partition', groups: [['n1', 'c1'], ['n2', 'n3', 'c2', 'c3']] },
      { after: 'cut', delay: '1s', kind: 'heal' },
      { at: '1.5s', kind: 'quiesce' },
    ],
  },
  expect: 'no-violation',
});
