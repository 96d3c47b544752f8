// Redlock throughput (issue 17): lock acquisitions per wall second, 5 masters and
// 4 contending clients under 1% loss, every checker on (mutual-exclusion at the
// resource, lease-bounded over the masters' published keys; token-order has
// nothing to check without fencing). Baseline, in the same process: the identical run with checkers off,
// so the ratio is what checking costs. Tracing is off in both.

import type { RedlockClientState } from '../protocols/redlock/state.ts';
import type { ScenarioInput } from '../scenario/schema.ts';
import { checkedAgainstUnchecked, positiveInt, type BenchCase } from './case.ts';
import { timedRun } from './timed-run.ts';

function scenario(seconds: number, checkers: boolean): ScenarioInput {
  return {
    name: 'redlock-bench',
    description: '5 masters, 4 clients, 1% loss',
    protocol: 'redlock',
    config: { masters: 5, clients: 4, writes: 2, work: '5ms', think: '20ms' },
    duration: seconds * 1_000_000,
    network: { latency: { kind: 'uniform', min: '1ms', max: '5ms' }, loss: 0.01 },
    ...(checkers ? {} : { checkers: [] }),
  };
}

function timed(seconds: number, checkers: boolean): { wall: number; acquisitions: number; events: number; violations: string[] } {
  const { wall, sim, result, run } = timedRun(scenario(seconds, checkers));
  let acquisitions = 0;
  for (const n of run.nodes) if (n.role === 'client') acquisitions += (sim.published(n.id) as unknown as RedlockClientState | undefined)?.acquired ?? 0;
  return { wall, acquisitions, events: result.stats.events, violations: result.violations.map((v) => v.invariant) };
}

export const redlockBench: BenchCase = {
  name: 'redlock',
  description: 'Redlock: acquisitions per wall second, 5 masters, 4 clients, 1% loss, all checkers on; baseline: the same run with checkers off',
  run(opts) {
    const seconds = positiveInt(opts.seconds, 'seconds', 10);
    const { on: r, offWall: off } = checkedAgainstUnchecked((checkers) => timed(seconds, checkers));
    return {
      virtual_s: seconds,
      acquisitions: r.acquisitions,
      violations: r.violations,
      wall_s: +r.wall.toFixed(4),
      acquisitions_per_s: Math.round(r.acquisitions / r.wall),
      baseline_acquisitions_per_s: Math.round(r.acquisitions / off),
      checked_vs_unchecked: +(off / r.wall).toFixed(3),
      events: r.events,
    };
  },
};
