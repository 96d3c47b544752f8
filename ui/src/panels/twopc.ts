// Two-phase commit panel: a transaction x participant matrix at the cursor
// (the coordinator's decision state and each vote, each participant's state of
// the transaction), balances, and the in-doubt intervals over the whole run:
// a participant that voted yes and has not heard the outcome is blocked
// (Gray's "in doubt"), which is the failure 2PC is known for.

import { stateAt } from '../../../sim/trace/model.ts';
import type { ColumnarModel as TraceModel } from '../../../sim/trace/columns.ts';
import { el, replace } from '../dom.ts';
import type { PanelFactory, ProtocolView } from './panel.ts';
import { isCoordinator, isParticipant, type CoordinatorState, type ParticipantState } from './shapes.ts';
import { timeline, type Row } from './timeline.ts';

const TX_COLORS: Record<string, string> = {
  working: '#b0b7c3',
  prepared: '#e6a000',
  committed: '#2e8b57',
  aborted: '#d0342c',
  preparing: '#e6a000',
  committing: '#2e8b57',
  aborting: '#d0342c',
  done: '#7f8c8d',
};

function inDoubtRows(model: TraceModel, participants: string[]): Row[] {
  return participants.map((p) => {
    const segments: Row['segments'] = [];
    const open = new Map<string, number>();
    for (const snap of model.states.get(p) ?? []) {
      const s = snap.state;
      if (!isParticipant(s)) continue;
      const now = new Set(s.inDoubt);
      for (const [tx, from] of open) {
        if (!now.has(tx)) {
          segments.push({ from, to: snap.t, label: tx, color: '#e6a000', title: `${p} in doubt about ${tx} for ${snap.t - from}µs` });
          open.delete(tx);
        }
      }
      for (const tx of s.inDoubt) if (!open.has(tx)) open.set(tx, snap.t);
    }
    for (const [tx, from] of open) segments.push({ from, to: model.endT, label: `${tx}…`, color: '#d0342c', title: `${p} still in doubt about ${tx} at the end of the trace` });
    return { label: `${p} in doubt`, segments };
  });
}

export const twopcPanel: PanelFactory = (store, model) => {
  const has = (n: string, g: (s: never) => boolean): boolean => (model.states.get(n) ?? []).some((s) => g(s.state as never));
  const coordinators = model.nodes.filter((n) => has(n, isCoordinator));
  const participants = model.nodes.filter((n) => has(n, isParticipant));
  if (coordinators.length === 0 && participants.length === 0) return undefined;
  const doubtRows = inDoubtRows(model, participants);
  const body = el('div');
  const root = el('section', { class: 'panel', testid: 'panel-twopc' }, el('h3', null, 'Two-phase commit'), body);
  const cell = (text: string, testid?: string): HTMLTableCellElement => el('td', { class: 'txcell', style: { background: TX_COLORS[text] ?? '#fff' }, ...(testid ? { testid } : {}) }, text);
  return {
    root,
    update() {
      const ev = store.cursorEvent();
      if (!ev) return;
      const cs = new Map<string, CoordinatorState>();
      const ps = new Map<string, ParticipantState>();
      for (const c of coordinators) {
        const s = stateAt(model, c, store.cursor)?.state;
        if (isCoordinator(s)) cs.set(c, s);
      }
      for (const p of participants) {
        const s = stateAt(model, p, store.cursor)?.state;
        if (isParticipant(s)) ps.set(p, s);
      }
      const txs: string[] = [];
      const seen = new Set<string>();
      const addTx = (t: string): void => {
        if (!seen.has(t)) {
          seen.add(t);
          txs.push(t);
        }
      };
      for (const s of cs.values()) Object.keys(s.txs).forEach(addTx);
      for (const s of ps.values()) Object.keys(s.txs).forEach(addTx);
      const head = el('tr', null, el('th', null, 'tx'), ...coordinators.map((c) => el('th', null, c)), ...participants.map((p) => el('th', null, p)));
      const rows = txs.map((tx) => {
        const coordCells = coordinators.map((c) => {
          const t = cs.get(c)?.txs[tx];
          if (!t) return el('td', null, '');
          const votes = Object.entries(t.votes).map(([p, v]) => `${p}:${v ?? '?'}`).join(' ');
          const td = cell(t.state, `tx-${tx}-${c}`);
          td.title = `votes ${votes}`;
          return td;
        });
        const partCells = participants.map((p) => {
          const s = ps.get(p);
          const t = s?.txs[tx];
          if (!t) return el('td', null, '');
          const td = cell(s?.inDoubt.includes(tx) ? `${t} (in doubt)` : t, `tx-${tx}-${p}`);
          td.style.background = TX_COLORS[t] ?? '#fff';
          return td;
        });
        return el('tr', null, el('td', { class: 'mono' }, tx), ...coordCells, ...partCells);
      });
      const balances = participants.map((p) => ps.get(p)?.balance ?? 0);
      const total = balances.reduce((a, b) => a + b, 0);
      replace(
        body,
        el('table', { class: 'grid tx-matrix', testid: 'tx-matrix' }, el('thead', null, head), el('tbody', null, ...rows)),
        participants.length ? el('div', { class: 'small', testid: 'twopc-balance' }, `balances: ${participants.map((p, i) => `${p} ${balances[i]}`).join(', ')}; total ${total}`) : null,
        el('div', { class: 'muted small' }, 'in-doubt intervals (voted yes, outcome unknown):'),
        timeline(doubtRows, model.startT, model.endT, ev.t),
      );
    },
  };
};

/** The twopc protocol's entry in the panel registry. */
export const twopcView: ProtocolView = { panels: [twopcPanel] };
