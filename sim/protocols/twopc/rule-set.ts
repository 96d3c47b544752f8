// Several named step rules fed by one observer: the engine gives every event to each checker that
// observes it, so the observer runs once per event (a repeated seq is skipped), and a seq that goes
// back means the same prepared checkers are running a new run (everything is reset). Each rule reports
// the first violation recorded under its name in `found`.
import type { Checker, SimView, TraceEvent } from '../../api/index.ts';

/** How a rule set sees the run: `observe` once per event, `reset` before a new run, `beforeCheck` before a verdict. */
export interface RuleSetSpec {
  observes: NonNullable<Checker['observes']>;
  /** Called once per event (duplicates through the other rules are skipped). */
  observe(ev: TraceEvent): void;
  /** Forget the previous run's tables (`found` is cleared by the rule set). */
  reset(): void;
  /** Judge what waits for the end of the step, before any rule answers (with the view of that moment). */
  beforeCheck?(view: SimView): void;
  /** The rules: name and description, each reporting `found[name]`. */
  rules: ReadonlyArray<readonly [name: string, description: string]>;
}

/** The rules of `spec` as always-checkers sharing one observer; `found` is where its observer records violations by rule name. */
export function ruleSet(found: Record<string, string | undefined>, spec: RuleSetSpec): Checker[] {
  let lastSeq = -1;
  const observe = (ev: TraceEvent): void => {
    if (ev.seq <= lastSeq) {
      if (ev.seq === lastSeq) return; // already seen through another rule of the set
      spec.reset(); // a new run through the same prepared checkers
      for (const k of Object.keys(found)) delete found[k];
    }
    lastSeq = ev.seq;
    spec.observe(ev);
  };
  return spec.rules.map(([name, description]) => ({
    name,
    description,
    when: 'always',
    observe,
    observes: spec.observes,
    check(view) {
      spec.beforeCheck?.(view);
      return found[name];
    },
  }));
}
