import { defineScenario } from '../sim/scenario/define.ts';

export default defineScenario({
  name: 'ring-ketama-rolling-nemesis',
  description: 'Ring cluster in ketama mode: a heavy node joins, two nodes leave, while a nemesis crashes servers and cuts links; nothing acknowledged is lost and every change settles',
  protocol: 'ring',
  config: {
    mode: 'ketama',
    servers: 5,
    spares: 1,
    clients: 4,
    keys: 150,
    changes: [
      { at: '150ms', join: 'n6', weight: 2 },
      { at: '400ms', leave: 'n1' },
      { at: '650ms', leave: 'n3' },
    ],
  },
  duration: '2.5s',
  network: { latency: { kind: 'lognormal', median: '3ms', sigma: 0.6, min: '500us' }, loss: 0.02, duplicate: 0.01 },
  faults: {
    nemesis: {
      until: '1.4s',
      crash: { rate: 4, downtime: { min: '50ms', max: '300ms' } },
      partition: { rate: 3, duration: { min: '50ms', max: '200ms' } },
    },
  },
});
