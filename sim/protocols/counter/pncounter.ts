// The PN-counter of Shapiro, Preguiça, Baquero and Zawirski, "A comprehensive study of
// Convergent and Commutative Replicated Data Types" (INRIA RR-7506, 2011), Specification 6
// (G-counter) and 7 (PN-counter): each replica i owns entry i of two vectors, P (increments)
// and N (decrements); it only ever increases its own entries; merge is the entrywise max
// (the least upper bound of the semilattice), and the value is sum(P) - sum(N).
// Pure functions, no engine.

/** replica id -> [P, N]: what this replica knows of every replica's increments and decrements. */
export type Entries = Record<string, [number, number]>;

/** sum(P) - sum(N) (Specification 7, query `value`). */
export function valueOf(e: Entries): number {
  let v = 0;
  for (const [p, n] of Object.values(e)) v += p - n;
  return v;
}

/**
 * Specification 7, update `increment`/`decrement` at replica `self`: P[self] += d for d > 0,
 * N[self] += -d for d < 0. `gCounterOnly` is the planted bug of a G-counter used with negative
 * deltas: P[self] += d whatever the sign (P[self] may go down, which max-merge then undoes).
 */
export function applyLocal(e: Entries, self: string, d: number, gCounterOnly = false): void {
  const cur = e[self] ?? [0, 0];
  e[self] = gCounterOnly || d >= 0 ? [cur[0] + d, cur[1]] : [cur[0], cur[1] - d];
}

/**
 * Specification 7, `merge`: entrywise max, so merging is idempotent, commutative and
 * associative and gossip may be lost, duplicated or reordered. `how: 'sum'` is the planted bug
 * of adding the two states (not idempotent: every gossip round counts the same increments again).
 * The replica's own entry is left alone (only it updates it). Returns whether `mine` changed.
 */
export function merge(mine: Entries, theirs: Entries, self: string, how: 'max' | 'sum' = 'max'): boolean {
  let changed = false;
  for (const [k, [tp, tn]] of Object.entries(theirs).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (k === self) continue;
    const [mp, mn] = mine[k] ?? [0, 0];
    const next: [number, number] = how === 'max' ? [Math.max(mp, tp), Math.max(mn, tn)] : [mp + tp, mn + tn];
    if (next[0] !== mp || next[1] !== mn || mine[k] === undefined) {
      mine[k] = next;
      changed = true;
    }
  }
  return changed;
}
