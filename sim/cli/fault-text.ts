// Faults in human output, one way for every command that prints them (the fuzz summary, the
// failure message of fuzzTest): `crash n1 @2s`, `partition {n1,n2} | {n3} @1s`, `block n1 -/-> n2`,
// `slow n2 -> n3 x30`, `clock n1 offset -5ms drift 0.001`. Node groups read as sets, never as
// raw JSON; times and durations as a scenario writes them (time-format.ts), exact to the µs.
// The trace keeps its own fault text (sim/engine/targets.ts describeFault): it is hashed.

import { formatDurationExact } from './time-format.ts';

/** A list of node ids as a set, `{n1,n2}`; a list of such lists as the sides of a cut, `{n1,n2} | {n3}`. */
export function nodeGroupsText(v: readonly unknown[]): string {
  if (v.every((g) => Array.isArray(g))) return (v as unknown[][]).map(nodeGroupsText).join(' | ');
  return `{${v.map(String).join(',')}}`;
}

function argText(v: unknown): string {
  if (typeof v === 'string' || typeof v === 'number') return String(v);
  if (Array.isArray(v)) return nodeGroupsText(v);
  return JSON.stringify(v);
}

/** One fault as `kind args @time`, a triggered one as `kind args on <event>[ #n][ of <node>][ +delay][ after <id>]`. */
export function describeFault(f: Record<string, unknown>): string {
  const { at, kind, on, after, delay, id, ...rest } = f;
  // A slow link reads as the trace says it (describeFault in sim/engine/targets.ts): `slow n1 -> n2 x30`; a block as `block n1 -/-> n2`.
  if (kind === 'slow') rest.factor = `x${String(rest.factor)}`;
  if (kind === 'slow' && rest.to !== undefined) rest.to = `-> ${String(rest.to)}`;
  if (kind === 'block' && rest.to !== undefined) rest.to = `-/-> ${String(rest.to)}`;
  // A clock change names its fields: an offset is a duration, a drift a rate.
  if (kind === 'clock' && typeof rest.offset === 'number') rest.offset = `offset ${formatDurationExact(rest.offset)}`;
  if (kind === 'clock' && typeof rest.drift === 'number') rest.drift = `drift ${rest.drift}`;
  const args = Object.values(rest).map(argText);
  const head = `${id !== undefined ? `${String(id)}: ` : ''}${String(kind)}${args.length ? ` ${args.join(' ')}` : ''}`;
  const when: string[] = [];
  if (on !== undefined && on !== null && typeof on === 'object') {
    const t = on as { event?: unknown; nth?: unknown; node?: unknown };
    when.push(`on ${String(t.event)}${typeof t.nth === 'number' && t.nth > 1 ? ` #${t.nth}` : ''}${t.node !== undefined ? ` of ${argText(t.node)}` : ''}`);
  }
  if (typeof after === 'string') when.push(`after ${after}`);
  // Fault times to the µs: a shrunk crash and restart are often 1µs apart.
  if (typeof delay === 'number' && delay > 0) when.push(`+${formatDurationExact(delay)}`);
  // A triggered fault's `at` is when it is armed (0: from the start).
  if (typeof at === 'number' && (when.length === 0 || at > 0)) when.push(when.length === 0 ? `@${formatDurationExact(at)}` : `armed @${formatDurationExact(at)}`);
  return `${head} ${when.join(' ')}`;
}
