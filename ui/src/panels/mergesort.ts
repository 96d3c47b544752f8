// Merge sort panel (a distributed sample sort: sort chunks into runs, pick
// splitters, merge each key range): at the cursor, the coordinator's phase,
// the splitters and the key range each one bounds, every chunk's sort task and
// every range's merge task (state, worker, attempts), the merged output's
// progress (ranges merged of all, and the output's length once done); then
// each worker's runs (lost with it on a crash) and task. Reads only what
// sim/protocols/mergesort/state.ts publishes, every field checked.

import type { JsonValue } from '../../../sim/engine/types.ts';
import type { SortCoordinatorState, SortTaskView, SortWorkerState } from '../../../sim/protocols/mergesort/state.ts';
import { el, replace } from '../dom.ts';
import { grid, isNum, isObj, isStr, nodesWith, nums, show, stateCell, stateIf } from './kit.ts';
import type { PanelFactory, ProtocolView } from './panel.ts';

const isCoordinator = (s: JsonValue): s is JsonValue & SortCoordinatorState => isObj(s) && isStr(s.phase) && Array.isArray(s.chunks) && Array.isArray(s.ranges);
const isWorker = (s: JsonValue): s is JsonValue & SortWorkerState => isObj(s) && Array.isArray(s.runs) && 'task' in s;

/** The key range of merge task `i` given the splitters: [splitters[i-1], splitters[i]). */
export function rangeLabel(splitters: number[], i: number, ranges: number): string {
  if (splitters.length !== ranges - 1) return `range ${i}`;
  const lo = i === 0 ? '−∞' : String(splitters[i - 1]);
  const hi = i === ranges - 1 ? '∞' : String(splitters[i]);
  return `[${lo}, ${hi})`;
}

export const mergesortPanel: PanelFactory = (store, model) => {
  const coordinators = nodesWith(model, isCoordinator);
  const workers = nodesWith(model, isWorker);
  if (coordinators.length === 0) return undefined;
  const body = el('div');
  const root = el('section', { class: 'panel', testid: 'panel-mergesort' }, el('h3', null, 'Merge sort'), body);
  return {
    root,
    update() {
      const seq = store.cursor;
      const parts = coordinators.map((c) => {
        const s = stateIf(model, c, seq, isCoordinator);
        if (!s) return null;
        const splitters = nums(s.splitters);
        const task = (t: SortTaskView): [HTMLElement, string, string] => (isObj(t) ? [stateCell(isStr(t.state) ? t.state : '?'), show(t.worker), show(t.attempts)] : [stateCell('?'), '—', '—']);
        const merged = s.ranges.filter((t) => isObj(t) && t.state === 'done').length;
        const sorted = s.chunks.filter((t) => isObj(t) && t.state === 'done').length;
        const output = Array.isArray(s.output) ? s.output.length : undefined;
        return el(
          'div',
          { testid: `ms-coordinator-${c}` },
          el('div', { testid: 'ms-progress' }, `${c}: phase ${s.phase}; chunks sorted ${sorted}/${s.chunks.length}; ranges merged ${merged}/${s.ranges.length}${output !== undefined ? `; output ${output} keys` : ''}; re-sorted ${show(s.reexecuted)}`),
          el('div', { testid: 'ms-splitters' }, `splitters: ${splitters.length ? splitters.join(', ') : '— (not chosen yet)'}`),
          grid(['merge task', 'keys', 'state', 'worker', 'attempts'], s.ranges.map((t, i) => ({ testid: `ms-range-${i}`, cells: [`range ${i}`, rangeLabel(splitters, i, s.ranges.length), ...task(t)] })), 'ms-ranges'),
          grid(['sort task', 'state', 'worker', 'attempts'], s.chunks.map((t, i) => ({ testid: `ms-chunk-${i}`, cells: [`chunk ${i}`, ...task(t)] })), 'ms-chunks'),
          el('div', { class: 'muted small' }, isNum(s.doneAt) ? `done at ${s.doneAt}µs (coordinator clock)` : ''),
        );
      });
      const workerRows = workers.flatMap((w) => {
        const s = stateIf(model, w, seq, isWorker);
        return s ? [{ testid: `ms-worker-${w}`, cells: [w, nums(s.runs).join(', ') || '—', show(s.task)] }] : [];
      });
      replace(body, ...parts, workerRows.length ? grid(['worker', 'runs held', 'task'], workerRows) : null);
    },
  };
};

/** The mergesort protocol's entry in the panel registry. */
export const mergesortView: ProtocolView = { panels: [mergesortPanel] };
