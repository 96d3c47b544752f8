import { defineScenario } from '../sim/scenario/define.ts';

// Replication flow control under a duplication burst. n3 is down for 2.5 s while the clients write, then
// restarts and is caught up one entry per AppendEntries (maxBatch 1) while half of all messages are
// delivered twice. Without flow control every copied reply released one more AppendEntries, whose copies
// were answered and copied again: the sends grew by a factor per round trip and this run passed the
// engine's bound of 5M queued events 0.2 s after the restart. With etcd raft's rule (only an answer that
// moves the follower's progress releases the next batch; tracker/progress.go MaybeUpdate/MaybeDecrTo)
// n3 catches up and the clients carry on.
export default defineScenario({
  name: 'raft-duplicate-catchup',
  description: 'Raft: a restarted follower caught up one entry per AppendEntries under a 50% duplication burst (flow control)',
  protocol: 'raft',
  config: { servers: 3, clients: 2, maxBatch: 1, client: { stopAt: '7s' } },
  seed: 1,
  duration: '8s',
  network: { latency: { kind: 'uniform', min: '1ms', max: '10ms' } },
  faults: {
    timeline: [
      { at: '500ms', kind: 'crash', node: 'n3' },
      { at: '3s', kind: 'restart', node: 'n3' },
      { at: '3s', kind: 'duplicate', p: 0.5 },
      { at: '7s', kind: 'duplicate', p: 0 },
      { at: '7s', kind: 'quiesce' },
    ],
  },
  expect: 'no-violation',
});
