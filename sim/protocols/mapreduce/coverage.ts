// MapReduce's abstract state for coverage-guided fuzzing: the phase, how many tasks of the phase are
// idle / running / running with a backup, whether a completed map was lost (re-executions so far,
// bucketed), and how many workers are down or paused. Symmetric in worker names.

import { published, type SimView } from '../../api/index.ts';
import type { CoordinatorState } from './state.ts';

const b = (n: number): string => (n >= 2 ? '2+' : String(n));

export function mapreduceAbstractState(view: SimView): string {
  let down = 0;
  let paused = 0;
  let s: CoordinatorState | undefined;
  for (const id of view.nodeIds) {
    if (view.role(id) === 'coordinator') s = published<CoordinatorState>(view, id);
    else if (!view.isUp(id)) down++;
    else if (view.isPaused(id)) paused++;
  }
  if (s === undefined) return `? x${b(down)} z${b(paused)}`;
  const tasks = s.phase === 'map' ? s.maps : s.reduces;
  const idle = tasks.filter((t) => t.state === 'idle').length;
  const running = tasks.filter((t) => t.state === 'running').length;
  const backup = tasks.filter((t) => t.state === 'running' && t.workers.length > 1).length;
  return `${s.phase} i${b(idle)} r${b(running)} b${b(backup)} re${b(s.reexecuted)} x${b(down)} z${b(paused)}`;
}
