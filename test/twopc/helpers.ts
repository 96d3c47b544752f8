// Running two-phase commit scenarios in memory and reading their traces.

import type { JsonValue, TraceEvent } from '../../sim/engine/types.ts';
import { runScenario } from '../../sim/fuzz/fuzz.ts';
import { parseScenario } from '../../sim/scenario/resolve.ts';
import type { ScenarioResult } from '../../sim/scenario/run.ts';
import type { ScenarioInput } from '../../sim/scenario/schema.ts';

export interface Traced {
  result: ScenarioResult;
  events: TraceEvent[];
}

/** Run a scenario document, optionally with a config patch, keeping the trace events. */
export function run(input: ScenarioInput, patch: Record<string, unknown> = {}, extra: Partial<ScenarioInput> = {}): Traced {
  const config = { ...(input.config ?? {}), ...patch } as Record<string, unknown>;
  const r = runScenario(parseScenario({ ...input, ...extra, config }), { trace: true });
  const lines = (r.trace ?? '').trim().split('\n');
  return { result: r, events: lines.slice(1, -1).map((l) => JSON.parse(l) as TraceEvent) };
}

/** Log lines of a node, as [true time in ms, text]. */
export function logs(events: TraceEvent[], node: string): [number, string][] {
  return events.flatMap((e) => (e.type === 'log' && e.node === node ? [[e.t / 1000, e.text] as [number, string]] : []));
}

/** The last state a node published at or before true time t (µs). */
export function stateAt(events: TraceEvent[], node: string, t: number): JsonValue | undefined {
  let s: JsonValue | undefined;
  for (const e of events) {
    if (e.t > t) break;
    if (e.type === 'state' && e.node === node) s = e.state;
  }
  return s;
}

/** In-doubt intervals a participant logged: [tx, entered ms, resolved ms, outcome, via]. A crash does not end one: recovery re-enters the same interval. */
export function inDoubtIntervals(events: TraceEvent[], node: string): { tx: string; from: number; to: number; outcome: string; via: string }[] {
  const open = new Map<string, number>();
  const out: { tx: string; from: number; to: number; outcome: string; via: string }[] = [];
  for (const [t, text] of logs(events, node)) {
    const enter = /^in doubt: (\S+)/.exec(text);
    if (enter && !open.has(enter[1] as string)) open.set(enter[1] as string, t);
    const done = /^resolved (\S+): (\w+) via (.+) after/.exec(text);
    if (done) {
      const tx = done[1] as string;
      out.push({ tx, from: open.get(tx) ?? Number.NaN, to: t, outcome: done[2] as string, via: done[3] as string });
      open.delete(tx);
    }
  }
  return out;
}

/** In-doubt intervals still open at the end of the trace: [tx, entered ms]. */
export function openInDoubt(events: TraceEvent[], node: string): [string, number][] {
  const open = new Map<string, number>();
  for (const [t, text] of logs(events, node)) {
    const enter = /^in doubt: (\S+)/.exec(text);
    if (enter) open.set(enter[1] as string, t);
    const done = /^resolved (\S+):/.exec(text);
    if (done) open.delete(done[1] as string);
  }
  return [...open];
}
