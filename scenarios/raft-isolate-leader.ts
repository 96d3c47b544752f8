import { defineScenario } from '../sim/scenario/define.ts';

// Faults aimed at roles (section 5.2, Jepsen-style): at 0.7 s whichever server
// leads is put in a minority with one follower ("minority-with @leader"), so
// the scenario does not need to know who won the first election. The majority
// elects a new leader; the old one, with check-quorum, steps down. At 1.5 s the
// new leader is crashed (`@leader` again, resolved then) and restarted 300 ms
// later through its label (`$second`). The trace's "fault N" lines say which
// node each target resolved to.
export default defineScenario({
  name: 'raft-isolate-leader',
  description: 'Raft: partition the leader into a minority, then crash the next leader, by role (@leader), not by name',
  protocol: 'raft',
  config: { servers: 5, clients: 2, client: { stopAt: '2.5s' } },
  duration: '3s',
  network: { latency: { kind: 'uniform', min: '1ms', max: '10ms' }, loss: 0.01 },
  faults: {
    timeline: [
      { at: '700ms', kind: 'partition', split: 'minority-with', around: '@leader', id: 'cut' },
      { after: 'cut', delay: '600ms', kind: 'heal' },
      { at: '1.5s', kind: 'crash', node: '@leader', id: 'second' },
      { after: 'second', delay: '300ms', kind: 'restart', node: '$second' },
      { at: '2s', kind: 'quiesce' },
    ],
  },
  expect: 'no-violation',
});
