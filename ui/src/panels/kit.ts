// Small helpers shared by the protocol panels: shape checks for published
// state read from a trace (input: anything may be missing), the nodes that
// publish a given shape, and a table. Panels check every field they read and
// show '—' for a missing one, so a protocol that adds fields (or a trace from
// an older version) never breaks its panel.

import type { JsonValue } from '../../../sim/engine/types.ts';
import type { ColumnarModel as TraceModel } from '../../../sim/trace/columns.ts';
import { stateAt } from '../../../sim/trace/model.ts';
import { el } from '../dom.ts';

export type Obj = Record<string, unknown>;
export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
export const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
export const isStr = (v: unknown): v is string => typeof v === 'string';
export const strs = (v: unknown): string[] => (Array.isArray(v) ? v.filter(isStr) : []);
export const nums = (v: unknown): number[] => (Array.isArray(v) ? v.filter(isNum) : []);
/** A field shown as text: strings as they are, numbers and others as JSON, missing as '—'. */
export const show = (v: unknown): string => (v === undefined || v === null ? '—' : typeof v === 'string' ? v : JSON.stringify(v));

/** Nodes that published at least one state `guard` accepts, in lane order. */
export function nodesWith(model: TraceModel, guard: (s: JsonValue) => boolean): string[] {
  return model.nodes.filter((n) => (model.states.get(n) ?? []).some((s) => guard(s.state)));
}

/** A node's latest published state at or before event `seq`, if `guard` accepts it. */
export function stateIf<T>(model: TraceModel, node: string, seq: number, guard: (s: JsonValue) => s is JsonValue & T): T | undefined {
  const s = stateAt(model, node, seq)?.state;
  return s !== undefined && guard(s) ? s : undefined;
}

type Cell = Node | string | number | null | undefined | false;

/** A table: a header row, then one row per entry (its testid optional). */
export function grid(headers: string[], rows: { testid?: string; cells: Cell[] }[], testid?: string): HTMLTableElement {
  return el(
    'table',
    { class: 'grid', ...(testid ? { testid } : {}) },
    el('thead', null, el('tr', null, ...headers.map((h) => el('th', null, h)))),
    el('tbody', null, ...rows.map((r) => el('tr', r.testid ? { testid: r.testid } : null, ...r.cells.map((c) => el('td', null, c))))),
  );
}

/** Colours of the task and step states the panels draw. */
export const STATE_COLORS: Record<string, string> = {
  idle: '#eef0f3',
  pending: '#eef0f3',
  running: '#f6d88a',
  compensating: '#f3b38a',
  done: '#9fd3ad',
  completed: '#9fd3ad',
  compensated: '#c9b6e4',
  failed: '#f0a09a',
};

/** A coloured cell naming a state. */
export function stateCell(state: string, testid?: string, title?: string): HTMLElement {
  return el('span', { class: 'txcell', style: { background: STATE_COLORS[state] ?? '#fff' }, ...(testid ? { testid } : {}), ...(title ? { title } : {}) }, state);
}
