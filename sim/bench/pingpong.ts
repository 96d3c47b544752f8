// The engine reference workload (issue 2): 5 nodes, 1000 tokens in flight,
// latency uniform 1-10 ms, 1% loss with re-send, each delivery sends one token
// on to a random node; stop after N deliveries; tracing off.

import { defaultEngineConfig } from '../engine/config.ts';
import { Simulation, type RunResult } from '../engine/simulation.ts';
import type { TraceSink } from '../engine/trace.ts';
import { positiveInt, type BenchCase } from './case.ts';
import { baselinePingpong } from './pingpong-baseline.ts';
import { pingpongNodes } from '../protocols/pingpong/protocol.ts';

export interface PingpongOptions {
  deliveries: number;
  seed?: string;
  trace?: TraceSink;
}

export function runPingpong(opts: PingpongOptions): RunResult {
  return pingpongSimulation(opts).run(Number.MAX_SAFE_INTEGER);
}

/** The reference workload's simulation, not yet run (the CLI runs it interruptibly). */
export function pingpongSimulation(opts: PingpongOptions): Simulation {
  const nodes = pingpongNodes(5, 1000);
  const config = defaultEngineConfig();
  config.network.latency = { kind: 'uniform', min: 1000, max: 10_000 };
  config.network.loss = 0.01;
  config.network.retransmit = 0;
  return new Simulation({
    seed: opts.seed ?? 'pingpong',
    nodes,
    config,
    isolate: false,
    maxSteps: opts.deliveries + nodes.length, // the start events, then one step per delivery
    ...(opts.trace
      ? { trace: opts.trace, header: { format: 'faultline-trace', version: 1, scenario: 'pingpong-bench', protocol: 'pingpong', seed: opts.seed ?? 'pingpong', config: { deliveries: opts.deliveries }, nodes: nodes.map((n) => ({ id: n.id, role: n.role })), timeline: [] } }
      : {}),
  });
}

export const pingpongBench: BenchCase = {
  name: 'pingpong',
  description: 'engine reference workload: 5 nodes, 1000 tokens in flight, 1-10 ms latency, 1% loss with re-send, tracing off; baseline: the same workload as a hand-tuned typed-array loop',
  run(opts) {
    const deliveries = positiveInt(opts.deliveries, 'deliveries', 1_000_000);
    // Warm both up, then time them alternately and keep the best of three each.
    runPingpong({ deliveries: Math.min(deliveries, 100_000) });
    baselinePingpong(Math.min(deliveries, 100_000));
    let engine = Infinity;
    let baseline = Infinity;
    let delivered = 0;
    for (let i = 0; i < 3; i++) {
      let t0 = performance.now();
      delivered = runPingpong({ deliveries }).stats.messages.delivered;
      engine = Math.min(engine, (performance.now() - t0) / 1000);
      t0 = performance.now();
      baselinePingpong(deliveries);
      baseline = Math.min(baseline, (performance.now() - t0) / 1000);
    }
    const figures: Record<string, unknown> = { deliveries: delivered, wall_s: +engine.toFixed(4), rate: Math.round(delivered / engine) };
    if (opts.json) return figures; // exactly the documented JSON line
    return { ...figures, baseline_rate: Math.round(deliveries / baseline), engine_vs_baseline: +(baseline / engine).toFixed(3) };
  },
};
