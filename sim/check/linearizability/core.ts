// The smallest failing core of a non-linearizable history: a set of definite
// operations that cannot be linearized even when every other operation is
// relaxed to an unknown outcome (may have taken effect any time after its call,
// or never). Relaxing only ever allows more linearizations, so a core that
// fails proves that the whole history fails, and names the few operations a
// person has to look at. (Dropping operations instead would not be sound:
// without the write of 1, a read of 1 fails on its own.)
//
// Minimisation is delta debugging (Zeller's ddmin, complement steps only) over
// the definite operations, each test a bounded search; the result is
// 1-minimal when the budget lasts: relaxing any one more operation makes it
// linearizable.

import type { Operation } from './models.ts';

/**
 * Verdict of one test: true when the relaxed history is still proven non-linearizable,
 * false when it is linearizable, 'unknown' when its own budget ran out (the chunk is kept),
 * 'exhausted' when the whole budget did (minimisation stops).
 */
export type FailsTest = (ops: readonly Operation[]) => boolean | 'unknown' | 'exhausted';

export function relax(op: Operation): Operation {
  if (op.outcome === 'unknown') return op;
  const { output: _output, ...rest } = op;
  return { ...rest, outcome: 'unknown', ret: Infinity };
}

export interface Core {
  /** The definite operations of the core, in call order. */
  ops: Operation[];
  /** False when some test ran out of budget: relaxing one more operation might still fail. */
  minimal: boolean;
}

/**
 * `ops` is a non-linearizable partition, `stuck` the operation its search could
 * not place, `fails` checks a variant. Returns the definite operations that must
 * stay definite.
 */
export function findCore(ops: readonly Operation[], stuck: Operation, fails: FailsTest): Core {
  const definite = ops.filter((op) => op.outcome !== 'unknown');
  let keep = definite.map((op) => op.id);
  let minimal = true;
  const build = (kept: readonly number[]): Operation[] => {
    const set = new Set(kept);
    return ops.map((op) => (op.outcome === 'unknown' || set.has(op.id) ? op : relax(op)));
  };
  // First guess: what started after the stuck operation returned rarely matters.
  const early = keep.filter((id) => ops.find((o) => o.id === id)!.call < stuck.ret);
  if (early.length < keep.length) {
    const v = fails(build(early));
    if (v === 'exhausted') return { ops: definite, minimal: false };
    if (v === true) keep = early;
    else if (v === 'unknown') minimal = false;
  }
  let chunks = 2;
  while (keep.length >= 2) {
    const size = Math.ceil(keep.length / chunks);
    let reduced = false;
    for (let start = 0; start < keep.length; start += size) {
      // Try relaxing one chunk: keep the complement.
      const complement = keep.slice(0, start).concat(keep.slice(start + size));
      const verdict = fails(build(complement));
      if (verdict === 'exhausted') {
        const kept = new Set(keep);
        return { ops: definite.filter((op) => kept.has(op.id)), minimal: false };
      }
      if (verdict === 'unknown') minimal = false;
      if (verdict === true) {
        keep = complement;
        chunks = Math.max(chunks - 1, 2);
        reduced = true;
        break;
      }
    }
    if (!reduced) {
      if (size === 1) break; // 1-minimal, as far as the tests could tell
      chunks = Math.min(chunks * 2, keep.length);
    }
  }
  const kept = new Set(keep);
  return { ops: definite.filter((op) => kept.has(op.id)), minimal };
}
