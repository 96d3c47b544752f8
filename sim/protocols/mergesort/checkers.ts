// Merge sort checkers: they read what the coordinator publishes (the output once done).

import { atOrFail, formatDuration, published, type Checker, type SimView } from '../../api/index.ts';
import type { SortCoordinatorState } from './state.ts';

function doneOutput(view: SimView, coordinator: string): number[] | undefined {
  if (view.actor !== undefined && view.actor !== coordinator) return undefined;
  return published<SortCoordinatorState>(view, coordinator)?.output ?? undefined;
}

/** A checker that judges the coordinator's output once, the first time it is published (the job is done). */
function onceDone(name: string, description: string, coordinator: string, judge: (out: number[]) => string | undefined): Checker {
  let judged = false;
  return {
    name,
    description,
    when: 'always',
    judged: () => judged,
    check(view) {
      if (judged) return undefined;
      const out = doneOutput(view, coordinator);
      if (out === undefined) return undefined;
      judged = true;
      return judge(out);
    },
  };
}

/** sorted: the output, once done, is in non-decreasing order. */
export function sortedChecker(coordinator: string): Checker {
  return onceDone('sorted', 'the output is in non-decreasing order', coordinator, (out) => {
    const i = out.findIndex((k, j) => j > 0 && k < atOrFail(out, j - 1, 'output'));
    return i < 0 ? undefined : `output is not sorted: position ${i - 1} holds ${out[i - 1]}, position ${i} holds ${out[i]}`;
  });
}

/** permutation: the output, once done, holds every input key exactly as many times as the input (duplicates counted). */
export function permutationChecker(coordinator: string, input: readonly number[]): Checker {
  const want = new Map<number, number>();
  for (const k of input) want.set(k, (want.get(k) ?? 0) + 1);
  return onceDone('permutation', 'the output is a permutation of the input: every key, duplicates included, exactly as often', coordinator, (out) => {
    const got = new Map<number, number>();
    for (const k of out) got.set(k, (got.get(k) ?? 0) + 1);
    const keys = [...new Set([...want.keys(), ...got.keys()])].sort((a, b) => a - b);
    const bad = keys.filter((k) => (got.get(k) ?? 0) !== (want.get(k) ?? 0));
    if (bad.length === 0) return undefined;
    const shown = bad.slice(0, 5).map((k) => `key ${k}: ${got.get(k) ?? 0} (expected ${want.get(k) ?? 0})`);
    return `output has ${out.length} keys, input ${input.length}; ${bad.length} keys counted wrong: ${shown.join(', ')}${bad.length > 5 ? ', ...' : ''}`;
  });
}

/** sort-completes: once every node has been up and connected (no loss burst) for `bound`, the sort is done. */
export function sortCompletesChecker(coordinator: string, nodes: readonly string[], bound: number): Checker {
  let reached = false;
  return {
    name: 'sort-completes',
    description: 'once faults stop, the sort finishes within a bound',
    when: 'final',
    // Judged when the sort is done, or the bound passed with every node up and connected.
    judged: () => reached,
    check(view) {
      const doneAt = published<SortCoordinatorState>(view, coordinator)?.doneAt;
      if (doneAt !== null && doneAt !== undefined) reached = true;
      if (view.faults.lossBurst > 0) return undefined;
      let since = view.faults.lossBurstSince;
      for (const a of nodes) {
        const up = view.faults.runningSince(a);
        if (!view.faults.running(a) || up === undefined) return undefined;
        since = Math.max(since, up);
        for (const b of nodes) {
          if (a >= b) continue;
          const s = view.faults.connectedSince(a, b);
          if (s === undefined || !view.faults.connected(a, b)) return undefined;
          since = Math.max(since, s);
        }
      }
      if (view.now - since < bound) return undefined;
      reached = true;
      const s = published<SortCoordinatorState>(view, coordinator);
      return s?.doneAt !== null && s?.doneAt !== undefined ? undefined : `the sort is not done ${formatDuration(view.now - since)} after the faults stopped (bound ${formatDuration(bound)}), phase ${s?.phase ?? '?'}`;
    },
  };
}
