// MapReduce (issue 18): (1) the effect of backup tasks (Dean & Ghemawat 2004, section 3.6) on job
// completion time under a straggler, in SIMULATED time (deterministic: no wall clock involved): the
// same job and seed with backup tasks on and off, with worker w1 10x slower; (2) tasks per wall
// second with the checkers on, against the identical run with checkers off in the same process.

import { Simulation } from '../engine/simulation.ts';
import { parseScenario, prepareRun } from '../scenario/resolve.ts';
import { positiveInt, type BenchCase } from './case.ts';

function scenario(o: { backupTasks: boolean; slow: number; checkers: boolean; maps: number; seed: number }) {
  return parseScenario({
    name: 'mapreduce-bench',
    description: 'word count, 8 workers',
    protocol: 'mapreduce',
    seed: o.seed,
    config: { workers: 8, maps: o.maps, reduces: 8, backupTasks: o.backupTasks, slow: o.slow > 1 ? { w1: o.slow } : {} },
    duration: '5s',
    network: { latency: { kind: 'uniform', min: '1ms', max: '10ms' } },
    ...(o.checkers ? {} : { checkers: [] }),
  });
}

/** Run until the coordinator declares the job done: the true time then (µs), the wall time, attempts run. */
function job(o: Parameters<typeof scenario>[0]): { doneAt: number; wall: number; attempts: number; violations: string[] } {
  const run = prepareRun(scenario(o));
  const t0 = performance.now();
  const sim = new Simulation({ seed: run.seed, nodes: run.nodes, config: run.engine, faults: run.timeline, checkers: run.checkers, hash: false });
  const result = sim.run(run.scenario.duration);
  const wall = (performance.now() - t0) / 1000;
  // The coordinator's clock has no offset or drift here, so its doneAt is true time.
  const s = sim.published('m') as { doneAt: number | null; maps: { attempts: number }[]; reduces: { attempts: number }[] };
  const doneAt = s.doneAt ?? -1;
  const attempts = [...s.maps, ...s.reduces].reduce((a, t) => a + t.attempts, 0);
  return { doneAt, wall, attempts, violations: result.violations.map((v) => v.invariant) };
}

export const mapreduceBench: BenchCase = {
  name: 'mapreduce',
  description: 'MapReduce: job completion time (simulated) with and without backup tasks under a 10x straggler; tasks per wall second, checkers on vs off',
  run(opts) {
    const maps = positiveInt(opts.maps, 'maps', 64);
    const seeds = [1, 2, 3, 4, 5];
    const ms = (us: number): number => Math.round(us / 1000);
    const completion: Record<string, unknown> = {};
    for (const [label, slow, backupTasks] of [['no straggler, backups', 1, true], ['straggler, no backups', 10, false], ['straggler, backups', 10, true]] as const) {
      const runs = seeds.map((seed) => job({ backupTasks, slow, checkers: true, maps, seed }));
      completion[label] = { done_ms: runs.map((r) => ms(r.doneAt)), attempts: runs.map((r) => r.attempts), violations: [...new Set(runs.flatMap((r) => r.violations))] };
    }
    const mean = (label: string): number => {
      const d = (completion[label] as { done_ms: number[] }).done_ms;
      return d.reduce((a, b) => a + b, 0) / d.length;
    };
    job({ backupTasks: true, slow: 10, checkers: true, maps, seed: 9 }); // warm up
    let on = Infinity;
    let off = Infinity;
    let attempts = 0;
    for (let i = 0; i < 3; i++) {
      const a = job({ backupTasks: true, slow: 10, checkers: true, maps, seed: 1 });
      on = Math.min(on, a.wall);
      attempts = a.attempts;
      off = Math.min(off, job({ backupTasks: true, slow: 10, checkers: false, maps, seed: 1 }).wall);
    }
    return {
      job: `${maps} maps, 8 reduces, 8 workers, tasks 150 ms, w1 10x slower when a straggler; seeds ${seeds.join(',')}`,
      completion,
      straggler_slowdown_without_backups: +(mean('straggler, no backups') / mean('no straggler, backups')).toFixed(2),
      straggler_slowdown_with_backups: +(mean('straggler, backups') / mean('no straggler, backups')).toFixed(2),
      task_attempts_per_s: Math.round(attempts / on),
      baseline_task_attempts_per_s: Math.round(attempts / off),
      checked_vs_unchecked: +(off / on).toFixed(3),
    };
  },
};
