import { defineScenario } from '../sim/scenario/define.ts';

// The fenced recipe under a random nemesis for 70% of the run: the server
// crashes, clients pause and partitions come and go, clocks jump and drift
// (up to 20%), loss bursts. Stale holders do write; the resource refuses them.
// Then the faults stop and every client must get the lock again.
export default defineScenario({
  name: 'lock-nemesis',
  description: 'Fenced lock service under a random nemesis (crashes, pauses, partitions, clock jumps and drift, loss), then quiesce',
  protocol: 'lock',
  config: { clients: 4, locks: 2, recipe: 'fencing', ttl: '200ms', keepAlive: '50ms', margin: '20ms', work: '10ms' },
  duration: '6s',
  network: { latency: { kind: 'uniform', min: '1ms', max: '8ms' }, loss: 0.01 },
  faults: {
    nemesis: {
      targets: ['s1', 'c1', 'c2', 'c3', 'c4'],
      until: '4s',
      crash: { rate: 1, downtime: { min: '50ms', max: '400ms' } },
      pause: { rate: 3, duration: { min: '100ms', max: '600ms' } },
      partition: { rate: 1, duration: { min: '100ms', max: '500ms' } },
      clock: { rate: 1, maxOffset: '300ms', maxDrift: 0.2 },
      loss: { rate: 0.3, p: 0.3, duration: { min: '50ms', max: '300ms' } },
    },
  },
  expect: 'no-violation',
});
