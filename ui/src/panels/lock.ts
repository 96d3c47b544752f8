// Lock service panel: who holds each lock with which fencing token over time
// (from the server's table), each client's lease in true time next to what its
// own clock says, and the resource's accepted and rejected writes. A client
// whose lease (mapped to true time) outlives the server's grant is the
// "process pause / clock skew" hazard of Kleppmann's "How to do distributed
// locking": it shows as the client's bar reaching past the holder bar.

import { TABLEAU10 } from '../palette.ts';
import { localTime, stateAt, trueTimeOfLocal } from '../../../sim/trace/model.ts';
import type { ColumnarModel as TraceModel } from '../../../sim/trace/columns.ts';
import { el, replace } from '../dom.ts';
import { fmtTime, fmtValue } from '../format.ts';
import type { PanelFactory, ProtocolView } from './panel.ts';
import { isLockClient, isLockServer, isResource, type LockClientState, type ResourceState } from './shapes.ts';
import { timeline, type Row, type Segment } from './timeline.ts';

function withShape(model: TraceModel, guard: (s: never) => boolean): string[] {
  return model.nodes.filter((n) => (model.states.get(n) ?? []).some((s) => guard(s.state as never)));
}

/** Holder segments per lock, from the server's snapshots; a grant ends at its expiry (server clock, mapped to true time) or the next change. */
function holderRows(model: TraceModel, server: string, color: (id: string) => string): Row[] {
  const byLock = new Map<string, Segment[]>();
  const open = new Map<string, { holder: string; token: number; from: number; expiresAt: number }>();
  const closeAt = (name: string, t: number): void => {
    const o = open.get(name);
    if (!o) return;
    const expiry = o.expiresAt > 0 ? trueTimeOfLocal(model, server, o.expiresAt, o.from) : t;
    const to = Math.min(t, Math.max(o.from, expiry));
    let list = byLock.get(name);
    if (!list) byLock.set(name, (list = []));
    list.push({ from: o.from, to, label: `${o.holder} #${o.token}`, color: color(o.holder), title: `${o.holder} holds ${name} with token ${o.token} from ${fmtTime(o.from)} to ${fmtTime(to)} (server expiry ${fmtTime(expiry)})` });
    open.delete(name);
  };
  for (const snap of model.states.get(server) ?? []) {
    if (!isLockServer(snap.state)) continue;
    for (const [name, l] of Object.entries(snap.state.locks)) {
      const o = open.get(name);
      if (o && (o.holder !== l.holder || o.token !== l.token || o.expiresAt !== l.expiresAt)) closeAt(name, snap.t);
      if (!byLock.has(name)) byLock.set(name, []);
      if (l.holder !== null && !open.has(name)) open.set(name, { holder: l.holder, token: l.token, from: snap.t, expiresAt: l.expiresAt });
    }
  }
  for (const name of [...open.keys()]) closeAt(name, model.endT);
  return [...byLock].map(([name, segments]) => ({ label: `${server}: ${name}`, segments }));
}

/** A client's lease as it believes it: from when it starts holding to its deadline (its own clock), mapped to true time. */
function leaseRow(model: TraceModel, client: string, color: string): Row {
  const segments: Segment[] = [];
  let cur: { from: number; token: number | null; deadline: number } | undefined;
  const end = (t: number): void => {
    if (!cur) return;
    const trueDeadline = trueTimeOfLocal(model, client, cur.deadline, cur.from);
    segments.push({ from: cur.from, to: Math.min(t, trueDeadline), label: `#${fmtValue(cur.token)}`, color, dashed: true, title: `${client} trusts token ${fmtValue(cur.token)} until ${fmtTime(cur.deadline)} on its clock = ${fmtTime(trueDeadline)} true time` });
    cur = undefined;
  };
  for (const snap of model.states.get(client) ?? []) {
    const s = snap.state;
    if (!isLockClient(s)) continue;
    if (cur && (!s.holding || s.token !== cur.token || s.deadline !== cur.deadline)) end(snap.t);
    if (s.holding && !cur && s.deadline !== null) cur = { from: snap.t, token: s.token, deadline: s.deadline };
  }
  end(model.endT);
  return { label: `${client} lease`, segments };
}

function resourceRow(model: TraceModel, node: string): Row {
  const marks: NonNullable<Row['marks']> = [];
  let prev: ResourceState = { highestToken: 0, accepted: 0, rejected: 0 };
  for (const snap of model.states.get(node) ?? []) {
    const s = snap.state;
    if (!isResource(s)) continue;
    if (s.accepted > prev.accepted) marks.push({ t: snap.t, color: '#2e8b57', title: `write accepted at ${fmtTime(snap.t)} (highest token ${s.highestToken})` });
    if (s.rejected > prev.rejected) marks.push({ t: snap.t, color: '#d0342c', title: `write rejected at ${fmtTime(snap.t)} (highest token ${s.highestToken})` });
    prev = s;
  }
  return { label: `${node} writes`, segments: [], marks };
}

/** Time left on a lease, or how long ago it ran out: a client that still holds an expired lease is the hazard this panel is for. */
function leaseLeft(ownLeft: number, trueLeft: number): HTMLElement | string {
  if (ownLeft >= 0) return `${fmtTime(ownLeft)} / ${fmtTime(trueLeft)}`;
  return el('span', { class: 'bad', title: 'the client still believes it holds the lock' }, `expired ${fmtTime(-ownLeft)} ago (own clock), ${fmtTime(-trueLeft)} ago (true)`);
}

export const lockPanel: PanelFactory = (store, model) => {
  const servers = withShape(model, isLockServer);
  const clients = withShape(model, isLockClient);
  const resources = withShape(model, isResource);
  if (servers.length + clients.length + resources.length === 0) return undefined;
  const color = (id: string): string => TABLEAU10[Math.max(0, model.nodes.indexOf(id)) % 10] as string;
  const rows: Row[] = [...servers.flatMap((s) => holderRows(model, s, color)), ...clients.map((c) => leaseRow(model, c, color(c))), ...resources.map((r) => resourceRow(model, r))];
  const body = el('div');
  const root = el('section', { class: 'panel', testid: 'panel-lock' }, el('h3', null, 'Lock service'), body);
  return {
    root,
    update() {
      const ev = store.cursorEvent();
      if (!ev) return;
      const now = ev.t;
      const lockRows = servers.flatMap((srv) => {
        const s = stateAt(model, srv, store.cursor)?.state;
        if (!isLockServer(s)) return [];
        return Object.entries(s.locks).map(([name, l]) =>
          el('tr', { testid: `lock-row-${name}` }, el('td', null, `${srv}: ${name}`), el('td', { testid: `lock-holder-${name}` }, fmtValue(l.holder)), el('td', null, l.token), el('td', null, l.expiresAt ? fmtTime(l.expiresAt) : '—'), el('td', null, l.waiters.join(', ') || '—')),
        );
      });
      const clientRows = clients.map((c) => {
        const s = stateAt(model, c, store.cursor)?.state as LockClientState | undefined;
        const local = localTime(model, c, now);
        const holding = s?.holding ?? false;
        const dl = s?.deadline ?? null;
        const trueDl = dl !== null ? trueTimeOfLocal(model, c, dl, now) : undefined;
        return el(
          'tr',
          { testid: `lock-client-${c}` },
          el('td', null, c),
          el('td', null, holding ? el('span', { class: 'role role-leader' }, 'holding') : 'no'),
          el('td', null, fmtValue(s?.token ?? null)),
          el('td', { title: "deadline on the client's own clock" }, dl !== null ? fmtTime(dl) : '—'),
          el('td', { title: 'the same deadline in true time' }, trueDl !== undefined ? fmtTime(trueDl) : '—'),
          el('td', { title: 'lease left: on its clock / in true time', testid: `lock-left-${c}` }, dl !== null && holding ? leaseLeft(dl - local, (trueDl ?? now) - now) : '—'),
          el('td', null, s?.recipe ?? '—'),
        );
      });
      const resRows = resources.map((r) => {
        const s = stateAt(model, r, store.cursor)?.state;
        return el('tr', { testid: `lock-resource-${r}` }, el('td', null, r), el('td', null, isResource(s) ? s.highestToken : '—'), el('td', { class: 'ok' }, isResource(s) ? s.accepted : '—'), el('td', { class: 'bad' }, isResource(s) ? s.rejected : '—'));
      });
      const th = (...hs: string[]): HTMLElement => el('thead', null, el('tr', null, ...hs.map((h) => el('th', null, h))));
      replace(
        body,
        lockRows.length ? el('table', { class: 'grid' }, th('lock', 'holder', 'token', 'expires (server clock)', 'waiters'), el('tbody', null, ...lockRows)) : null,
        clientRows.length ? el('table', { class: 'grid' }, th('client', 'holding', 'token', 'deadline (own clock)', 'deadline (true time)', 'left: own / true', 'recipe'), el('tbody', null, ...clientRows)) : null,
        resRows.length ? el('table', { class: 'grid' }, th('resource', 'highest token', 'accepted', 'rejected'), el('tbody', null, ...resRows)) : null,
        el('div', { class: 'muted small' }, 'over time: holder bars from the server; dashed = a client lease as its own clock runs, in true time; dots = resource writes (green accepted, red rejected)'),
        timeline(rows, model.startT, model.endT, now),
      );
    },
  };
};

/** The lock protocol's entry in the panel registry. */
export const lockView: ProtocolView = { panels: [lockPanel] };
