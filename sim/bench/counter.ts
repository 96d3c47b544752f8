// Counter throughput (issue 18): client operations per wall second on the PN-counter (5 replicas,
// 8 clients, state gossip every 50 ms, 1% loss), with its checkers (counter-value, convergence) on;
// baseline, in the same process: the identical run with checkers off. Tracing is off in both.

import { Simulation, type RunResult } from '../engine/simulation.ts';
import type { HistoryEvent } from '../engine/types.ts';
import { parseScenario, prepareRun } from '../scenario/resolve.ts';
import { positiveInt, type BenchCase } from './case.ts';

function scenario(seconds: number, checkers: boolean, gossip: 'state' | 'delta') {
  return parseScenario({
    name: 'counter-bench',
    description: '5 replicas, 8 clients, 1% loss',
    protocol: 'counter',
    config: { replicas: 5, clients: 8, gossip, think: '5ms', opsUntil: (seconds - 1) * 1_000_000 },
    duration: seconds * 1_000_000,
    network: { latency: { kind: 'uniform', min: '1ms', max: '10ms' }, loss: 0.01 },
    ...(checkers ? {} : { checkers: [] }),
  });
}

function timed(seconds: number, checkers: boolean, gossip: 'state' | 'delta'): { wall: number; result: RunResult; history: readonly HistoryEvent[] } {
  const run = prepareRun(scenario(seconds, checkers, gossip));
  const t0 = performance.now();
  const sim = new Simulation({ seed: run.seed, nodes: run.nodes, config: run.engine, faults: run.timeline, checkers: run.checkers, hash: false });
  const result = sim.run(run.scenario.duration);
  return { wall: (performance.now() - t0) / 1000, result, history: sim.history };
}

export const counterBench: BenchCase = {
  name: 'counter',
  description: 'PN-counter: client operations per wall second, 5 replicas, 8 clients, 1% loss, checkers on; baseline: the same run with checkers off (state and delta gossip)',
  run(opts) {
    const seconds = Math.max(2, positiveInt(opts.seconds, 'seconds', 20));
    const out: Record<string, unknown> = { virtual_s: seconds };
    for (const gossip of ['state', 'delta'] as const) {
      timed(2, true, gossip); // warm up
      let on = Infinity;
      let off = Infinity;
      let ops = 0;
      let violations: string[] = [];
      for (let i = 0; i < 3; i++) {
        const a = timed(seconds, true, gossip);
        if (a.wall < on) {
          on = a.wall;
          ops = a.history.filter((h) => h.type === 'return' && h.outcome === 'ok').length;
          violations = a.result.violations.map((v) => v.invariant);
        }
        off = Math.min(off, timed(seconds, false, gossip).wall);
      }
      out[gossip] = { ops, violations, ops_per_s: Math.round(ops / on), baseline_ops_per_s: Math.round(ops / off), checked_vs_unchecked: +(off / on).toFixed(3) };
    }
    return out;
  },
};
