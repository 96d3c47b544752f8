// Exhaustive exploration of a model's state graph, as TLC, Stateright and
// DSLabs do: breadth-first (the first violation found has a shortest choice
// sequence) or depth-first (less memory for the frontier), up to a depth and a
// number of distinct states. States are deduplicated by 64-bit fingerprint;
// only fingerprints and parent links are kept, a state is rebuilt from its
// choice path when it is expanded (see ExploreModel.restore).

import { FingerprintTable, hash64 } from './fingerprint.ts';

/**
 * What partial-order reduction needs to know about one choice (see ExploreModel.porStep): a key that names
 * the same transition in every state where it is enabled (not a per-path id), and its footprint. Two choices
 * are independent (they commute and neither enables or disables the other) when both have a node, the nodes
 * differ, and neither consumes something the other's node produces (`reads`: the sender of a delivered
 * message, when the model merges identical copies in flight). A choice without a node (crash, restart,
 * loss, anything drawn from a shared budget) is dependent with every choice.
 */
export interface PorStep {
  key: string;
  node: string | null;
  reads: string | null;
  /** A shared budget the choice draws on (a bounded timer kind): two choices on one budget are dependent. */
  budget?: string;
}

/** Whether two choices commute (see PorStep). */
export function independent(a: PorStep, b: PorStep): boolean {
  if (a.node === null || b.node === null || a.node === b.node) return false;
  if (a.budget !== undefined && b.budget !== undefined && (a.budget === b.budget || a.budget === '*' || b.budget === '*')) return false;
  return a.reads !== b.node && b.reads !== a.node;
}

/** A property violated in a state (a safety invariant, an 'always' checker). */
export interface ModelViolation {
  invariant: string;
  message: string;
}

/**
 * What the explorer explores. A state is opaque; `step` must not change its
 * argument (a model that cannot copy states rebuilds them: see EngineModel).
 * Everything is deterministic: the same path gives the same state and labels.
 */
export interface ExploreModel<S> {
  initial(): S;
  /** Labels of the choices enabled in `s`, in a deterministic order (index = choice). */
  choices(s: S): string[];
  /** Number of choices (default: choices(s).length), for models whose labels are costly. */
  choiceCount?(s: S): number;
  /**
   * The state after taking choice `i` of `s`. `s` must stay usable for its other choices,
   * except after its last choice (i = count - 1): the explorer never uses `s` again then,
   * so a model that cannot copy states may advance `s` itself.
   */
  step(s: S, i: number): S;
  /** Canonical text of the state; the explorer hashes it. With `symmetry`, the same text for every permutation of interchangeable nodes. */
  fingerprint(s: S, symmetry: boolean): string;
  /** The first invariant the state violates, if any. */
  violation(s: S): ModelViolation | undefined;
  /** Names of the reachability goals ("sometimes" properties) that hold in `s`. */
  goals?(s: S): string[];
  /** False for a state outside the model's bounds: it is counted but not expanded (TLC's CONSTRAINT). */
  withinBounds?(s: S): boolean;
  /** The state after a choice path from the initial state (default: replay step by step). */
  restore?(path: readonly number[]): S;
  /** States are small values: BFS keeps them in its frontier instead of rebuilding them from their paths. */
  retainStates?: boolean;
  /**
   * States are snapshots that `step` copies (it never changes its argument, even for the last choice):
   * BFS keeps up to this many of them for its frontier (and as many expanded parents whose children it
   * could not keep), and rebuilds any other state from its nearest kept ancestor, or from the initial
   * state when none is kept. Absent or 0: states are rebuilt from their paths (`restore`).
   */
  snapshots?: number;
  /** `s` is no longer used by the explorer (a model may reuse its memory). */
  release?(s: S): void;
  /** The state after choice `i` of `s`, which it may change in place (default: `step`). Used to replay a path from a copy. */
  stepInPlace?(s: S, i: number): S;
  /** Partial-order reduction: key and footprint of choice `i` of `s` (absent: the model cannot be reduced). */
  porStep?(s: S, i: number): PorStep;
}

export interface ExploreOptions {
  /** Maximum number of steps from the initial state (default unbounded). */
  maxDepth?: number;
  /** Stop after this many distinct states (default unbounded). */
  maxStates?: number;
  strategy?: 'bfs' | 'dfs';
  /** Canonicalise interchangeable nodes (see ExploreModel.fingerprint). */
  symmetry?: boolean;
  /** Keep going after a violation (counts the whole space; the report keeps the first violation). Default false. */
  continueOnViolation?: boolean;
  /** Called every `progressEvery` distinct states (default 1000). */
  onProgress?: (p: ExploreProgress) => void;
  progressEvery?: number;
  /** Polled between expansions; true stops the exploration (Ctrl-C). */
  shouldStop?: () => boolean;
  /**
   * Partial-order reduction by sleep sets (Godefroid 1996, ch. 5), DFS only (BFS rejects it: RangeError), for
   * models with `porStep`. Every state reachable within the bounds is still visited (sleep sets prune
   * transitions, not states: `distinct` is unchanged, `states` generated drops); see README "Partial-order reduction".
   */
  por?: boolean;
}

export interface ExploreProgress {
  /** States generated (initial + every successor, duplicates included: TLC's "states generated"). */
  states: number;
  /** Distinct states (by fingerprint). */
  distinct: number;
  /** States waiting to be expanded. */
  queued: number;
  /** Deepest state reached (initial state: depth 0). */
  depth: number;
}

export interface Counterexample {
  violation: ModelViolation;
  /** Choice indices from the initial state. */
  path: number[];
  /** The label of each choice in `path`. */
  labels: string[];
}

export interface ExploreReport extends ExploreProgress {
  /** Choices not taken because they were in a sleep set (partial-order reduction; 0 without it). */
  slept: number;
  /** Why the exploration ended. */
  end: 'complete' | 'violation' | 'max-states' | 'stopped';
  /** True when some state had successors beyond maxDepth or outside the bounds (the space was cut). */
  cut: boolean;
  /** Reachability goals reached, each with the depth of the first state where it held. */
  goals: Record<string, number>;
  counterexample?: Counterexample;
  /** Bytes held by the fingerprint table. */
  tableBytes: number;
}

/** Explore every state reachable within the bounds. Deterministic: same model and options, same report. */
export function explore<S>(model: ExploreModel<S>, opts: ExploreOptions = {}): ExploreReport {
  const it = exploring(model, opts);
  for (;;) {
    const r = it.next();
    if (r.done) return r.value;
  }
}

/**
 * The same, as a generator that yields its progress every `progressEvery` distinct states, so that a
 * caller with an event loop (the CLI) can let signals and progress bars run between slices.
 */
export function* exploring<S>(model: ExploreModel<S>, opts: ExploreOptions = {}): Generator<ExploreProgress, ExploreReport, void> {
  const maxDepth = opts.maxDepth ?? Number.POSITIVE_INFINITY;
  const maxStates = opts.maxStates ?? Number.POSITIVE_INFINITY;
  const symmetry = opts.symmetry ?? false;
  const every = opts.progressEvery ?? 1000;
  const table = new FingerprintTable();
  const goals: Record<string, number> = {};
  const restore = (path: readonly number[]): S => {
    if (model.restore) return model.restore(path);
    let s = model.initial();
    for (const i of path) s = model.step(s, i);
    return s;
  };
  const labelsOf = (path: readonly number[]): string[] => {
    const out: string[] = [];
    let s = model.initial();
    for (const i of path) {
      out.push(model.choices(s)[i] ?? `#${i}`);
      s = model.step(s, i);
    }
    return out;
  };

  let states = 0;
  let maxSeen = 0;
  let cut = false;
  let end: ExploreReport['end'] = 'complete';
  let counterexample: Counterexample | undefined;
  let queued = 0;
  let slept = 0;
  if (opts.por && (opts.strategy ?? 'bfs') === 'bfs') throw new RangeError('partial-order reduction (sleep sets) is implemented for DFS only');

  const progress = (): ExploreProgress => ({ states, distinct: table.size, queued, depth: maxSeen });
  /** Check a generated state; returns true when exploration must stop. */
  const visit = (s: S, path: () => number[], depth: number): boolean => {
    states++;
    if (model.goals) for (const g of model.goals(s)) if (!(g in goals)) goals[g] = depth;
    const v = model.violation(s);
    if (v !== undefined && counterexample === undefined) {
      const p = path();
      counterexample = { violation: v, path: p, labels: labelsOf(p) };
      if (!opts.continueOnViolation) {
        end = 'violation';
        return true;
      }
    }
    return false;
  };
  const count = (s: S): number => (model.choiceCount ? model.choiceCount(s) : model.choices(s).length);
  const fpOf = (s: S): [number, number] => hash64(model.fingerprint(s, symmetry));
  const expandable = (s: S, depth: number): boolean => {
    if (model.withinBounds && !model.withinBounds(s)) {
      cut = true;
      return false;
    }
    if (depth >= maxDepth) {
      if (count(s) > 0) cut = true;
      return false;
    }
    return true;
  };

  const s0 = model.initial();
  const root = table.add(fpOf(s0), -1, 0, 0);
  if (visit(s0, () => [], 0)) return finish();

  if ((opts.strategy ?? 'bfs') === 'bfs') {
    // Frontier of state ids; ids are assigned in discovery order, so the queue is a range.
    let head = 0;
    const frontier: number[] = expandable(s0, 0) ? [root] : [];
    // Kept states (by id): the frontier's, within the budget, and expanded parents of frontier states
    // that could not be kept (with the number of such children still queued).
    const budget = model.retainStates ? Number.POSITIVE_INFINITY : (model.snapshots ?? 0);
    const retained = new Map<number, S>();
    const ancestors = new Map<number, { s: S; waiting: number }>();
    if (budget > 0) retained.set(root, s0);
    const advance = (s: S, i: number): S => (model.stepInPlace ? model.stepInPlace(s, i) : model.step(s, i));
    /** A state not kept: from its nearest kept ancestor (a copy of it), else from its path. */
    const rebuild = (id: number, path: readonly number[]): S => {
      let a = table.parent(id);
      let up = 1;
      while (a >= 0 && !ancestors.has(a)) {
        a = table.parent(a);
        up++;
      }
      const kept = a >= 0 ? ancestors.get(a) : undefined;
      let s: S;
      if (kept === undefined) s = restore(path);
      else {
        s = model.step(kept.s, path[path.length - up] as number);
        for (let k = path.length - up + 1; k < path.length; k++) s = advance(s, path[k] as number);
      }
      // The parent kept for this state (a direct child it could not keep) is released with its last such child.
      const parent = table.parent(id);
      const direct = ancestors.get(parent);
      if (direct !== undefined && --direct.waiting === 0) {
        ancestors.delete(parent);
        model.release?.(direct.s);
      }
      return s;
    };
    queued = frontier.length;
    while (head < frontier.length) {
      if (opts.shouldStop?.()) {
        end = 'stopped';
        break;
      }
      const id = frontier[head] as number;
      const kept = retained.get(id);
      if (kept !== undefined) retained.delete(id);
      head++;
      queued = frontier.length - head;
      const path = table.path(id);
      const depth = path.length;
      const s = kept ?? (budget > 0 ? rebuild(id, path) : restore(path));
      let missed = 0;
      const n = count(s);
      for (let i = 0; i < n; i++) {
        const t = model.step(s, i);
        if (visit(t, () => [...path, i], depth + 1)) return finish();
        const fp = fpOf(t);
        if (table.find(fp) !== -1) {
          model.release?.(t);
          continue;
        }
        if (table.size >= maxStates) {
          end = 'max-states';
          return finish();
        }
        const tid = table.add(fp, id, i, depth + 1);
        if (depth + 1 > maxSeen) maxSeen = depth + 1;
        if (expandable(t, depth + 1)) {
          frontier.push(tid);
          if (retained.size < budget) retained.set(tid, t);
          else {
            if (budget > 0) missed++;
            model.release?.(t);
          }
        } else model.release?.(t);
        if (table.size % every === 0) {
          queued = frontier.length - head;
          opts.onProgress?.(progress());
          yield progress();
        }
      }
      if (missed > 0 && ancestors.size < budget) ancestors.set(id, { s, waiting: missed });
      else model.release?.(s);
      // Release the expanded prefix now and then: the frontier is the memory that grows.
      if (head > 1 << 16 && head * 2 > frontier.length) {
        frontier.splice(0, head);
        head = 0;
      }
    }
    queued = frontier.length - head;
  } else {
    // Depth-first with a depth bound: a state reached again by a shorter path is explored again from there,
    // so every state within the bound is reached (the table keeps the shortest depth seen).
    interface Frame {
      id: number;
      s: S;
      n: number;
      next: number;
      /** Partial-order reduction: the choices' keys and footprints, the sleep set, the choices taken whose children were expanded. */
      steps?: PorStep[];
      sleep?: Map<string, PorStep>;
      done?: PorStep[];
    }
    const por = opts.por === true && model.porStep !== undefined;
    // Sleep set each state was last explored with (keys), and with symmetry the plain fingerprint of the state
    // explored (keys name transitions of that concrete state; another member of its orbit names them otherwise).
    const explored = new Map<number, { sleep: Set<string>; concrete: string | undefined; expanded: boolean }>();
    const frame = (id: number, s: S, sleep: Map<string, PorStep> | undefined): Frame => {
      const n = count(s);
      if (!por) return { id, s, n, next: 0 };
      const steps: PorStep[] = [];
      for (let i = 0; i < n; i++) steps.push((model.porStep as (s: S, i: number) => PorStep)(s, i));
      return { id, s, n, next: 0, steps, sleep: sleep ?? new Map(), done: [] };
    };
    const stack: Frame[] = [];
    if (expandable(s0, 0)) {
      stack.push(frame(root, s0, undefined));
      if (por) explored.set(root, { sleep: new Set(), concrete: undefined, expanded: true });
    }
    const pathOf = (): number[] => stack.map((f) => f.next - 1);
    while (stack.length > 0) {
      if (opts.shouldStop?.()) {
        end = 'stopped';
        break;
      }
      queued = stack.length;
      const top = stack[stack.length - 1] as Frame;
      if (top.next >= top.n) {
        stack.pop();
        model.release?.(top.s);
        continue;
      }
      const i = top.next++;
      const depth = stack.length;
      let childSleep: Map<string, PorStep> | undefined;
      let mine: PorStep | undefined;
      if (por) {
        mine = (top.steps as PorStep[])[i] as PorStep;
        if ((top.sleep as Map<string, PorStep>).has(mine.key)) {
          slept++;
          continue;
        }
        // The child's sleep set: sleeping and already-taken choices that commute with this one.
        childSleep = new Map();
        for (const z of (top.sleep as Map<string, PorStep>).values()) if (independent(z, mine)) childSleep.set(z.key, z);
        for (const z of top.done as PorStep[]) if (independent(z, mine)) childSleep.set(z.key, z);
      }
      const t = model.step(top.s, i);
      if (visit(t, pathOf, depth)) return finish();
      const fp = fpOf(t);
      let tid = table.find(fp);
      if (tid !== -1) {
        if (table.depth(tid) <= depth) {
          // Reached again, not closer. Without POR: nothing new. With POR: explore it again unless every choice
          // this path would take was taken before (its sleep set then was a subset of this one), with the
          // intersection as sleep set (Godefroid's sleep sets with state caching).
          const before = por ? explored.get(tid) : undefined;
          if (before === undefined || childSleep === undefined || !before.expanded) {
            // (Not expanded: outside the bounds or at the depth bound, then and now; not put to sleep, see below.)
            model.release?.(t);
            continue;
          }
          // An empty set covers every arrival (every choice was taken); otherwise keys compare only within one concrete state.
          const concrete = symmetry && before.sleep.size > 0 ? model.fingerprint(t, false) : undefined;
          const sameConcrete = concrete === before.concrete;
          const covered = before.sleep.size === 0 || (sameConcrete && [...before.sleep].every((k) => (childSleep as Map<string, PorStep>).has(k)));
          (top.done as PorStep[]).push(mine as PorStep);
          if (covered) {
            model.release?.(t);
            continue;
          }
          // Another member of a symmetry orbit: its keys are not comparable, so explore it with no sleep set (once: an empty set covers every later arrival).
          const narrowed = new Map<string, PorStep>();
          if (sameConcrete) for (const [k, z] of childSleep) if (before.sleep.has(k)) narrowed.set(k, z);
          explored.set(tid, { sleep: new Set(narrowed.keys()), concrete, expanded: true });
          if (expandable(t, depth)) stack.push(frame(tid, t, narrowed));
          else model.release?.(t);
          continue;
        }
        table.relink(tid, top.id, i, depth);
      } else {
        if (table.size >= maxStates) {
          end = 'max-states';
          return finish();
        }
        tid = table.add(fp, top.id, i, depth);
        if (table.size % every === 0) {
          opts.onProgress?.(progress());
          yield progress();
        }
      }
      if (depth > maxSeen) maxSeen = depth;
      if (expandable(t, depth)) {
        if (por) {
          (top.done as PorStep[]).push(mine as PorStep);
          explored.set(tid, { sleep: new Set((childSleep as Map<string, PorStep>).keys()), concrete: symmetry ? model.fingerprint(t, false) : undefined, expanded: true });
        }
        stack.push(frame(tid, t, childSleep));
      } else {
        // Not expanded: outside the model's bounds (a bound that need not hold along a reordered path, such as the
        // messages in flight) or at the depth bound. Such a choice is not put to sleep in its siblings: their
        // children take it themselves. (At the depth bound the siblings' children are not expanded either.)
        if (por) explored.set(tid, { sleep: new Set(), concrete: undefined, expanded: false });
        model.release?.(t);
      }
    }
    queued = stack.length;
  }
  return finish();

  function finish(): ExploreReport {
    const r: ExploreReport = { ...progress(), end, cut, goals, slept, tableBytes: table.bytes };
    if (counterexample) {
      r.counterexample = counterexample;
      if (end === 'complete') r.end = 'violation';
    }
    return r;
  }
}
