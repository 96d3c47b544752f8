import { defineScenario } from '../sim/scenario/define.ts';

// Section 7: servers snapshot their state every 40 applied entries and discard
// the log before it. n3 is down while the others move on; when it comes back,
// the entries it needs are gone from the leader's log, so the leader sends its
// snapshot (InstallSnapshot) and then the entries after it.
export default defineScenario({
  name: 'raft-snapshot',
  description: 'Raft: a lagging follower is brought up to date with InstallSnapshot',
  protocol: 'raft',
  config: { servers: 3, clients: 3, client: { stopAt: '2.5s' }, snapshotEvery: 40, electionTimeoutOf: { n1: { min: '100ms', max: '120ms' } } },
  duration: '3s',
  network: { latency: { kind: 'uniform', min: '1ms', max: '10ms' }, loss: 0.01 },
  faults: {
    timeline: [
      { at: '300ms', kind: 'crash', node: 'n3' },
      { at: '1500ms', kind: 'restart', node: 'n3' },
      { at: '1500ms', kind: 'quiesce' },
    ],
  },
});
