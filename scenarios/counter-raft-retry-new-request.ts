import { defineScenario } from '../sim/scenario/define.ts';

// Planted bug retryAsNewRequest on the Raft counter: a client that gets no answer within `retry`
// sends the increment again under a new sequence number, so Raft's session table (client id +
// sequence number, section 8) cannot tell it is the same request. Under 10% message loss some
// answers are lost after the increment was committed: the retry is applied a second time, and a
// later read returns a value no order of the acknowledged operations explains (`linearizable`).
// The correct client retries with the same sequence number and the increment applies once.
export default defineScenario({
  name: 'counter-raft-retry-new-request',
  description: 'Raft counter whose clients retry an increment as a new request: a lost answer makes it count twice',
  protocol: 'counter',
  config: { replicas: 3, clients: 3, design: 'raft', decrements: true, readRatio: 0.4, opsUntil: '1.5s', bugs: { retryAsNewRequest: true } },
  duration: '2s',
  network: { loss: 0.1 },
  expect: { violation: 'linearizable' },
});
