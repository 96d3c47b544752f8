// The benchmark of a lock recipe (Redlock, the ZooKeeper-style lock): lock acquisitions per wall
// second with every checker on, against the identical run with checkers off in the same process,
// so the ratio is what checking costs. Tracing is off in both. A client publishes `acquired`
// (how many times it has held the lock); the figure is their sum at the end of the run.

import type { ScenarioInput } from '../scenario/schema.ts';
import { checkedAgainstUnchecked, positiveInt, type BenchCase } from './case.ts';
import { timedRun } from './timed-run.ts';

/** `scenario(seconds, checkers)`: the run of `seconds` virtual seconds, with `checkers: []` when checkers is false. */
export function lockAcquisitionsBench(name: string, description: string, scenario: (seconds: number, checkers: boolean) => ScenarioInput): BenchCase {
  const timed = (seconds: number, checkers: boolean): { wall: number; acquisitions: number; events: number; violations: string[] } => {
    const { wall, sim, result, run } = timedRun(scenario(seconds, checkers));
    let acquisitions = 0;
    for (const n of run.nodes) if (n.role === 'client') acquisitions += (sim.published(n.id) as { acquired?: number } | undefined)?.acquired ?? 0;
    return { wall, acquisitions, events: result.stats.events, violations: result.violations.map((v) => v.invariant) };
  };
  return {
    name,
    description,
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
}
