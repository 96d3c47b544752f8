// The engine reference workload (issue 2): 5 nodes, 1000 tokens in flight,
// latency uniform 1-10 ms, 1% loss with re-send, each delivery sends one token
// on to a random node; stop after N deliveries; tracing off.

import { defaultEngineConfig } from '../engine/config.ts';
import { Simulation, type RunResult } from '../engine/simulation.ts';
import type { TraceSink } from '../engine/trace.ts';
import { positiveInt, type BenchCase } from './case.ts';
import { pingpongNodes } from '../protocols/pingpong/protocol.ts';

export interface PingpongOptions {
  deliveries: number;
  seed?: string;
  trace?: TraceSink;
}

export function runPingpong(opts: PingpongOptions): RunResult {
  const nodes = pingpongNodes(5, 1000);
  const config = defaultEngineConfig();
  config.network.latency = { kind: 'uniform', min: 1000, max: 10_000 };
  config.network.loss = 0.01;
  config.network.retransmit = 0;
  const sim = new Simulation({
    seed: opts.seed ?? 'pingpong',
    nodes,
    config,
    isolate: false,
    maxSteps: opts.deliveries + nodes.length, // the start events, then one step per delivery
    ...(opts.trace
      ? { trace: opts.trace, header: { format: 'faultline-trace', version: 1, scenario: 'pingpong-bench', protocol: 'pingpong', seed: opts.seed ?? 'pingpong', config: { deliveries: opts.deliveries }, nodes: nodes.map((n) => ({ id: n.id, role: n.role })), timeline: [] } }
      : {}),
  });
  return sim.run(Number.MAX_SAFE_INTEGER);
}

export const pingpongBench: BenchCase = {
  name: 'pingpong',
  description: 'engine reference workload: 5 nodes, 1000 tokens in flight, 1-10 ms latency, 1% loss with re-send, tracing off',
  run(opts) {
    const deliveries = positiveInt(opts.deliveries, 'deliveries', 1_000_000);
    const t0 = performance.now();
    const result = runPingpong({ deliveries });
    const wall = (performance.now() - t0) / 1000;
    const delivered = result.stats.messages.delivered;
    return { deliveries: delivered, wall_s: +wall.toFixed(4), rate: Math.round(delivered / wall) };
  },
};
