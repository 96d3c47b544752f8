// Measurements of a placement: per-member load, its spread, and the keys that
// move between two rings. Used by the benchmark, the tests and the cluster's
// trace summaries.

export interface LoadSpread {
  counts: Record<string, number>;
  mean: number;
  /** Population standard deviation of the per-member counts. */
  stddev: number;
  /** stddev / mean. */
  cv: number;
  /** Largest count over the mean: 1 is perfect balance. */
  maxOverMean: number;
}

export function loadSpread(members: readonly string[], owners: Iterable<string>): LoadSpread {
  const counts: Record<string, number> = {};
  for (const m of members) counts[m] = 0;
  let total = 0;
  for (const o of owners) {
    counts[o] = (counts[o] ?? 0) + 1;
    total++;
  }
  const values = members.map((m) => counts[m]!);
  const mean = total / Math.max(1, members.length);
  const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / Math.max(1, values.length);
  const stddev = Math.sqrt(variance);
  const max = values.reduce((a, b) => Math.max(a, b), 0);
  return { counts, mean, stddev, cv: mean > 0 ? stddev / mean : 0, maxOverMean: mean > 0 ? max / mean : 0 };
}

/** Keys whose owner differs between two lookups. */
export function movedKeys(keys: readonly string[], before: (k: string) => string, after: (k: string) => string): string[] {
  return keys.filter((k) => before(k) !== after(k));
}
