// Human forms of virtual time and values for the page.

import type { JsonValue } from '../../sim/engine/types.ts';

/** µs -> "1.234 567 s" style with a unit that fits the magnitude. */
export function fmtTime(us: number): string {
  const a = Math.abs(us);
  if (a >= 1_000_000) return `${(us / 1_000_000).toFixed(6).replace(/0{1,3}$/, '')}s`;
  if (a >= 1000) return `${(us / 1000).toFixed(3).replace(/\.?0+$/, '')}ms`;
  return `${us}µs`;
}

/** Short axis label. */
export function fmtTick(us: number): string {
  const a = Math.abs(us);
  if (a >= 1_000_000) return `${+(us / 1_000_000).toFixed(3)}s`;
  if (a >= 1000) return `${+(us / 1000).toFixed(3)}ms`;
  return `${us}µs`;
}

export function fmtJson(v: JsonValue | undefined): string {
  return v === undefined ? '—' : JSON.stringify(v, null, 2);
}

export function fmtValue(v: unknown): string {
  if (v === null || v === undefined) return '—';
  return typeof v === 'string' ? v : JSON.stringify(v);
}
