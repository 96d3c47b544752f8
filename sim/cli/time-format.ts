// The one time formatter of the command line's human output: virtual times and durations
// (integer µs) and wall-clock times (seconds) are written the same way, "250us", "12.5ms",
// "1.5s" (the forms a scenario file accepts, see sim/engine/time.ts). `--json` output keeps
// numbers: virtual times in µs, wall times in the field's unit (wall_s: seconds, ms: ms).

import { formatDuration, MS, SECOND } from '../engine/time.ts';

export { formatDuration };

/** A virtual time exact to the µs ("1.000001s" as "1000.001ms"): shrunk faults are often 1 µs apart. */
export function formatDurationExact(us: number): string {
  if (Math.abs(us) < SECOND || us % MS === 0) return formatDuration(us);
  return `${us / MS}ms`;
}

/** Wall-clock seconds (e.g. from performance.now() differences / 1000) in the same form: 2.935 -> "2.935s", 0.00042 -> "420us". */
export function formatWall(seconds: number): string {
  return formatDuration(Math.round(seconds * SECOND));
}
