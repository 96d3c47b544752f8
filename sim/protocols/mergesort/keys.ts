// Distributed merge sort, the pure parts: the input, splitters, range slices of a sorted run, and the
// k-way merge (Knuth, TAOCP vol. 3, section 5.4.1, multiway merging). No engine.

import { atOrFail, type Rng } from '../../api/index.ts';

/** `chunks` chunks of `size` integer keys in [0, range): small ranges make many equal keys. */
export function generateChunks(rng: Rng, chunks: number, size: number, range: number): number[][] {
  return Array.from({ length: chunks }, () => Array.from({ length: size }, () => rng.int(0, range)));
}

/** R - 1 splitters: the R-quantiles of every key (sample sort's split points; here from the whole input, which the coordinator holds). */
export function splitters(chunks: readonly (readonly number[])[], ranges: number): number[] {
  const all = chunks.flat().sort((a, b) => a - b);
  if (all.length === 0) return [];
  return Array.from({ length: ranges - 1 }, (_, i) => atOrFail(all, Math.floor(((i + 1) * all.length) / ranges), 'sorted keys'));
}

/** Range r of R: [lo, hi) with lo = splitters[r-1] (none for r = 0) and hi = splitters[r] (none for the last). */
export function rangeOf(split: readonly number[], r: number): { lo: number | null; hi: number | null } {
  return { lo: r === 0 ? null : atOrFail(split, r - 1, 'splitters'), hi: r === split.length ? null : atOrFail(split, r, 'splitters') };
}

/** The keys of a sorted run in [lo, hi) (`inclusiveHi`: the planted off-by-one, [lo, hi]). */
export function slice(run: readonly number[], lo: number | null, hi: number | null, inclusiveHi = false): number[] {
  return run.filter((k) => (lo === null || k >= lo) && (hi === null || (inclusiveHi ? k <= hi : k < hi)));
}

/**
 * k-way merge of sorted runs: repeatedly take the smallest head. Every key of every run is emitted,
 * equal keys included. `dropEqualHeads` is the planted bug: when several runs' heads are equal, emit
 * the key once and advance all of them.
 */
export function kWayMerge(runs: readonly (readonly number[])[], dropEqualHeads = false): number[] {
  const pos = runs.map(() => 0);
  const out: number[] = [];
  for (;;) {
    let best = -1;
    let k = 0; // the head of runs[best]
    for (let i = 0; i < runs.length; i++) {
      const r = atOrFail(runs, i, 'merge runs');
      const p = atOrFail(pos, i, 'merge positions');
      if (p < r.length) {
        const head = atOrFail(r, p, 'merge run');
        if (best < 0 || head < k) {
          best = i;
          k = head;
        }
      }
    }
    if (best < 0) return out;
    out.push(k);
    pos[best] = atOrFail(pos, best, 'merge positions') + 1;
    if (dropEqualHeads) {
      for (let i = 0; i < runs.length; i++) {
        const r = atOrFail(runs, i, 'merge runs');
        const p = atOrFail(pos, i, 'merge positions');
        if (i !== best && p < r.length && r[p] === k) pos[i] = p + 1;
      }
    }
  }
}
