import { defineScenario } from '../sim/scenario/define.ts';

// A 5-server cluster tolerates two failures (section 5, "a cluster of five can
// tolerate two failures"): n4 and n5 crash and the other three keep electing
// leaders and committing client commands; the two restart from their disks and
// catch up.
export default defineScenario({
  name: 'raft-two-down',
  description: 'Raft: 5 servers with two down keep making progress; the two come back and catch up',
  protocol: 'raft',
  config: { servers: 5, clients: 3, client: { stopAt: '3.5s' }, reads: 'readindex' },
  duration: '4s',
  network: { latency: { kind: 'uniform', min: '1ms', max: '10ms' }, loss: 0.01 },
  faults: {
    timeline: [
      { at: '500ms', kind: 'crash', node: 'n4' },
      { at: '500ms', kind: 'crash', node: 'n5' },
      { at: '1500ms', kind: 'crash', node: 'n1' },
      { at: '1800ms', kind: 'restart', node: 'n1' },
      { at: '2500ms', kind: 'restart', node: 'n4' },
      { at: '2500ms', kind: 'restart', node: 'n5' },
      { at: '2500ms', kind: 'quiesce' },
    ],
  },
});
