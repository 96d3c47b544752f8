// Lock service throughput (issue 4): acquire/release cycles per wall second,
// 10 fenced clients contending for 3 locks under 1% loss, every checker on
// (single-holder, token-order, fenced-writes, mutual-exclusion, and the final
// linearizability check of the whole acquire/release history). Baseline, in
// the same process: the identical run with checkers off, so the ratio is what
// checking costs. Tracing is off in both.

import { checkHistory } from '../check/linearizability/checker.ts';
import { lockModel } from '../check/linearizability/models.ts';
import { Simulation, type RunResult } from '../engine/simulation.ts';
import type { HistoryEvent } from '../engine/types.ts';
import { parseScenario, prepareRun } from '../scenario/resolve.ts';
import { positiveInt, type BenchCase } from './case.ts';

function scenario(seconds: number, checkers: boolean) {
  return parseScenario({
    name: 'lock-bench',
    description: '10 clients, 3 locks, 1% loss',
    protocol: 'lock',
    config: { clients: 10, locks: 3, recipe: 'fencing' },
    duration: seconds * 1_000_000,
    network: { latency: { kind: 'uniform', min: '1ms', max: '10ms' }, loss: 0.01 },
    ...(checkers ? {} : { checkers: [] }),
  });
}

/** Acquires that returned ok: one per critical section entered. */
function cycles(history: readonly HistoryEvent[]): number {
  let n = 0;
  const acquires = new Set<number>();
  for (const h of history) {
    if (h.type === 'invoke' && h.f === 'acquire') acquires.add(h.op);
    else if (h.type === 'return' && h.outcome === 'ok' && acquires.has(h.op)) n++;
  }
  return n;
}

interface Timed {
  wall: number;
  result: RunResult;
  history: readonly HistoryEvent[];
}

function timed(seconds: number, checkers: boolean): Timed {
  const run = prepareRun(scenario(seconds, checkers));
  const t0 = performance.now();
  const sim = new Simulation({ seed: run.seed, nodes: run.nodes, config: run.engine, faults: run.timeline, checkers: run.checkers, hash: false });
  const result = sim.run(run.scenario.duration);
  return { wall: (performance.now() - t0) / 1000, result, history: sim.history };
}

export const lockBench: BenchCase = {
  name: 'lock',
  description: 'lock service: acquire/release cycles per wall second, 10 fenced clients, 3 locks, 1% loss, all checkers on; baseline: the same run with checkers off',
  run(opts) {
    const seconds = positiveInt(opts.seconds, 'seconds', 60);
    timed(Math.min(seconds, 5), true); // warm up
    let on = Infinity;
    let off = Infinity;
    let onRun: Timed | undefined;
    for (let i = 0; i < 5; i++) {
      const a = timed(seconds, true);
      if (a.wall < on) [on, onRun] = [a.wall, a];
      off = Math.min(off, timed(seconds, false).wall);
    }
    const { result: r, history } = onRun as Timed;
    const n = cycles(history);
    // The final history check on its own (it is inside wall_s too), to show where checking time goes.
    const t0 = performance.now();
    const lin = checkHistory(history, lockModel);
    const linMs = performance.now() - t0;
    const expiries = history.filter((h) => h.type === 'invoke' && h.f === 'release' && h.node === 's1').length;
    return {
      virtual_s: seconds,
      cycles: n,
      lease_expiries: expiries,
      violations: r.violations.map((v) => v.invariant),
      wall_s: +on.toFixed(4),
      cycles_per_s: Math.round(n / on),
      baseline_cycles_per_s: Math.round(n / off),
      checked_vs_unchecked: +(off / on).toFixed(3),
      events: r.stats.events,
      history_ops: lin.operations,
      linearizability_ms: +linMs.toFixed(1),
    };
  },
};
