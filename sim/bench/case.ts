// A benchmark case: `faultline bench <name>` and `npm run bench` run these.
// Report figures next to a baseline measured in the same process (e.g. a
// reference library, or the engine with checkers off), as ratios: wall time
// on a shared 2-core machine is noisy, ratios much less so.

export type BenchOptions = Record<string, string | boolean | undefined>;

export interface BenchCase {
  name: string;
  description: string;
  run(opts: BenchOptions): Promise<Record<string, unknown>> | Record<string, unknown>;
  /** Too long for `faultline bench all` (run it by name). */
  notInAll?: boolean;
}

export function positiveInt(v: unknown, name: string, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(String(v).replace(/_/g, ''));
  if (!Number.isInteger(n) || n <= 0) throw new RangeError(`--${name}: expected a positive integer (got ${JSON.stringify(v)})`);
  return n;
}

/**
 * Checking cost, measured in one process: after one warm-up, `rounds` alternating runs with checkers
 * on and off; returns the fastest checked run (its figures) and the fastest unchecked wall time (s).
 */
export function checkedAgainstUnchecked<T extends { wall: number }>(once: (checkers: boolean) => T, rounds = 3): { on: T; offWall: number } {
  once(true); // warm up
  let on: T | undefined;
  let offWall = Infinity;
  for (let i = 0; i < rounds; i++) {
    const a = once(true);
    if (on === undefined || a.wall < on.wall) on = a;
    offWall = Math.min(offWall, once(false).wall);
  }
  if (on === undefined) throw new RangeError('checkedAgainstUnchecked: rounds must be at least 1');
  return { on, offWall };
}
