// Merge sort (issue 18): keys sorted per wall second with the checkers (sorted, permutation,
// sort-completes) on, against the identical run with checkers off in the same process; and the
// simulated time the sort takes, fault-free and with a worker crashing mid-way.

import { Simulation } from '../engine/simulation.ts';
import { parseScenario, prepareRun } from '../scenario/resolve.ts';
import { positiveInt, type BenchCase } from './case.ts';

function run(o: { checkers: boolean; crash: boolean; size: number }): { wall: number; doneAt: number; violations: string[] } {
  const s = parseScenario({
    name: 'mergesort-bench',
    description: '16 chunks on 8 workers, 4 ranges',
    protocol: 'mergesort',
    config: { workers: 8, chunks: 16, size: o.size, keyRange: 1_000_000, ranges: 4 },
    duration: '4s',
    ...(o.crash ? { faults: { timeline: [{ at: 150_000, kind: 'crash', node: 'w2' }, { at: 1_000_000, kind: 'restart', node: 'w2' }] } } : {}),
    ...(o.checkers ? {} : { checkers: [] }),
  });
  const p = prepareRun(s);
  const t0 = performance.now();
  const sim = new Simulation({ seed: p.seed, nodes: p.nodes, config: p.engine, faults: p.timeline, checkers: p.checkers, hash: false });
  const result = sim.run(p.scenario.duration);
  const wall = (performance.now() - t0) / 1000;
  const st = sim.published('m') as { doneAt: number | null };
  return { wall, doneAt: st.doneAt ?? -1, violations: result.violations.map((v) => v.invariant) };
}

export const mergesortBench: BenchCase = {
  name: 'mergesort',
  description: 'merge sort: keys per wall second, checkers on vs off (16 chunks, 8 workers); simulated sort time fault-free and with a worker crash',
  run(opts) {
    const size = positiveInt(opts.size, 'size', 5000);
    run({ checkers: true, crash: false, size: 100 }); // warm up
    let on = Infinity;
    let off = Infinity;
    for (let i = 0; i < 3; i++) {
      on = Math.min(on, run({ checkers: true, crash: false, size }).wall);
      off = Math.min(off, run({ checkers: false, crash: false, size }).wall);
    }
    const keys = 16 * size;
    const calm = run({ checkers: true, crash: false, size });
    const crashed = run({ checkers: true, crash: true, size });
    return {
      keys,
      keys_per_s: Math.round(keys / on),
      baseline_keys_per_s: Math.round(keys / off),
      checked_vs_unchecked: +(off / on).toFixed(3),
      sort_done_ms: Math.round(calm.doneAt / 1000),
      sort_done_with_crash_ms: Math.round(crashed.doneAt / 1000),
      violations: [...new Set([...calm.violations, ...crashed.violations])],
    };
  },
};
