import { defineScenario } from 'faultline';

// n2 crashes while values are in flight and restarts 400 ms later. Values are fsynced
// before they are acknowledged, and a restarted server queues everything it holds for
// every peer again, so nothing acknowledged is lost.
export default defineScenario({
  name: 'broadcast-crash-restart',
  description: 'A server crashes and restarts mid-broadcast: acknowledged values survive and spread',
  protocol: '../protocol.ts',
  config: { servers: 3, values: 30 },
  duration: '4s',
  network: { latency: { kind: 'uniform', min: '1ms', max: '10ms' }, loss: 0.02 },
  faults: {
    timeline: [
      { at: '500ms', kind: 'crash', node: 'n2' },
      { at: '900ms', kind: 'restart', node: 'n2' },
    ],
  },
  expect: 'no-violation',
});
