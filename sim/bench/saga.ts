// Saga throughput (issue 17): sagas ended (completed or compensated) per wall
// second, 200 orders submitted every 2 ms under 1% loss, every checker on
// (at-most-once, compensation-order, and the final saga-atomicity, termination
// and conservation checks over the history and published ledgers). Baseline, in
// the same process: the identical run with checkers off, as a ratio.

import type { OrchestratorState } from '../protocols/saga/state.ts';
import type { ScenarioInput } from '../scenario/schema.ts';
import { checkedAgainstUnchecked, positiveInt, type BenchCase } from './case.ts';
import { timedRun } from './timed-run.ts';

function scenario(seconds: number, checkers: boolean): ScenarioInput {
  return {
    name: 'saga-bench',
    description: '200 orders every 2 ms, 1% loss',
    protocol: 'saga',
    config: { sagas: 200, interval: '2ms', customers: 16, stock: 300, balance: 200 },
    duration: seconds * 1_000_000,
    network: { latency: { kind: 'uniform', min: '1ms', max: '5ms' }, loss: 0.01 },
    ...(checkers ? {} : { checkers: [] }),
  };
}

function timed(seconds: number, checkers: boolean): { wall: number; ended: number; events: number; violations: string[] } {
  const { wall, sim, result } = timedRun(scenario(seconds, checkers));
  const sagas = (sim.published('o1') as unknown as OrchestratorState | undefined)?.sagas ?? {};
  const ended = Object.values(sagas).filter((s) => s.status === 'completed' || s.status === 'compensated').length;
  return { wall, ended, events: result.stats.events, violations: result.violations.map((v) => v.invariant) };
}

export const sagaBench: BenchCase = {
  name: 'saga',
  description: 'Sagas: sagas ended per wall second, 200 orders under 1% loss, all checkers on; baseline: the same run with checkers off',
  run(opts) {
    const seconds = positiveInt(opts.seconds, 'seconds', 2);
    const { on: r, offWall: off } = checkedAgainstUnchecked((checkers) => timed(seconds, checkers), 5);
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
