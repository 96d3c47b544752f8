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
