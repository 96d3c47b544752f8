// Saga panel (Garcia-Molina and Salem's sagas, orchestrated): at the cursor,
// each saga as a row of its steps' states, left to right: done (committed),
// running (the step in progress), compensating / compensated (undone, in
// reverse), pending; and the saga's status. Below it each service's business
// level (orders, stock, balances, shipments) and its idempotency records, the
// conserved quantities a saga must restore. Step columns are named after the
// services when the trace's services publish their names (in lane order);
// reads only what sim/protocols/saga/state.ts publishes, every field checked.

import type { JsonValue } from '../../../sim/engine/types.ts';
import type { OrchestratorState, ServiceState } from '../../../sim/protocols/saga/state.ts';
import { el, replace } from '../dom.ts';
import { grid, isNum, isObj, isStr, nodesWith, nums, show, stateCell, stateIf } from './kit.ts';
import type { PanelFactory, ProtocolView } from './panel.ts';

const isOrchestrator = (s: JsonValue): s is JsonValue & OrchestratorState => isObj(s) && isObj(s.sagas);
const isService = (s: JsonValue): s is JsonValue & ServiceState => isObj(s) && isStr(s.service) && isNum(s.level);

/** The state of step `i` of a saga: what the row shows. */
export function stepState(v: { status?: unknown; step?: unknown; done?: unknown; undone?: unknown }, i: number): string {
  if (nums(v.undone).includes(i)) return 'compensated';
  if (v.step === i && v.status === 'compensating') return 'compensating';
  if (nums(v.done).includes(i)) return 'done';
  if (v.step === i && v.status === 'running') return 'running';
  return 'pending';
}

export const sagaPanel: PanelFactory = (store, model) => {
  const orchestrators = nodesWith(model, isOrchestrator);
  const services = nodesWith(model, isService);
  if (orchestrators.length === 0) return undefined;
  // The number of steps: every step index any saga ever reached, at least one per service.
  let steps = services.length;
  for (const o of orchestrators)
    for (const snap of model.states.get(o) ?? [])
      if (isOrchestrator(snap.state))
        for (const v of Object.values(snap.state.sagas)) if (isObj(v)) steps = Math.max(steps, ...nums(v.done).map((x) => x + 1), ...nums(v.undone).map((x) => x + 1), isNum(v.step) ? v.step + 1 : 0);
  const body = el('div');
  const root = el('section', { class: 'panel', testid: 'panel-saga' }, el('h3', null, 'Sagas'), body);
  return {
    root,
    update() {
      const seq = store.cursor;
      const names: string[] = [];
      for (const svc of services) names.push(stateIf(model, svc, seq, isService)?.service ?? svc);
      const stepName = (i: number): string => (names.length === steps ? `${i} ${names[i]}` : `step ${i}`);
      const sagaTables = orchestrators.map((o) => {
        const s = stateIf(model, o, seq, isOrchestrator);
        if (!s) return null;
        const rows = Object.entries(s.sagas)
          .filter(([, v]) => isObj(v))
          .map(([id, v]) => ({
            testid: `saga-row-${id}`,
            cells: [id, stateCell(isStr(v.status) ? v.status : '?', `saga-status-${id}`), ...Array.from({ length: steps }, (_, i) => stateCell(stepState(v, i), `saga-step-${id}-${i}`)), nums(v.undone).length ? `undone ${nums(v.undone).join(' → ')}` : ''],
          }));
        return rows.length ? grid(['saga', 'status', ...Array.from({ length: steps }, (_, i) => stepName(i)), 'compensations'], rows, `saga-table-${o}`) : el('div', { class: 'muted small' }, `${o}: no saga yet`);
      });
      const svcRows = services.flatMap((n) => {
        const s = stateIf(model, n, seq, isService);
        return s ? [{ testid: `saga-service-${n}`, cells: [s.service, s.level, show(s.merchant), show(s.records)] }] : [];
      });
      replace(body, ...sagaTables, svcRows.length ? grid(['service', 'level', 'merchant', 'records'], svcRows) : null);
    },
  };
};

/** The saga protocol's entry in the panel registry. */
export const sagaView: ProtocolView = { panels: [sagaPanel] };
