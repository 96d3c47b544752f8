// Redlock panel (Redis's distributed lock over N independent masters, and the
// single-instance Redis lock): at the cursor, per master whether it serves
// requests and each key it holds with the value (the client's random value:
// whose lock it is) and the TTL left on the master's own clock; per client its
// phase, the masters that granted the current attempt (a majority is needed),
// the validity left on its own clock (deadline - now: Redlock's "validity
// time") and its fencing token; and the fenced resource's writes. A client
// still "holding" with no validity left is the hazard the panel is for.
// Reads only what sim/protocols/redlock/state.ts publishes, every field checked.

import type { JsonValue } from '../../../sim/engine/types.ts';
import type { MasterState, RedlockClientState, RedlockResourceState } from '../../../sim/protocols/redlock/state.ts';
import { localTime } from '../../../sim/trace/model.ts';
import { el, replace } from '../dom.ts';
import { fmtTime } from '../format.ts';
import { grid, isNum, isObj, isStr, nodesWith, show, stateIf, strs } from './kit.ts';
import type { PanelFactory, ProtocolView } from './panel.ts';

const isMaster = (s: JsonValue): s is JsonValue & MasterState => isObj(s) && isObj(s.keys) && typeof s.available === 'boolean';
const isClient = (s: JsonValue): s is JsonValue & RedlockClientState => isObj(s) && isStr(s.phase) && Array.isArray(s.masters) && 'deadline' in s;
const isResource = (s: JsonValue): s is JsonValue & RedlockResourceState => isObj(s) && isNum(s.highestToken) && isNum(s.accepted) && isNum(s.rejected);

/** Time left until `deadline` (a local time), or how long ago it passed, as text. */
function left(deadline: number, now: number): HTMLElement | string {
  return deadline >= now ? fmtTime(deadline - now) : el('span', { class: 'bad' }, `expired ${fmtTime(now - deadline)} ago`);
}

export const redlockPanel: PanelFactory = (store, model) => {
  const masters = nodesWith(model, isMaster);
  const clients = nodesWith(model, isClient);
  const resources = nodesWith(model, isResource);
  if (masters.length === 0 && clients.length === 0) return undefined;
  const body = el('div');
  const root = el('section', { class: 'panel', testid: 'panel-redlock' }, el('h3', null, 'Redlock'), body);
  return {
    root,
    update() {
      const ev = store.cursorEvent();
      if (!ev) return;
      const seq = store.cursor;
      const quorum = Math.floor(masters.length / 2) + 1;
      const masterRows = masters.flatMap((m) => {
        const s = stateIf(model, m, seq, isMaster);
        if (!s) return [];
        const now = localTime(model, m, ev.t);
        const keys = Object.entries(s.keys).filter(([, k]) => isObj(k));
        const status = s.available ? 'up' : el('span', { class: 'bad' }, 'restarting');
        if (keys.length === 0) return [{ testid: `redlock-master-${m}`, cells: [m, status, '—', '—', '—'] }];
        return keys.map(([key, k]) => ({
          testid: `redlock-key-${m}-${key}`,
          cells: [m, status, key, show(k.value), isNum(k.expiresAt) ? left(k.expiresAt, now) : 'no expiry'],
        }));
      });
      const clientRows = clients.flatMap((c) => {
        const s = stateIf(model, c, seq, isClient);
        if (!s) return [];
        const now = localTime(model, c, ev.t);
        const granted = strs(s.masters);
        return [
          {
            testid: `redlock-client-${c}`,
            cells: [
              c,
              s.phase === 'holding' ? el('span', { class: 'role role-leader' }, 'holding') : s.phase,
              show(s.value),
              el('span', { class: masters.length > 0 && granted.length < quorum && s.phase === 'holding' ? 'bad' : '', title: `a majority is ${quorum} of ${masters.length}` }, `${granted.length}/${masters.length}${granted.length ? ` (${granted.join(', ')})` : ''}`),
              isNum(s.deadline) && s.phase === 'holding' ? left(s.deadline, now) : '—',
              show(s.token),
              show(s.acquired),
            ],
          },
        ];
      });
      const resRows = resources.flatMap((r) => {
        const s = stateIf(model, r, seq, isResource);
        return s ? [{ testid: `redlock-resource-${r}`, cells: [r, s.highestToken, el('span', { class: 'ok' }, String(s.accepted)), el('span', { class: 'bad' }, String(s.rejected))] }] : [];
      });
      replace(
        body,
        masterRows.length ? grid(['master', 'status', 'key', 'value (whose lock)', 'TTL left (master clock)'], masterRows, 'redlock-masters') : null,
        clientRows.length ? grid(['client', 'phase', 'value', 'masters granted', 'validity left (own clock)', 'token', 'acquired'], clientRows, 'redlock-clients') : null,
        resRows.length ? grid(['resource', 'highest token', 'accepted', 'rejected'], resRows) : null,
      );
    },
  };
};

/** The redlock protocol's entry in the panel registry. */
export const redlockView: ProtocolView = { panels: [redlockPanel] };
