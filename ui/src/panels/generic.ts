// The generic state panel: for a protocol with no panel of its own, each
// node's latest published state at the cursor as a table, one column per
// node and one row per field (nested values as compact JSON, the whole value
// on hover), the fields that changed at each node's latest publish before the
// cursor marked. It
// reads only `state` events, so any protocol that publishes gets it.

import type { JsonValue } from '../../../sim/engine/types.ts';
import { stateAt } from '../../../sim/trace/model.ts';
import { el, replace } from '../dom.ts';
import { changedKeys } from './nodes.ts';
import type { ColumnarModel as TraceModel } from '../../../sim/trace/columns.ts';
import type { Store } from '../store.ts';
import type { Panel } from './panel.ts';

const isObj = (v: unknown): v is Record<string, JsonValue> => typeof v === 'object' && v !== null && !Array.isArray(v);

function cellText(v: JsonValue | undefined): string {
  if (v === undefined) return '';
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > 48 ? `${s.slice(0, 47)}…` : s;
}

export function genericPanel(store: Store, model: TraceModel): Panel {
  const nodes = model.nodes.filter((n) => (model.states.get(n) ?? []).length > 0);
  const body = el('div');
  const root = el('section', { class: 'panel', testid: 'panel-state' }, el('h3', null, `${model.header.protocol}: published state`), body);
  return {
    root,
    update() {
      if (nodes.length === 0) {
        replace(body, el('div', { class: 'muted small' }, 'no node of this trace publishes its state (ctx.publish)'));
        return;
      }
      const snaps = new Map(nodes.map((n) => [n, stateAt(model, n, store.cursor)]));
      // Rows: the fields of every node's state, in first-seen order; a state that is not an object is one row "(value)".
      const fields: string[] = [];
      for (const s of snaps.values()) {
        const st = s?.state;
        if (st === undefined) continue;
        for (const k of isObj(st) ? Object.keys(st) : ['(value)']) if (!fields.includes(k)) fields.push(k);
      }
      // Marked: the fields that changed at each node's latest publish (as the cursor moves, the marks follow).
      const changed = new Map(nodes.map((n) => {
        const s = snaps.get(n);
        return [n, new Set(s ? changedKeys(model, n, s.seq) : [])];
      }));
      const head = el('tr', null, el('th', null, 'field'), ...nodes.map((n) => el('th', { class: 'mono' }, n)));
      const rows = fields.map((f) =>
        el(
          'tr',
          null,
          el('td', { class: 'mono' }, f),
          ...nodes.map((n) => {
            const st = snaps.get(n)?.state;
            const v = f === '(value)' ? (isObj(st) ? undefined : st) : isObj(st) ? st[f] : undefined;
            const full = v === undefined ? '' : JSON.stringify(v);
            return el('td', { class: `mono${changed.get(n)?.has(f) ? ' changed-cell' : ''}`, testid: `gstate-${n}-${f}`, title: full }, cellText(v));
          }),
        ),
      );
      const since = nodes.map((n) => el('td', { class: 'muted small' }, snaps.get(n) ? `#${snaps.get(n)!.seq}` : '—'));
      replace(body, el('table', { class: 'grid' }, el('thead', null, head), el('tbody', null, ...rows, el('tr', null, el('td', { class: 'muted small' }, 'published at'), ...since))));
    },
  };
}
