// The counter's abstract state for coverage-guided fuzzing: how many distinct values the replicas
// read (1, 2, 3+), whether some own deltas are unacknowledged, and which replicas are down or paused.
// Symmetric in node names.

import { published, type SimView } from '../../api/index.ts';
import type { CounterReplicaState } from './state.ts';

export function counterAbstractState(view: SimView): string {
  const values = new Set<number>();
  let unacked = 0;
  let down = 0;
  let paused = 0;
  for (const id of view.nodeIds) {
    if (view.role(id) !== 'server') continue;
    if (!view.isUp(id)) down++;
    else if (view.isPaused(id)) paused++;
    const s = published<CounterReplicaState>(view, id);
    if (s === undefined) continue;
    values.add(s.value);
    if (s.unacked > 0) unacked++;
  }
  const v = values.size >= 3 ? '3+' : String(values.size);
  return `v${v} u${Math.min(unacked, 2)} x${down} z${paused}`;
}
