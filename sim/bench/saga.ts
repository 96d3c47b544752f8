// Saga throughput (issue 17): sagas ended (completed or compensated) per wall
// second, 200 orders submitted every 2 ms under 1% loss, every checker on
// (at-most-once, compensation-order, and the final saga-atomicity, termination
// and conservation checks over the history and published ledgers). Baseline, in
// the same process: the identical run with checkers off, as a ratio.

import { Simulation } from '../engine/simulation.ts';
import type { OrchestratorState } from '../protocols/saga/state.ts';
import { parseScenario, prepareRun } from '../scenario/resolve.ts';
import { positiveInt, type BenchCase } from './case.ts';

function scenario(seconds: number, checkers: boolean) {
  return parseScenario({
    name: 'saga-bench',
    description: '200 orders every 2 ms, 1% loss',
    protocol: 'saga',
    config: { sagas: 200, interval: '2ms', customers: 16, stock: 300, balance: 200 },
    duration: seconds * 1_000_000,
    network: { latency: { kind: 'uniform', min: '1ms', max: '5ms' }, loss: 0.01 },
    ...(checkers ? {} : { checkers: [] }),
  });
}

function timed(seconds: number, checkers: boolean): { wall: number; ended: number; events: number; violations: string[] } {
  const run = prepareRun(scenario(seconds, checkers));
  const t0 = performance.now();
  const sim = new Simulation({ seed: run.seed, nodes: run.nodes, config: run.engine, faults: run.timeline, checkers: run.checkers, hash: false });
  const result = sim.run(run.scenario.duration);
  const wall = (performance.now() - t0) / 1000;
  const sagas = (sim.published('o1') as unknown as OrchestratorState | undefined)?.sagas ?? {};
  const ended = Object.values(sagas).filter((s) => s.status === 'completed' || s.status === 'compensated').length;
  return { wall, ended, events: result.stats.events, violations: result.violations.map((v) => v.invariant) };
}

export const sagaBench: BenchCase = {
  name: 'saga',
  description: 'Sagas: sagas ended per wall second, 200 orders under 1% loss, all checkers on; baseline: the same run with checkers off',
  run(opts) {
    const seconds = positiveInt(opts.seconds, 'seconds', 2);
    timed(seconds, true); // warm up
    let on: ReturnType<typeof timed> | undefined;
    let off = Infinity;
    for (let i = 0; i < 5; i++) {
      const a = timed(seconds, true);
      if (!on || a.wall < on.wall) on = a;
      off = Math.min(off, timed(seconds, false).wall);
    }
    const r = on as ReturnType<typeof timed>;
    return {
      virtual_s: seconds,
      sagas_ended: r.ended,
      violations: r.violations,
      wall_s: +r.wall.toFixed(4),
      sagas_per_s: Math.round(r.ended / r.wall),
      baseline_sagas_per_s: Math.round(r.ended / off),
      checked_vs_unchecked: +(off / r.wall).toFixed(3),
      events: r.events,
    };
  },
};
