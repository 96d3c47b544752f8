import { defineScenario } from '../sim/scenario/define.ts';

// Sections 5.2 and 8: the leader n1 is cut off with n2 in a minority. It can no
// longer commit; with check-quorum it steps down after an election timeout. The
// majority n3-n5 elects a new leader and keeps serving clients (reads through
// ReadIndex). When the partition heals, n1 and n2 learn the higher term and
// their uncommitted entries are replaced by the new leader's log.
export default defineScenario({
  name: 'raft-partition-heal',
  description: 'Raft: the old leader is partitioned into a minority, the majority elects a new one, then the partition heals',
  protocol: 'raft',
  config: { servers: 5, clients: 3, client: { stopAt: '4.5s' }, reads: 'readindex', electionTimeoutOf: { n1: { min: '100ms', max: '120ms' } } },
  duration: '5s',
  network: { latency: { kind: 'uniform', min: '1ms', max: '10ms' }, loss: 0.01 },
  faults: {
    timeline: [
      { at: '1s', kind: 'partition', groups: [['n1', 'n2'], ['n3', 'n4', 'n5']] },
      { at: '2.5s', kind: 'heal' },
      { at: '2.5s', kind: 'quiesce' },
    ],
  },
});
