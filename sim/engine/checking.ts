// Running checkers: 'always' checkers after every step (optionally every `every`
// steps), 'final' ones at the end, `observe` hooks on every trace event, and the
// recording of violations (a checker that failed is not called again). A checker
// that throws is a violation of that checker ("checker threw: ...").

import { atOrFail } from './assert.ts';
import type { HookLists } from './hooks.ts';
import { EngineLimitError } from './limits.ts';
import type { Checker, Micros, SimView, TraceEvent, Violation } from './types.ts';

/** What checking needs from the event loop. */
export interface CheckingHost {
  now(): Micros;
  readonly rec: boolean;
  /** Sequence number the next trace event will get. */
  seq(): number;
  /** Steps taken so far. */
  steps(): number;
  emit(ev: TraceEvent): void;
  /** Consume a sequence number without building an event (untraced runs keep the numbering). */
  skipSeq(): void;
  /** How many states nodes have published so far in the run (Checker.onChange). */
  publishes(): number;
  /** Whether the step just taken was not one node's own (a fault, the quiesce point): any node may have changed. */
  faultStep(): boolean;
  /** Stop the run (stopOnViolation). */
  stop(): void;
  /** Most violations one run records (EngineLimits.reports); one more throws EngineLimitError. */
  readonly maxViolations: number;
  view: SimView;
  /** The checkers' typed hooks (Checker.on: `violation`). */
  readonly hooks: HookLists;
}

export class Checking {
  /** The 'always' checkers that have not failed, in order (a checker that failed is dropped). */
  private always: Checker[];
  /** The 'always' checkers that did not declare `onChange`, in order: the only ones a quiet step runs. */
  private loud: Checker[];
  /** `publishes()` after the previous step's checks. */
  private seenPublishes = -1;
  /** Whether some 'always' checker runs only every `every` steps (the per-step loop then looks at each one's period). */
  private periodic: boolean;
  private readonly final: Checker[];
  /** 'always' checkers with an observe hook, called on the trace events of the types they declare (`observes`; all by default). */
  readonly observers: Checker[];
  /** Observers of each event type, made on first use (in observer order). */
  private readonly observersOf = new Map<string, Checker[]>();
  /** 'always' checkers with an onInstant hook. */
  readonly instantHooks: Checker[];
  /** Whether some observer reads every event type (declares no `observes`). */
  readonly observesAll: boolean;
  /** The event types some observer declares it reads. */
  readonly observedTypes: ReadonlySet<string>;
  private readonly failed = new Set<string>();
  private lastCause = -1;

  constructor(
    checkers: readonly Checker[],
    private readonly host: CheckingHost,
    private readonly violations: Violation[],
    private readonly stopOnViolation: boolean,
  ) {
    this.always = checkers.filter((c) => c.when === 'always');
    this.loud = this.always.filter((c) => c.onChange !== true);
    this.periodic = this.always.some(isPeriodic);
    this.final = checkers.filter((c) => c.when === 'final');
    this.observers = this.always.filter((c) => c.observe !== undefined);
    this.instantHooks = this.always.filter((c) => c.onInstant !== undefined);
    this.observesAll = this.observers.some((c) => c.observes === undefined);
    this.observedTypes = new Set(this.observers.flatMap((c) => c.observes ?? []));
  }

  /** Whether any checker runs after each step. */
  get hasAlways(): boolean {
    return this.always.length > 0;
  }

  /**
   * Run the always-checkers after a step, in order; a violation's cause is the step's last event.
   * Returns false once the run stopped. This runs after every step of every run, so its common case
   * (no checker fails, none is periodic) is one loop with one try block and no lookup per checker.
   */
  afterStep(): boolean {
    const view = this.host.view;
    const cause = this.host.seq() - 1;
    const steps = this.periodic ? this.host.steps() : 0;
    const publishes = this.host.publishes();
    // Nothing published and no fault: the checkers that declared onChange have nothing new to see,
    // so a quiet step runs only the others (in the same order).
    const quiet = publishes === this.seenPublishes && !this.host.faultStep();
    this.seenPublishes = publishes;
    const list = quiet ? this.loud : this.always;
    let i = 0;
    while (i < list.length) {
      let msg: string | undefined;
      try {
        for (; i < list.length; i++) {
          const c = list[i];
          if (c === undefined) continue;
          if (this.periodic && c.every !== undefined && c.every > 1 && steps % c.every !== 0) continue;
          // A checker that follows the run through its hooks and raised nothing has nothing to say (Checker.wake).
          const w = c.wake;
          if (w !== undefined) {
            if (!w.raised) continue;
            w.raised = false;
          }
          msg = c.check(view);
          if (msg !== undefined) break;
        }
      } catch (err) {
        msg = threw(err);
      }
      if (msg === undefined) break;
      const c = atOrFail(list, i, 'always-checker');
      i++;
      this.lastCause = cause;
      if (!this.violate(c.name, msg)) return false;
    }
    return true;
  }

  /** Run the final checkers (end of a run that did not stop). */
  atEnd(): void {
    for (const c of this.final) {
      if (this.failed.has(c.name)) continue;
      const msg = this.run(c);
      if (msg !== undefined && !this.violate(c.name, msg)) return;
    }
  }

  /** Show a trace event to the checkers observing its type. */
  observe(ev: TraceEvent): void {
    let list = this.observersOf.get(ev.type);
    if (list === undefined) {
      const type = ev.type;
      list = this.observers.filter((c) => c.observes === undefined || c.observes.includes(type));
      this.observersOf.set(type, list);
    }
    for (const c of list) c.observe?.(ev, this.host.view);
  }

  /** The trace moved to a later instant `t` (at its first event, built or not): tell the onInstant hooks. */
  instant(t: number): void {
    for (const c of this.instantHooks) c.onInstant?.(t, this.host.view);
  }

  private run(c: Checker): string | undefined {
    try {
      return c.check(this.host.view);
    } catch (err) {
      return threw(err);
    }
  }

  /** Record a violation of `invariant` (a checker name, or `assertion` / `exception` from a handler). Returns false when it stopped the run. */
  violate(invariant: string, message: string): boolean {
    const host = this.host;
    this.failed.add(invariant);
    // A checker that failed is not called again; the list is replaced, not changed, so a loop over it in progress is unaffected.
    if (this.always.some((c) => c.name === invariant)) {
      this.always = this.always.filter((c) => c.name !== invariant);
      this.loud = this.always.filter((c) => c.onChange !== true);
    }
    const cause = this.lastCause >= 0 ? this.lastCause : host.seq() - 1;
    this.lastCause = -1;
    const seq = host.seq();
    if (this.violations.length >= host.maxViolations) throw new EngineLimitError('reports', host.maxViolations, host.now(), `the violations of the run (${invariant})`);
    this.violations.push({ invariant, message, t: host.now(), seq, cause });
    if (host.rec) host.emit({ seq: 0, t: host.now(), type: 'violation', invariant, message, cause });
    else host.skipSeq();
    for (const h of host.hooks.violation) h(invariant);
    if (this.stopOnViolation) {
      host.stop();
      return false;
    }
    return true;
  }
}

function isPeriodic(c: Checker): boolean {
  return c.every !== undefined && c.every > 1;
}

/** A checker's exception as its violation message; an engine bound it hit (EngineLimitError, e.g. from view.warn) ends the run instead. */
function threw(err: unknown): string {
  if (err instanceof EngineLimitError) throw err;
  return `checker threw: ${err instanceof Error ? err.message : String(err)}`;
}
