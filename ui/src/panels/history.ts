// Client history panel: each operation a bar from its invoke to its return, one
// row per client process, coloured by outcome (ok, fail, info = unknown,
// pending), over the diagram's visible window; the picture a linearizability
// counterexample is read from (Jepsen draws histories the same way).

import type { OperationRec } from '../../../sim/trace/model.ts';
import { el, replace } from '../dom.ts';
import { fmtTime, fmtValue } from '../format.ts';
import type { PanelFactory } from './panel.ts';
import { timeline, type Row } from './timeline.ts';

const OUTCOME_COLORS: Record<string, string> = { ok: '#2e8b57', fail: '#d0342c', info: '#e6a000', pending: '#8a8a8a' };
/** Above this many operations in view the bars would be noise: ask to zoom in. */
const MAX_BARS = 400;

function describeOp(o: OperationRec): string {
  const call = `${o.process} ${o.f}${o.key !== undefined ? ` ${o.key}` : ''}${o.value !== undefined ? ` ${fmtValue(o.value)}` : ''}`;
  const end = o.returnT === undefined ? 'pending at the end (unknown outcome)' : `${o.outcome}${o.result !== undefined ? ` ${fmtValue(o.result)}` : ''} at ${fmtTime(o.returnT)}`;
  return `op ${o.op}: ${call}, invoked at ${fmtTime(o.invokeT)} on ${o.node} → ${end}`;
}

export const historyPanel: PanelFactory = (store, model) => {
  const ops = model.operations;
  if (ops.length === 0) return undefined;
  const processes: string[] = [];
  for (const o of ops) if (!processes.includes(o.process)) processes.push(o.process);
  const body = el('div');
  const root = el('section', { class: 'panel', testid: 'panel-history' }, el('h3', null, 'Client operations'), body);
  const panel = {
    root,
    update() {
      const ev = store.cursorEvent();
      if (!ev || store.model !== model) return; // a panel of a trace no longer shown
      const [t0, t1] = store.window;
      const inView = ops.filter((o) => o.invokeT <= t1 && (o.returnT ?? model.endT) >= t0);
      const open = ops.filter((o) => o.invokeSeq <= store.cursor && (o.returnSeq === undefined || o.returnSeq > store.cursor));
      const done = ops.filter((o) => o.returnSeq !== undefined && o.returnSeq <= store.cursor);
      const count = (k: string): number => done.filter((o) => o.outcome === k).length;
      const summary = el('div', { class: 'small', testid: 'history-summary' }, `at the cursor: ${done.length} returned (ok ${count('ok')}, fail ${count('fail')}, info ${count('info')}), ${open.length} in flight`);
      const current = el('ul', { class: 'small ops', testid: 'history-open' }, ...open.slice(0, 8).map((o) => el('li', null, describeOp(o))));
      if (inView.length > MAX_BARS) {
        replace(body, summary, current, el('div', { class: 'muted small' }, `${inView.length} operations in view: zoom the diagram in to see them as bars`));
        return;
      }
      const rows: Row[] = processes.map((p) => ({
        label: p,
        segments: inView
          .filter((o) => o.process === p)
          .map((o) => {
            const outcome = o.outcome ?? 'pending';
            return { from: o.invokeT, to: o.returnT ?? model.endT, label: `${o.f}${o.key !== undefined ? ` ${o.key}` : ''}`, color: OUTCOME_COLORS[outcome] as string, dashed: outcome === 'pending' || outcome === 'info', title: describeOp(o) };
          }),
      }));
      replace(body, summary, current, el('div', { class: 'muted small' }, 'invoke → return over the diagram window; green ok, red fail, dashed amber unknown (info), dashed grey pending'), timeline(rows, t0, t1, ev.t, 400));
    },
  };
  store.on('window', () => panel.update());
  return panel;
};
