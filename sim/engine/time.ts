// Virtual time: integer microseconds. Durations in scenario files may be
// written as numbers (µs) or strings with a unit: "250us", "10ms", "1.5s", "2m".

import type { Micros } from './types.ts';

export const US = 1;
export const MS = 1000;
export const SECOND = 1_000_000;
export const MINUTE = 60 * SECOND;

const UNITS: Record<string, number> = { us: US, µs: US, ms: MS, s: SECOND, m: MINUTE };
const DURATION_RE = /^(-?\d+(?:\.\d+)?)\s*(us|µs|ms|s|m)$/;

/** Parse a duration; returns undefined when the text is not a duration, or not a whole number of µs (`1.5us`). */
export function parseDuration(value: number | string): Micros | undefined {
  if (typeof value === 'number') return Number.isInteger(value) ? value : undefined;
  const m = DURATION_RE.exec(value.trim());
  if (!m) return undefined;
  const unit = UNITS[m[2] as string] as number;
  const us = Number(m[1]) * unit;
  const whole = Math.round(us);
  // Virtual time is whole µs: "1.5us" is not a duration (rejected, never silently rounded); "1.1ms" is 1100 (float noise).
  if (Math.abs(us - whole) > 1e-6 * Math.max(1, Math.abs(us))) return undefined;
  return whole;
}

/** Human form of a duration, for summaries: 1500000 -> "1.5s". */
export function formatDuration(us: Micros): string {
  const a = Math.abs(us);
  if (a >= SECOND) return `${+(us / SECOND).toFixed(3)}s`;
  if (a >= MS) return `${+(us / MS).toFixed(3)}ms`;
  return `${us}us`;
}

/**
 * A duration exact to the µs, in a form a scenario file accepts: 250 -> "250us", 5000 -> "5ms",
 * 1500000 -> "1.5s", 1000001 -> "1000.001ms" (shrunk faults are often 1 µs apart, and a config error
 * must print the value the user wrote).
 */
export function formatDurationExact(us: Micros): string {
  if (Math.abs(us) < SECOND || us % MS === 0) return formatDuration(us);
  return `${us / MS}ms`;
}
