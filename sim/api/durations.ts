// Durations in protocol configs and scenarios: integer µs or strings with a unit
// ("10ms", "1.5s"), bounded so sums of a few stay exact integers. Part of the
// public protocol API: a protocol's config schema uses these for its timeouts.

import { z } from 'zod';
import { formatDurationExact, parseDuration } from '../engine/time.ts';

/**
 * The longest duration a scenario may name: 365 days of virtual time, in µs (3.15e13). Far
 * below Number.MAX_SAFE_INTEGER (9e15), so sums of a few durations (a time plus a timeout
 * plus a latency) stay exact integers; a longer run would not finish anyway.
 */
export const MAX_DURATION = 365 * 24 * 3600 * 1_000_000;

const DURATION_EXPECTED = 'expected a duration: a non-negative integer of µs or a string like "10ms" or "1.5s"';

function outOfRange(v: number | string, d: number): string | undefined {
  if (!Number.isSafeInteger(d) || Math.abs(d) > MAX_DURATION) return `duration out of range: ${JSON.stringify(v)} is more than 365 days (525600m)`;
  return undefined;
}

export const duration = z.union([z.number(), z.string()], { error: DURATION_EXPECTED }).transform((v, ctx) => {
  const d = parseDuration(v);
  if (d === undefined || d < 0) {
    ctx.addIssue({ code: 'custom', message: `expected a duration: a non-negative integer of µs, or a string like "10ms" or "1.5s" that is a whole number of µs (got ${JSON.stringify(v)})` });
    return z.NEVER;
  }
  const range = outOfRange(v, d);
  if (range !== undefined) {
    ctx.addIssue({ code: 'custom', message: range });
    return z.NEVER;
  }
  return d;
});

/**
 * A duration that must be positive: the interval of a timer a node re-arms (heartbeat,
 * keep-alive, retry). Zero would fire it again at the same instant forever, so virtual
 * time would never advance.
 */
export const positiveDuration = duration.refine((d) => d > 0, { message: 'expected a positive duration: a timer re-armed with 0 fires forever at the same instant (got 0)' });

/**
 * Params for a cross-field refine/superRefine: run it only when the fields parsed without
 * issues. By default zod 4 runs refinements over values that already failed (a
 * `servers: 1e308` next to its max(9) issue), which a refinement must not have to survive.
 */
export const WHEN_VALID = { when: (payload: { issues: readonly unknown[] }): boolean => payload.issues.length === 0 };

/** A duration that may be negative (clock offsets). */
export const signedDuration = z.union([z.number(), z.string()], { error: 'expected a duration: an integer of µs or a string like "-5ms"' }).transform((v, ctx) => {
  const d = parseDuration(v);
  if (d === undefined) {
    ctx.addIssue({ code: 'custom', message: `expected a duration: an integer of µs or a string like "-5ms" (got ${JSON.stringify(v)})` });
    return z.NEVER;
  }
  const range = outOfRange(v, d);
  if (range !== undefined) {
    ctx.addIssue({ code: 'custom', message: range });
    return z.NEVER;
  }
  return d;
});

/**
 * A duration (integer µs) as a scenario or config writes it, exact to the µs, for messages about
 * a config: 250 -> "250us", 5000 -> "5ms", 1500 -> "1.5ms", 1500000 -> "1.5s", 1234567 ->
 * "1234.567ms". Config errors print durations in the user's units this way, never as raw µs.
 */
export function durationText(us: number): string {
  // The command line's exact formatter (one implementation); a non-integer is no duration here.
  return Number.isInteger(us) ? formatDurationExact(us) : `${us}us`;
}
