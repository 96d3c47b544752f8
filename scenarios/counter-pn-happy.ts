import { defineScenario } from '../sim/scenario/define.ts';

// The PN-counter CRDT (Shapiro et al. 2011, Specification 7) on three replicas with three clients
// adding and subtracting, no faults: state gossip every 50 ms, merged by entrywise max. After the
// clients stop, every replica reads exactly the sum of the acknowledged adds.
export default defineScenario({
  name: 'counter-pn-happy',
  description: 'PN-counter CRDT, three replicas, no faults: replicas converge to the sum of the acknowledged adds',
  protocol: 'counter',
  config: { replicas: 3, clients: 3, design: 'pn-counter', gossip: 'state', opsUntil: '1s' },
  duration: '2s',
  expect: 'no-violation',
});
