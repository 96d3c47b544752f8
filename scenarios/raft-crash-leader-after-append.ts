import { defineScenario } from '../sim/scenario/define.ts';

// A fault started by a protocol event: from 1 s on, on the 3rd time a leader
// appends a client command to its log, that leader (`@trigger`: the node the
// event happened at) crashes 0 µs later, before its AppendEntries reach any
// follower, and restarts 400 ms after the crash (`after` its label). The entry
// lives only on the crashed leader's disk: the new leader overwrites it (Figure
// 7) and clients retry; no acknowledged write is lost (linearizable).
export default defineScenario({
  name: 'raft-crash-leader-after-append',
  description: 'Raft: crash the leader right after it appends an entry (a trigger, not a time), before it replicates',
  protocol: 'raft',
  config: { servers: 3, clients: 2, client: { stopAt: '2.5s' } },
  duration: '3s',
  network: { latency: { kind: 'uniform', min: '1ms', max: '10ms' }, loss: 0.01 },
  faults: {
    timeline: [
      { at: '1s', on: { event: 'leader-appended', nth: 3 }, delay: 0, kind: 'crash', node: '@trigger', id: 'x' },
      { after: 'x', delay: '400ms', kind: 'restart', node: '$x' },
      { at: '2s', kind: 'quiesce' },
    ],
  },
  expect: 'no-violation',
});
