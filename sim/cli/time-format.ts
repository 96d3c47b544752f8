// The one time formatter of the command line's human output: virtual times and durations
// (integer µs) and wall-clock times (seconds) are written the same way, "250us", "12.5ms",
// "1.5s" (the forms a scenario file accepts, see sim/engine/time.ts). `--json` output keeps
// numbers: virtual times in µs, wall times in the field's unit (wall_s: seconds, ms: ms).

import { formatDuration, SECOND } from '../engine/time.ts';

/** formatDurationExact: a virtual time exact to the µs ("1.000001s" as "1000.001ms"). */
export { formatDuration, formatDurationExact } from '../engine/time.ts';

/** Wall-clock seconds (e.g. from performance.now() differences / 1000) in the same form: 2.935 -> "2.935s", 0.00042 -> "420us". */
export function formatWall(seconds: number): string {
  return formatDuration(Math.round(seconds * SECOND));
}
