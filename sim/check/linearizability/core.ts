// The smallest failing core of a non-linearizable history: a set of definite
// operations that cannot be linearized even when every other operation is
// optional (took effect within its own interval, or never: `optional`). Relaxing only ever allows more linearizations, so a core that
// fails proves that the whole history fails, and names the few operations a
// person has to look at. (Dropping operations instead would not be sound:
// without the write of 1, a read of 1 fails on its own.)
//
// Minimisation is delta debugging (Zeller's ddmin, complement steps only) over
// the definite operations, each test a bounded search; the result is
// 1-minimal when the budget lasts: relaxing any one more operation makes it
// linearizable. When a test runs out of its budget the core is reported as
// not minimal (`minimal: false`), never silently.

import type { Operation } from './models.ts';
import { getOrFail } from '../../engine/assert.ts';

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

/** Relax a definite operation to optional within its interval: it took effect before its return, or never. */
export function optional(op: Operation): Operation {
  return op.outcome === 'unknown' ? op : { ...op, maybe: true };
}

export interface Core {
  /** The definite operations of the core, in call order. */
  ops: Operation[];
  /** False when some test ran out of budget: relaxing one more operation might still fail. */
  minimal: boolean;
}

/**
 * `ops` is a non-linearizable partition, `stuck` the operation its search could
 * not place, `fails` checks a variant, `droppable` says which operations relaxed to an
 * unknown outcome constrain nothing (the model ignores them, e.g. reads): those are
 * dropped instead, which makes each test's search cheaper. Returns the definite
 * operations that must stay definite.
 *
 * Two cheap cuts come first: the history is truncated where the stuck operation
 * returned (operations called later are dropped, those still open there become optional:
 * linearizability is prefix-closed, so a failing prefix proves the whole history
 * fails), then delta debugging works on what is left.
 */
export function findCore(ops: readonly Operation[], stuck: Operation, fails: FailsTest, droppable: (op: Operation) => boolean = () => false): Core {
  const readOnly = droppable;
  let universe: readonly Operation[] = ops;
  let minimal = true;
  if (stuck.ret !== Infinity) {
    const cut = stuck.ret;
    // Operations still open at the cut become optional (they took effect before the cut or
    // not at all, as far as this prefix can tell); optional reads constrain nothing.
    const prefix = ops.filter((op) => op.call <= cut).flatMap((op) => (op.ret > cut && op.outcome !== 'unknown' ? (readOnly(op) ? [] : [optional(op)]) : [op]));
    if (prefix.length < ops.length) {
      const v = fails(prefix);
      if (v === 'exhausted') return { ops: ops.filter((op) => op.outcome !== 'unknown'), minimal: false };
      if (v === true) universe = prefix;
      else if (v === 'unknown') minimal = false;
    }
  }
  const definite = universe.filter((op) => op.outcome !== 'unknown');
  let keep = definite.map((op) => op.id);
  const build = (kept: readonly number[]): Operation[] => {
    const set = new Set(kept);
    const out: Operation[] = [];
    for (const op of universe) {
      if (op.outcome === 'unknown' || set.has(op.id)) out.push(op);
      else if (!readOnly(op)) out.push(optional(op));
    }
    return out;
  };
  /**
   * ddmin over the members of `keep` that `movable` selects (the others stay): returns
   * the reduced keep list, or undefined when the whole budget ran out.
   */
  const ddmin = (movable: (id: number) => boolean): boolean => {
    const fixed = keep.filter((id) => !movable(id));
    let cand = keep.filter(movable);
    let chunks = 2;
    if (cand.length === 1 && fixed.length > 0) {
      // A single movable operation: try without it.
      const verdict = fails(build(fixed));
      if (verdict === 'exhausted') return false;
      if (verdict === 'unknown') minimal = false;
      if (verdict === true) cand = [];
    }
    while (cand.length >= 2) {
      const size = Math.ceil(cand.length / chunks);
      let reduced = false;
      for (let start = 0; start < cand.length; start += size) {
        // Try relaxing (or dropping) one chunk: keep the complement.
        const complement = cand.slice(0, start).concat(cand.slice(start + size));
        const verdict = fails(build(fixed.concat(complement)));
        if (verdict === 'exhausted') {
          keep = fixed.concat(cand);
          return false;
        }
        if (verdict === 'unknown') minimal = false;
        if (verdict === true) {
          cand = complement;
          chunks = Math.max(chunks - 1, 2);
          reduced = true;
          break;
        }
      }
      if (!reduced) {
        if (size === 1) break; // 1-minimal, as far as the tests could tell
        chunks = Math.min(chunks * 2, cand.length);
      }
    }
    keep = fixed.concat(cand);
    return true;
  };
  const byId = new Map(definite.map((op) => [op.id, op]));
  // Reads first: dropping them only makes each test's search easier. Then the writes
  // (relaxed, which makes searches harder, so on a much smaller history), then both
  // together for 1-minimality.
  const op = (id: number): Operation => getOrFail(byId, id, 'operation by id');
  const done = ddmin((id) => readOnly(op(id))) && ddmin((id) => !readOnly(op(id))) && ddmin(() => true);
  if (!done) minimal = false;
  keep.sort((x, y) => op(x).call - op(y).call);
  const kept = new Set(keep);
  return { ops: definite.filter((op) => kept.has(op.id)), minimal };
}
