import { defineScenario } from '../sim/scenario/define.ts';

// Section 5.2: the leader crashes; a follower times out, wins an election in a
// higher term, and the clients find it by redirection. The old leader restarts
// from its disk and catches up as a follower.
export default defineScenario({
  name: 'raft-leader-crash',
  description: 'Raft: the first leader crashes, a new one is elected, clients carry on; it restarts and catches up',
  protocol: 'raft',
  // n1 has the shortest election timeout, so it is the first leader.
  config: { servers: 3, clients: 3, client: { stopAt: '3.5s' }, electionTimeoutOf: { n1: { min: '100ms', max: '120ms' } } },
  duration: '4s',
  network: { latency: { kind: 'uniform', min: '1ms', max: '10ms' }, loss: 0.01 },
  faults: {
    timeline: [
      { at: '1s', kind: 'crash', node: 'n1' },
      { at: '2s', kind: 'restart', node: 'n1' },
      { at: '2.5s', kind: 'quiesce' },
    ],
  },
});
