// Node state at the cursor: status (up, crashed, paused), local clock, and the
// last state each node published, as JSON. This is the generic view every
// protocol gets, including ones without a panel of their own.

import type { JsonValue } from '../../../sim/engine/types.ts';
import { localTime, stateAt, statusAt } from '../../../sim/trace/model.ts';
import type { ColumnarModel as TraceModel } from '../../../sim/trace/columns.ts';
import { el, replace } from '../dom.ts';
import { fmtJson, fmtTime } from '../format.ts';
import type { PanelFactory } from './panel.ts';

/** Top-level fields of a node's state that differ from its previous snapshot (none for the first: nothing to compare). */
export function changedKeys(model: TraceModel, node: string, seq: number): string[] {
  const list = model.states.get(node) ?? [];
  const i = list.findIndex((s) => s.seq === seq);
  const cur = list[i]?.state;
  const prev = i > 0 ? list[i - 1]?.state : undefined;
  const isObj = (v: unknown): v is Record<string, JsonValue> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObj(cur)) return [];
  if (!isObj(prev)) return [];
  const keys = [...Object.keys(cur), ...Object.keys(prev).filter((k) => !(k in cur))];
  return keys.filter((k) => JSON.stringify(cur[k]) !== JSON.stringify(prev[k]));
}

export const nodesPanel: PanelFactory = (store, model) => {
  const body = el('div');
  const root = el('section', { class: 'panel', testid: 'panel-nodes' }, el('h3', null, 'Nodes at the cursor'), body);
  const open = new Set<string>();
  return {
    root,
    update() {
      const ev = store.cursorEvent();
      if (!ev) return;
      const rows = model.nodes.map((n) => {
        const status = statusAt(model, n, store.cursor);
        const snap = stateAt(model, n, store.cursor);
        const changed = snap ? changedKeys(model, n, snap.seq) : [];
        const details = el(
          'details',
          { testid: `state-${n}` },
          el('summary', null, snap ? `state from event #${snap.seq} (t=${fmtTime(snap.t)})` : 'no state published yet', changed.length ? el('span', { class: 'changed', testid: `changed-${n}` }, ` changed: ${changed.join(', ')}`) : null),
          el('pre', { class: 'json' }, fmtJson(snap?.state)),
        );
        details.open = open.has(n);
        details.addEventListener('toggle', () => (details.open ? open.add(n) : open.delete(n)));
        return el(
          'tr',
          { testid: `node-row-${n}` },
          el('td', { class: 'mono' }, n),
          el('td', null, model.roles.get(n) ?? '?'),
          el('td', null, el('span', { class: `status st-${status.replace(' ', '-')}`, testid: `status-${n}` }, status)),
          el('td', { class: 'mono', title: 'local clock reading at the cursor' }, fmtTime(localTime(model, n, ev.t))),
          el('td', null, details),
        );
      });
      replace(body, el('table', { class: 'grid' }, el('thead', null, el('tr', null, el('th', null, 'node'), el('th', null, 'role'), el('th', null, 'status'), el('th', null, 'local clock'), el('th', null, 'published state'))), el('tbody', null, ...rows)));
    },
  };
};
