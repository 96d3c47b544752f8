// Several named checkers fed by one follower of the run, through the engine's typed hooks
// (Checker.on: no trace event object is built for them). The engine calls the hooks of every
// selected checker, in the order the scenario lists them, once per event, so `sharedHooks` lets
// the follower see each event once: a call whose arguments are those of the event just seen,
// from a member that has not seen it yet, is that same event. A node's first start that comes
// again means the same prepared checkers are running a new run: the follower is reset.
import type { Checker, EventHooks, Micros, NodeId, SimView } from '../../api/index.ts';

/** What a follower of the run reads: the typed hooks it needs (start is always followed), its reset, and the time. */
export interface Follower {
  on: EventHooks;
  /** Forget the previous run's tables. */
  reset(): void;
  /** A later instant began at true time t (before its events' hooks). */
  onInstant?(t: Micros, view: SimView): void;
}

/**
 * The typed hooks and instant hook of member `i` of a set of checkers sharing `f`: each event reaches
 * `f` once, whichever members are selected and in whatever order the engine calls them (at most 30 members).
 */
export function sharedHooks(f: Follower): (i: number) => Pick<Checker, 'on' | 'onInstant'> {
  // The event last passed on: a kind, up to two arguments, and the members that have had it.
  let kind = 0;
  let a: unknown;
  let b: unknown;
  let seenBy = 0;
  const started = new Set<NodeId>();
  /** Whether the call of member bit `m` with (k, x, y) is a new event (and note it). */
  const fresh = (m: number, k: number, x: unknown, y: unknown): boolean => {
    if (k === kind && x === a && y === b && (seenBy & m) === 0) {
      seenBy |= m;
      return false;
    }
    kind = k;
    a = x;
    b = y;
    seenBy = m;
    return true;
  };
  const on = f.on;
  return (i) => {
    const m = 1 << i;
    const hooks: EventHooks = {
      start(node, restart) {
        if (!fresh(m, 1, node, restart)) return;
        if (!restart) {
          if (started.has(node)) {
            started.clear();
            f.reset(); // a new run through the same prepared checkers
          }
          started.add(node);
        }
        on.start?.(node, restart);
      },
    };
    if (on.send) hooks.send = (id, from, to, msg) => fresh(m, 2, id, undefined) && on.send?.(id, from, to, msg);
    if (on.deliver) hooks.deliver = (id, from, to) => fresh(m, 3, id, undefined) && on.deliver?.(id, from, to);
    if (on.drop) hooks.drop = (id, from, to, reason) => fresh(m, 4, id, undefined) && on.drop?.(id, from, to, reason);
    if (on.duplicate) hooks.duplicate = (id, of, from, to) => fresh(m, 5, id, undefined) && on.duplicate?.(id, of, from, to);
    if (on.publish) hooks.publish = (node, state) => fresh(m, 6, node, state) && on.publish?.(node, state);
    if (on.violation) hooks.violation = (invariant) => fresh(m, 7, invariant, undefined) && on.violation?.(invariant);
    return f.onInstant ? { on: hooks, onInstant: f.onInstant } : { on: hooks };
  };
}

/** How a rule set follows the run (Follower), and judges: `beforeCheck` before a verdict, and its rules. */
export interface RuleSetSpec extends Follower {
  /** Judge what waits for the end of the step, before any rule answers (with the view of that moment). */
  beforeCheck?(view: SimView): void;
  /** The rules: name and description, each reporting `found[name]`. */
  rules: ReadonlyArray<readonly [name: string, description: string]>;
}

/** The rules of `spec` as always-checkers sharing one follower; `found` is where it records violations by rule name. */
export function ruleSet(found: Record<string, string | undefined>, spec: RuleSetSpec): Checker[] {
  const member = sharedHooks({
    on: spec.on,
    onInstant: spec.onInstant,
    reset() {
      spec.reset();
      for (const k of Object.keys(found)) delete found[k];
    },
  });
  return spec.rules.map(([name, description], i) => ({
    name,
    description,
    when: 'always',
    ...member(i),
    check(view) {
      spec.beforeCheck?.(view);
      return found[name];
    },
  }));
}
