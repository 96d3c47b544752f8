import { defineScenario } from '../sim/scenario/define.ts';

// The lock service's lock table (sim/protocols/common/lock-table.ts) replicated with
// Raft: three clients take turns acquiring and releasing one lock. The leader
// crashes; a new one is elected from the replicas, which hold the same table,
// so no lock is granted twice and the service carries on.
export default defineScenario({
  name: 'raft-lock-leader-crash',
  description: 'Raft-replicated lock service: the leader crashes and the lock table survives on the new leader',
  protocol: 'raft',
  config: { servers: 3, clients: 3, service: 'lock', electionTimeoutOf: { n1: { min: '100ms', max: '120ms' } }, client: { thinkTime: '20ms' } },
  duration: '8s',
  network: { latency: { kind: 'uniform', min: '1ms', max: '10ms' }, loss: 0.01 },
  faults: {
    timeline: [
      { at: '1s', kind: 'crash', node: 'n1' },
      { at: '2s', kind: 'restart', node: 'n1' },
      { at: '2.5s', kind: 'quiesce' },
    ],
  },
});
