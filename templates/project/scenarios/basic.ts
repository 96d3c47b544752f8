import { defineScenario } from 'faultline';

// The server crashes and restarts while writes are in flight, on a lossy network.
export default defineScenario({
  name: 'basic',
  description: 'A client writes 50 values; the server crashes once and restarts: no acknowledged write is lost',
  protocol: '../src/protocol.ts',
  config: { writes: 50 },
  duration: '3s',
  network: { latency: { kind: 'uniform', min: '1ms', max: '5ms' }, loss: 0.05 },
  faults: {
    timeline: [
      { at: '300ms', kind: 'crash', node: 's1' },
      { at: '400ms', kind: 'restart', node: 's1' },
    ],
  },
  expect: 'no-violation',
});
