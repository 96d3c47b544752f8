// Counter checkers. They read the client history and what replicas publish, never live nodes.
//
// Both are judged once the cluster has been calm for `settle` µs of true time at the end of the run:
// every pair of replicas running and connected both ways, no loss burst, and no client operation
// invoked or returned. A run that ends before that (faults until the end) is not judged: a counter
// that is still gossiping owes nothing yet. Maelstrom's g-counter and pn-counter workloads check the
// same way: final reads after the nemesis stops and a recovery period.

import { atOrFail, formatDuration, published, type Checker, type HistoryEvent, type SimView } from '../../api/index.ts';
import type { CounterReplicaState } from './state.ts';

/** When the last of: replicas connected pairwise (and running), no loss burst, last client operation event. Undefined if not calm now. */
export function calmSince(view: SimView, replicas: readonly string[]): number | undefined {
  let since = 0;
  if (view.faults.lossBurst > 0) return undefined;
  since = Math.max(since, view.faults.lossBurstSince);
  for (let i = 0; i < replicas.length; i++) {
    const a = atOrFail(replicas, i, 'replicas');
    const up = view.faults.runningSince(a);
    if (!view.faults.running(a) || up === undefined) return undefined;
    since = Math.max(since, up);
    for (let j = i + 1; j < replicas.length; j++) {
      const b = atOrFail(replicas, j, 'replicas');
      const s = view.faults.connectedSince(a, b);
      if (s === undefined || !view.faults.connected(a, b)) return undefined;
      since = Math.max(since, s);
    }
  }
  const h = view.history;
  const last = h[h.length - 1];
  if (last !== undefined) since = Math.max(since, last.t);
  return since;
}

function settled(view: SimView, replicas: readonly string[], settle: number): boolean {
  const since = calmSince(view, replicas);
  return since !== undefined && view.now - since >= settle;
}

/** The adds of the history: the sum of those acknowledged, and the deltas of those of unknown outcome (info, or no return). */
export function addOutcomes(history: readonly HistoryEvent[]): { ok: number; unknown: number[]; okCount: number } {
  const calls = new Map<number, number>();
  const outcome = new Map<number, string>();
  for (const e of history) {
    if (e.type === 'invoke' && e.f === 'add') calls.set(e.op, Number(e.value));
    else if (e.type === 'return' && calls.has(e.op)) outcome.set(e.op, e.outcome);
  }
  let ok = 0;
  let okCount = 0;
  const unknown: number[] = [];
  for (const [op, d] of calls) {
    const o = outcome.get(op);
    if (o === 'ok') {
      ok += d;
      okCount++;
    } else if (o !== 'fail') unknown.push(d);
  }
  return { ok, unknown, okCount };
}

/** Every sum of a subset of `deltas` (0 included), or undefined if there are more than `limit` distinct sums. */
export function subsetSums(deltas: readonly number[], limit = 200_000): Set<number> | undefined {
  let sums = new Set<number>([0]);
  for (const d of deltas) {
    const next = new Set(sums);
    for (const s of sums) next.add(s + d);
    if (next.size > limit) return undefined;
    sums = next;
  }
  return sums;
}

/**
 * counter-value: after the calm period, every replica's value equals the sum of the acknowledged adds
 * plus the deltas of some subset of the adds of unknown outcome (Maelstrom's pn-counter check). Catches
 * lost updates (the naive counter under a partition), double counting (sum merge, deltas without dedup)
 * and lost decrements (a G-counter with negative deltas).
 */
export function counterValueChecker(replicas: readonly string[], settle: number): Checker {
  let reached = false;
  return {
    name: 'counter-value',
    description: 'after faults stop and gossip settles, each replica reads the sum of the acknowledged adds plus some of the unknown ones',
    when: 'final',
    judged: () => reached,
    check(view) {
      if (!settled(view, replicas, settle)) return undefined;
      reached = true;
      const { ok, unknown, okCount } = addOutcomes(view.history);
      const sums = subsetSums(unknown);
      if (sums === undefined) {
        view.warn('counter-value', `${unknown.length} adds of unknown outcome: too many possible totals to check`);
        return undefined;
      }
      for (const r of replicas) {
        const s = published<CounterReplicaState>(view, r);
        if (s === undefined) continue;
        if (!sums.has(s.value - ok)) {
          const lo = ok + unknown.filter((d) => d < 0).reduce((a, b) => a + b, 0);
          const hi = ok + unknown.filter((d) => d > 0).reduce((a, b) => a + b, 0);
          return `${r} reads ${s.value}, but the ${okCount} acknowledged adds sum to ${ok} and no subset of the ${unknown.length} unknown ones makes up the difference (possible totals within ${lo}..${hi})`;
        }
      }
      return undefined;
    },
  };
}

/** convergence: after the calm period, every replica publishes the same value (strong eventual consistency). */
export function convergenceChecker(replicas: readonly string[], settle: number): Checker {
  let reached = false;
  return {
    name: 'convergence',
    description: 'after faults stop and gossip settles, all replicas read the same value',
    when: 'final',
    judged: () => reached,
    check(view) {
      if (!settled(view, replicas, settle)) return undefined;
      reached = true;
      const values = replicas.map((r) => [r, published<CounterReplicaState>(view, r)?.value] as const);
      const first = values[0]?.[1];
      const other = values.find(([, v]) => v !== first);
      return other === undefined ? undefined : `replicas disagree after ${formatDuration(settle)} of calm: ${values.map(([r, v]) => `${r}=${String(v)}`).join(', ')}`;
    },
  };
}
