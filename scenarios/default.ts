import { defineScenario } from '../sim/scenario/define.ts';

// The default scenario (`npm start`): a 5-server Raft key-value store with
// three clients, under a random nemesis that crashes servers, cuts links,
// pauses processes, skews clocks and drops bursts of messages for 7 seconds.
// Every checker runs: the Figure 3 safety properties after each event,
// linearizability of the client history at the end, and liveness (a leader,
// every operation completed) once the faults stop: the run lasts 5 s past the
// quiesce point at 7 s, longer than ops-complete's bound (10 election
// timeouts plus two client request timeouts, 3.8 s), so liveness is judged.
export default defineScenario({
  name: 'default',
  description: 'Raft key-value store on 5 servers under a random nemesis, then quiesce: safety, linearizability and liveness',
  protocol: 'raft',
  config: { servers: 5, clients: 3, snapshotEvery: 50 },
  seed: 1,
  duration: '12s',
  network: { latency: { kind: 'lognormal', median: '3ms', sigma: 0.6, min: '500us' }, loss: 0.01, duplicate: 0.005 },
  faults: {
    nemesis: {
      from: '500ms',
      until: '7s',
      crash: { rate: 0.6, downtime: { min: '200ms', max: '1.5s' } },
      partition: { rate: 0.5, duration: { min: '100ms', max: '1s' } },
      pause: { rate: 0.3, duration: { min: '50ms', max: '600ms' } },
      clock: { rate: 0.3, maxOffset: '50ms', maxDrift: 0.01 },
      loss: { rate: 0.3, p: 0.3, duration: { min: '50ms', max: '300ms' } },
    },
  },
  expect: 'no-violation',
});
