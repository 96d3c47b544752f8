// Running checkers: 'always' checkers after every step (optionally every `every`
// steps), 'final' ones at the end, `observe` hooks on every trace event, and the
// recording of violations (a checker that failed is not called again). A checker
// that throws is a violation of that checker ("checker threw: ...").

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
  /** Stop the run (stopOnViolation). */
  stop(): void;
  view: SimView;
}

export class Checking {
  private readonly always: Checker[];
  private readonly final: Checker[];
  /** 'always' checkers with an observe hook, called on every trace event. */
  readonly observers: Checker[];
  private readonly failed = new Set<string>();
  private lastCause = -1;

  constructor(
    checkers: readonly Checker[],
    private readonly host: CheckingHost,
    private readonly violations: Violation[],
    private readonly stopOnViolation: boolean,
  ) {
    this.always = checkers.filter((c) => c.when === 'always');
    this.final = checkers.filter((c) => c.when === 'final');
    this.observers = this.always.filter((c) => c.observe !== undefined);
  }

  /** Whether any checker runs after each step. */
  get hasAlways(): boolean {
    return this.always.length > 0;
  }

  /** Run the always-checkers after a step; a violation's cause is the step's last event. Returns false once the run stopped. */
  afterStep(): boolean {
    const cause = this.host.seq() - 1;
    const steps = this.host.steps();
    for (const c of this.always) {
      if (this.failed.has(c.name)) continue;
      if (c.every !== undefined && c.every > 1 && steps % c.every !== 0) continue;
      const msg = this.run(c);
      if (msg !== undefined) {
        this.lastCause = cause;
        if (!this.violate(c.name, msg)) return false;
      }
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

  /** Show a trace event to the observing checkers. */
  observe(ev: TraceEvent): void {
    for (const c of this.observers) c.observe?.(ev, this.host.view);
  }

  private run(c: Checker): string | undefined {
    try {
      return c.check(this.host.view);
    } catch (err) {
      return `checker threw: ${err instanceof Error ? err.message : String(err)}`;
    }
  }

  /** Record a violation of `invariant` (a checker name, or `assertion` / `exception` from a handler). Returns false when it stopped the run. */
  violate(invariant: string, message: string): boolean {
    const host = this.host;
    this.failed.add(invariant);
    const cause = this.lastCause >= 0 ? this.lastCause : host.seq() - 1;
    this.lastCause = -1;
    const seq = host.seq();
    this.violations.push({ invariant, message, t: host.now(), seq, cause });
    if (host.rec) host.emit({ seq: 0, t: host.now(), type: 'violation', invariant, message, cause });
    else host.skipSeq();
    if (this.stopOnViolation) {
      host.stop();
      return false;
    }
    return true;
  }
}
