// MapReduce panel (Dean and Ghemawat, OSDI 2004): at the cursor, the
// coordinator's phase and task table, one row per map and reduce task: its
// state (idle, running, done), the workers of its attempts (two with a backup
// task), the attempts started so far, and for reduces the completions
// accepted (more than one is the duplicate-commit bug); re-executions and
// backups; then each worker's running attempt and the map outputs it holds
// (lost with it on a crash). Reads only what sim/protocols/mapreduce/state.ts
// publishes, every field checked.

import type { JsonValue } from '../../../sim/engine/types.ts';
import type { CoordinatorState, TaskView, WorkerState } from '../../../sim/protocols/mapreduce/state.ts';
import { el, replace } from '../dom.ts';
import { grid, isNum, isObj, isStr, nodesWith, nums, show, stateCell, stateIf, strs } from './kit.ts';
import type { PanelFactory, ProtocolView } from './panel.ts';

const isCoordinator = (s: JsonValue): s is JsonValue & CoordinatorState => isObj(s) && isStr(s.phase) && Array.isArray(s.maps) && Array.isArray(s.reduces);
const isWorker = (s: JsonValue): s is JsonValue & WorkerState => isObj(s) && 'task' in s && Array.isArray(s.outputs);

export const mapreducePanel: PanelFactory = (store, model) => {
  const coordinators = nodesWith(model, isCoordinator);
  const workers = nodesWith(model, isWorker);
  if (coordinators.length === 0) return undefined;
  const body = el('div');
  const root = el('section', { class: 'panel', testid: 'panel-mapreduce' }, el('h3', null, 'MapReduce'), body);
  return {
    root,
    update() {
      const seq = store.cursor;
      const parts = coordinators.map((c) => {
        const s = stateIf(model, c, seq, isCoordinator);
        if (!s) return null;
        const commits = nums(s.commits);
        const row = (kind: 'map' | 'reduce', t: TaskView, i: number): { testid: string; cells: (string | HTMLElement)[] } => {
          const ok = isObj(t);
          const state = ok && isStr(t.state) ? t.state : '?';
          const extra = kind === 'reduce' ? (commits[i] !== undefined ? el('span', { class: commits[i]! > 1 ? 'bad' : '' }, String(commits[i])) : '—') : '';
          return { testid: `mr-${kind}-${i}`, cells: [`${kind} ${i}`, stateCell(state), ok ? strs(t.workers).join(', ') || '—' : '—', ok ? show(t.attempts) : '—', extra] };
        };
        const done = (ts: TaskView[]): number => ts.filter((t) => isObj(t) && t.state === 'done').length;
        return el(
          'div',
          { testid: `mr-coordinator-${c}` },
          el('div', { testid: 'mr-phase' }, `${c}: phase ${s.phase}; maps done ${done(s.maps)}/${s.maps.length}, reduces done ${done(s.reduces)}/${s.reduces.length}; re-executed ${show(s.reexecuted)}, backups ${show(s.backups)}${isNum(s.doneAt) ? `; job done at ${s.doneAt}µs (its clock)` : ''}`),
          grid(['task', 'state', 'worker(s)', 'attempts', 'commits'], [...s.maps.map((t, i) => row('map', t, i)), ...s.reduces.map((t, i) => row('reduce', t, i))], 'mr-tasks'),
        );
      });
      const workerRows = workers.flatMap((w) => {
        const s = stateIf(model, w, seq, isWorker);
        return s ? [{ testid: `mr-worker-${w}`, cells: [w, show(s.task), nums(s.outputs).join(', ') || '—', show(s.finished), show(s.inc)] }] : [];
      });
      replace(body, ...parts, workerRows.length ? grid(['worker', 'running', 'map outputs held', 'finished', 'incarnation'], workerRows) : null);
    },
  };
};

/** The mapreduce protocol's entry in the panel registry. */
export const mapreduceView: ProtocolView = { panels: [mapreducePanel] };
