// Raft panel: role and term of each server at the cursor, and each server's
// log as a grid (one column per index, coloured by term) with the commit index
// marked, so divergent logs and a commit index ahead of replication show up
// at a glance (Raft paper, Figure 7 draws logs the same way).

import { termPalette } from '../palette.ts';
import { stateAt, statusAt } from '../../../sim/trace/model.ts';
import { el, replace } from '../dom.ts';
import { fmtValue } from '../format.ts';
import type { LaneBand, PanelFactory, ProtocolView } from './panel.ts';
import { isRaft, type RaftState } from './shapes.ts';

const MAX_COLS = 64;

export function termColor(term: number): string {
  const p = termPalette();
  return p[term % p.length] as string;
}

export const raftPanel: PanelFactory = (store, model) => {
  const servers = model.nodes.filter((n) => (model.states.get(n) ?? []).some((s) => isRaft(s.state)));
  if (servers.length === 0) return undefined;
  const body = el('div');
  const root = el('section', { class: 'panel', testid: 'panel-raft' }, el('h3', null, 'Raft'), body);
  return {
    root,
    update() {
      const states = new Map<string, RaftState>();
      for (const n of servers) {
        const s = stateAt(model, n, store.cursor)?.state;
        if (isRaft(s)) states.set(n, s);
      }
      const table = el(
        'table',
        { class: 'grid' },
        el('thead', null, el('tr', null, ...['node', 'role', 'term', 'voted for', 'leader', 'commit', 'applied'].map((h) => el('th', null, h)))),
        el(
          'tbody',
          null,
          ...servers.map((n) => {
            const s = states.get(n);
            const down = statusAt(model, n, store.cursor) === 'down';
            return el(
              'tr',
              { testid: `raft-row-${n}`, class: down ? 'down' : '' },
              el('td', { class: 'mono' }, n),
              el('td', null, s ? el('span', { class: `role role-${s.role}`, testid: `raft-role-${n}` }, down ? `${s.role} (crashed)` : s.role) : '—'),
              el('td', { testid: `raft-term-${n}` }, s ? s.term : '—'),
              el('td', null, fmtValue(s?.votedFor)),
              el('td', null, fmtValue(s?.leader)),
              el('td', { testid: `raft-commit-${n}` }, s ? s.commitIndex : '—'),
              el('td', null, s ? s.lastApplied : '—'),
            );
          }),
        ),
      );
      // Log grid over the union of index ranges, capped to the last MAX_COLS indexes.
      let hi = 0;
      let lo = Infinity;
      for (const s of states.values()) {
        hi = Math.max(hi, s.logStart + s.log.length - 1);
        lo = Math.min(lo, s.logStart);
      }
      const grid = el('table', { class: 'raft-log', testid: 'raft-log' });
      if (hi >= 1 && lo !== Infinity) {
        lo = Math.max(lo, hi - MAX_COLS + 1);
        const head = el('tr', null, el('th', null, 'index'));
        for (let i = lo; i <= hi; i++) head.appendChild(el('th', null, i));
        grid.appendChild(head);
        // Per index: do the servers that have it agree? Different terms is ordinary divergence (to be repaired);
        // the same term with different commands breaks the Log Matching Property (Figure 3).
        const verdict = new Map<number, 'agree' | 'diverge' | 'mismatch'>();
        for (let i = lo; i <= hi; i++) {
          const seen = new Map<number, string>();
          let v: 'agree' | 'diverge' | 'mismatch' = 'agree';
          for (const s of states.values()) {
            const e = s.log[i - s.logStart];
            if (!e) continue;
            const cmd = seen.get(e.term);
            if (cmd !== undefined && cmd !== e.cmd) v = 'mismatch';
            else if (seen.size > 0 && cmd === undefined && v === 'agree') v = 'diverge';
            seen.set(e.term, e.cmd);
          }
          verdict.set(i, v);
        }
        for (const n of servers) {
          const s = states.get(n);
          const tr = el('tr', null, el('td', { class: 'mono' }, n));
          for (let i = lo; i <= hi; i++) {
            const e = s ? s.log[i - s.logStart] : undefined;
            if (!s || !e) {
              tr.appendChild(el('td', { class: i <= (s?.snapshotIndex ?? 0) ? 'cell snap' : 'cell empty', title: i <= (s?.snapshotIndex ?? 0) ? 'in the snapshot' : '' }));
              continue;
            }
            const committed = i <= s.commitIndex;
            const v = verdict.get(i) ?? 'agree';
            const note = v === 'mismatch' ? ' — MISMATCH: another server has a different command at this index and term' : v === 'diverge' ? ' — servers disagree on the term here' : '';
            tr.appendChild(
              el('td', { class: `cell ${committed ? 'committed' : 'uncommitted'}${v === 'agree' ? '' : ` ${v}`}`, title: `index ${i}, term ${e.term}${committed ? ', committed' : ''}: ${e.cmd}${note}`, style: { background: termColor(e.term) }, attrs: { 'data-index': String(i) } }, e.term),
            );
          }
          grid.appendChild(tr);
        }
      }
      replace(body, table, el('div', { class: 'muted small' }, 'log: cell = term (hover for the command); solid = committed, faded = not yet committed; amber ring = servers disagree on the term, red = same index and term but different commands'), el('div', { class: 'scroll-x', testid: 'raft-log-scroll' }, grid));
    },
  };
};

const ROLE_COLORS = { leader: 'rgba(47, 111, 179, 0.55)', candidate: 'rgba(230, 160, 0, 0.7)' };

/** Bands already computed, per model: the page asks once for the legend and once for the diagram. */
const bandsCache = new WeakMap<object, LaneBand[]>();

/**
 * Raft roles along each server's lane (as RaftScope shows them): a band while leader (with its
 * term), a thinner one while candidate. Successive states of a server in the same role and term
 * make one band (a leader publishes a state at each append or commit: tens of thousands in a
 * long run), which ends at the next state in another role or term, or at the server's next
 * crash. O(states + crashes) per trace, computed once per model.
 */
export function raftBands(model: Parameters<PanelFactory>[1]): LaneBand[] {
  const cached = bandsCache.get(model);
  if (cached) return cached;
  const out: LaneBand[] = [];
  // Crash times per node, in time order (intervals are recorded in event order).
  const crashes = new Map<string, number[]>();
  for (const iv of model.intervals) {
    if (iv.kind !== 'down') continue;
    let list = crashes.get(iv.node);
    if (!list) crashes.set(iv.node, (list = []));
    list.push(iv.fromT);
  }
  for (const [node, snaps] of model.states) {
    if (!snaps.some((s) => isRaft(s.state))) continue;
    const downs = crashes.get(node) ?? [];
    let d = 0;
    for (let i = 0; i < snaps.length; ) {
      const s = snaps[i]!.state;
      if (!isRaft(s) || s.role === 'follower') {
        i++;
        continue;
      }
      const fromT = snaps[i]!.t;
      while (d < downs.length && downs[d]! < fromT) d++;
      const crash = downs[d] ?? Infinity;
      // The same role and term, published again before a crash: the same band.
      let j = i + 1;
      for (; j < snaps.length; j++) {
        const n = snaps[j]!;
        if (n.t >= crash || !isRaft(n.state) || n.state.role !== s.role || n.state.term !== s.term) break;
      }
      // The role lasts until the node publishes another role or term, or crashes.
      const toT = Math.min(snaps[j]?.t ?? model.endT, crash);
      const leader = s.role === 'leader';
      out.push({ node, fromT, toT, color: leader ? ROLE_COLORS.leader : ROLE_COLORS.candidate, height: leader ? 7 : 4, ...(leader ? { label: `term ${s.term}` } : {}) });
      i = j;
    }
  }
  bandsCache.set(model, out);
  return out;
}

/** Raft's entry in the panel registry. */
export const raftView: ProtocolView = { panels: [raftPanel], laneBands: raftBands, legend: [{ label: 'Raft leader / candidate', color: ROLE_COLORS.leader }] };
