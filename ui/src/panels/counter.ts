// Counter panel (a replicated counter: a naive last-writer-wins register, or
// the PN-counter CRDT of Shapiro et al.): at the cursor, each replica's value
// and, for the PN-counter, the P (increments) and N (decrements) vector it
// knows, one column per replica, so a replica that has not heard of another's
// updates shows a smaller entry; the naive design's timestamp; the deltas not
// yet acknowledged. Then the acknowledged sum: the total of the adds the
// clients got an OK for (from the trace's client operations), which every
// replica must converge to, and each client's counts.
// Reads only what sim/protocols/counter/state.ts publishes, every field checked.

import type { JsonValue } from '../../../sim/engine/types.ts';
import type { CounterClientState, CounterReplicaState } from '../../../sim/protocols/counter/state.ts';
import { el, replace } from '../dom.ts';
import { grid, isNum, isObj, isStr, nodesWith, show, stateIf } from './kit.ts';
import type { PanelFactory, ProtocolView } from './panel.ts';

const isReplica = (s: JsonValue): s is JsonValue & CounterReplicaState => isObj(s) && isNum(s.value) && 'entries' in s;
const isClient = (s: JsonValue): s is JsonValue & CounterClientState => isObj(s) && isStr(s.replica) && isNum(s.acked);
const isPair = (v: unknown): v is [number, number] => Array.isArray(v) && v.length === 2 && isNum(v[0]) && isNum(v[1]);

export const counterPanel: PanelFactory = (store, model) => {
  const replicas = nodesWith(model, isReplica);
  const clients = nodesWith(model, isClient);
  if (replicas.length === 0) return undefined;
  const adds = model.operations.filter((o) => isNum(o.value) && /add|inc|dec/i.test(o.f));
  const body = el('div');
  const root = el('section', { class: 'panel', testid: 'panel-counter' }, el('h3', null, 'Counter'), body);
  return {
    root,
    update() {
      const seq = store.cursor;
      const states = replicas.map((r) => [r, stateIf(model, r, seq, isReplica)] as const);
      // Every replica named in any vector, in lane order first.
      const ids = [...replicas];
      for (const [, s] of states) if (s && isObj(s.entries)) for (const k of Object.keys(s.entries)) if (!ids.includes(k)) ids.push(k);
      let acked = 0;
      let ackedOps = 0;
      for (const o of adds)
        if (o.returnSeq !== undefined && o.returnSeq <= seq && o.outcome === 'ok') {
          acked += o.value as number;
          ackedOps++;
        }
      const pn = states.some(([, s]) => s && isObj(s.entries));
      const rows = states.flatMap(([r, s]) => {
        if (!s) return [];
        const e = isObj(s.entries) ? s.entries : undefined;
        const vec = (k: 0 | 1): string[] => ids.map((id) => (e && isPair(e[id]) ? String(e[id][k]) : '0'));
        const cells = [r, el('span', { class: s.value === acked ? '' : 'muted', testid: `counter-value-${r}` }, String(s.value)), show(s.design)];
        if (pn) cells.push(e ? `[${vec(0).join(', ')}]` : '—', e ? `[${vec(1).join(', ')}]` : '—');
        cells.push(show(s.ts), show(s.unacked));
        return [{ testid: `counter-replica-${r}`, cells }];
      });
      const clientRows = clients.flatMap((c) => {
        const s = stateIf(model, c, seq, isClient);
        return s ? [{ testid: `counter-client-${c}`, cells: [c, s.replica, s.acked, show(s.unknown)] }] : [];
      });
      replace(
        body,
        el('div', { testid: 'counter-acked' }, `acknowledged sum: ${acked} (${ackedOps} adds acknowledged by the cursor)`),
        grid(['replica', 'value', 'design', ...(pn ? [`P [${ids.join(', ')}]`, `N [${ids.join(', ')}]`] : []), 'timestamp', 'unacked deltas'], rows, 'counter-replicas'),
        clientRows.length ? grid(['client', 'replica', 'acked', 'unknown'], clientRows) : null,
      );
    },
  };
};

/** The counter protocol's entry in the panel registry. */
export const counterView: ProtocolView = { panels: [counterPanel] };
