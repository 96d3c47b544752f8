import { defineScenario } from '../sim/scenario/define.ts';

// A duplication burst against the correct PN-counter (found by `faultline fuzz counter --config
// '{"gossip":"delta"}' --kinds duplicate,crash,partition --seed 2`, shrunk to a duplication burst and
// widened to keep hitting the case once the clients' request ids became a sequence): for the first 3 s
// half of all messages are delivered twice, so a late copy of a client's older add can reach its
// replica after the client's next add was decided. The replica's dedup treats request ids as a
// per-client sequence (an id at or below the highest decided is a copy), so nothing is counted
// twice. With "the last request id only" as the rule this run read 266 where the acknowledged adds
// sum to 264 (counter-value).
export default defineScenario({
  name: 'counter-duplicate-burst',
  description: 'PN-counter under a duplication burst: a late copy of an older add is not applied again',
  protocol: 'counter',
  config: { replicas: 2, clients: 2, gossip: 'state', maxDelta: 1, decrements: false },
  seed: 1361637179,
  duration: '5s',
  network: { latency: { kind: 'uniform', min: '1ms', max: '10ms' } },
  faults: {
    timeline: [
      { at: 0, kind: 'duplicate', p: 0.5 },
      { at: 3000000, kind: 'duplicate', p: 0 },
    ],
  },
  expect: 'no-violation',
});
