// Merge sort's abstract state for guided fuzzing: the phase, idle/running tasks of the phase,
// re-executions (bucketed), and how many workers are down or paused.

import { published, type SimView } from '../../api/index.ts';
import type { SortCoordinatorState } from './state.ts';

const b = (n: number): string => (n >= 2 ? '2+' : String(n));

export function mergesortAbstractState(view: SimView): string {
  let down = 0;
  let paused = 0;
  let s: SortCoordinatorState | undefined;
  for (const id of view.nodeIds) {
    if (view.role(id) === 'coordinator') s = published<SortCoordinatorState>(view, id);
    else if (!view.isUp(id)) down++;
    else if (view.isPaused(id)) paused++;
  }
  if (s === undefined) return `? x${b(down)} z${b(paused)}`;
  const tasks = s.phase === 'sort' ? s.chunks : s.ranges;
  const idle = tasks.filter((t) => t.state === 'idle').length;
  const running = tasks.filter((t) => t.state === 'running').length;
  const retried = tasks.filter((t) => t.attempts > 1).length;
  return `${s.phase} i${b(idle)} r${b(running)} a${b(retried)} re${b(s.reexecuted)} x${b(down)} z${b(paused)}`;
}
