// The loader worker builds each model's lane index and transfers it with the columns (ui/src/load/worker.ts); the
// page adopts it (adoptLaneIndex) instead of building it on the main thread. The density drawn from an index that
// crossed a structured clone must equal the density of the index built from the page's columns, and an index of
// another model is refused.
import { describe, expect, it } from 'vitest';
import { adoptLaneIndex, buildColumns, density, densityScan, laneIndex } from '../../sim/trace/columns.ts';
import { parseTrace } from '../../sim/trace/parse.ts';
import { lockTrace, raftTrace, ringTrace, twopcTrace } from './synthetic.ts';

const traces = [
  ['raft', raftTrace],
  ['lock', lockTrace],
  ['twopc', twopcTrace],
  ['ring', ringTrace],
] as const;
const all = (): boolean => true;

describe('a lane index built elsewhere and adopted', () => {
  it.each(traces)('%s: the same density in every window as the columns scanned', (_name, make) => {
    const text = make();
    // The worker's model and index, cloned as postMessage does; the page's model is a clone of the columns.
    const worker = buildColumns(parseTrace(text));
    const page = structuredClone(worker);
    const ix = structuredClone(laneIndex(worker));
    adoptLaneIndex(page, ix);
    expect(laneIndex(page)).toBe(ix);
    const span = page.endT - page.startT;
    for (const [a, b, cols] of [
      [0, 1, 457],
      [0.25, 0.5, 97],
      [0.9, 1, 13],
    ] as const) {
      const t0 = page.startT + a * span;
      const t1 = page.startT + b * span;
      const got = density(page, t0, t1, cols, all, all);
      const want = densityScan(buildColumns(parseTrace(text)), t0, t1, cols, all, all);
      expect(Array.from(got.counts)).toEqual(Array.from(want.counts));
      expect(Array.from(got.drops)).toEqual(Array.from(want.drops));
      expect(Array.from(got.pairs)).toEqual(Array.from(want.pairs));
      expect(got.max).toBe(want.max);
    }
  });

  it('refuses the index of a model with other lanes', () => {
    const raft = buildColumns(parseTrace(raftTrace()));
    const lock = buildColumns(parseTrace(lockTrace()));
    if (raft.nodes.length === lock.nodes.length) throw new Error('the synthetic traces must differ in lanes');
    expect(() => adoptLaneIndex(lock, laneIndex(raft))).toThrow(RangeError);
  });
});
