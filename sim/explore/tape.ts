// Checker memory for snapshots: a tape of what the checkers read.
//
// Checkers keep their memory in closures (the leaders of past terms, the
// committed prefix, a rebuilt log per server), which no copy can reach. A
// snapshot therefore does not copy checkers: it builds fresh ones and re-derives
// their memory by calling them again, in the same order, on the same inputs. The
// inputs are what they read from the SimView: every read a checker makes during
// a call (a property, a method's result, recursively through the objects they
// return) is recorded on the tape as it happens; a replay hands the same values
// back in the same order. A checker is a deterministic function of its memory and
// its reads, so the replayed checkers end in the memory the originals had.
// Replaying the tape runs only checker code (no handlers, no message copies, no
// network), a small part of a path replay.
//
// Values recorded by reference: primitives and frozen objects (the driven runs of
// the explorer freeze what crosses the node boundary, so published states and
// messages are frozen and may be kept by a checker across steps). Other objects a
// checker reads (the fault state, live maps) are recorded through a nested view
// and must not be kept by the checker across steps: a replayed one has nothing
// left to read once its call is over (it throws).
//
// The tape is a persistent list (frozen nodes, each pointing to the previous
// call): a snapshot shares its parent's tape, so copying one costs nothing.

import { callHooks } from '../engine/hooks.ts';
import type { Checker, SimView, TraceEvent } from '../engine/types.ts';

const FUNC = Symbol('function');
const NESTED = Symbol('nested view');

/** One checker call: which checker, check or observe, at which step, the event observed, what it read. */
interface Call {
  readonly prev: Call | undefined;
  readonly checker: number;
  readonly observe: boolean;
  readonly step: number;
  readonly ev: TraceEvent | undefined;
  readonly reads: readonly unknown[];
}

/** The recording view of the current step (kept out of the object graph: a snapshot must not copy a Proxy). */
const recording = new WeakMap<CheckerTape, { step: number; view: SimView; proxy: SimView; sink: unknown[] }>();

/** The checkers a tape records (kept out of the object graph: a snapshot must not copy checker objects, it re-derives them). */
const rawOf = new WeakMap<CheckerTape, readonly Checker[]>();

/** Checkers whose calls are recorded, and re-derived on a fresh set of the same checkers by `rederive`. */
export class CheckerTape {
  /** The last call recorded (a frozen list through `prev`). */
  head: Call | undefined = undefined;
  /** Calls on the tape. */
  length = 0;
  /** What the engine is given: each checker wrapped so that its calls are recorded (see TapedChecker). */
  readonly wrapped: Checker[];

  constructor(raw: readonly Checker[]) {
    rawOf.set(this, raw);
    this.wrapped = raw.map((c, i) => {
      // A checker with typed hooks (Checker.on) is taped as an observer: its hooks get the trace events.
      const w = c.observe !== undefined || c.on !== undefined ? new TapedObserver(this, i, c) : new TapedChecker(this, i, c);
      if (c.judged !== undefined) w.judged = () => (rawOf.get(this) as readonly Checker[])[i]?.judged?.() ?? true;
      return w;
    });
  }

  /** Record for fresh checkers (built the same way as the ones this tape was made with), before `rederive`. */
  reset(raw: readonly Checker[]): void {
    if (raw.length !== (rawOf.get(this) as readonly Checker[]).length) throw new RangeError('checker tape: another set of checkers');
    rawOf.set(this, raw);
    recording.delete(this);
  }

  /** @internal A wrapped checker's call. */
  call(i: number, observe: boolean, view: SimView, ev: TraceEvent | undefined): string | undefined {
    const c = (rawOf.get(this) as readonly Checker[])[i] as Checker;
    const step = view.stepsTaken;
    let r = recording.get(this);
    if (r === undefined || r.step !== step || r.view !== view) {
      const sink: unknown[] = [];
      const entry = { step, view, proxy: view, sink };
      entry.proxy = recorder(view, () => entry.sink);
      recording.set(this, (r = entry));
    }
    const reads: unknown[] = [];
    r.sink = reads;
    let out: string | undefined;
    try {
      if (observe) {
        c.observe?.(ev as TraceEvent, r.proxy);
        if (c.on) callHooks(c.on, ev as TraceEvent);
      }
      else out = c.check(r.proxy);
    } finally {
      this.head = Object.freeze({ prev: this.head, checker: i, observe, step, ev, reads: Object.freeze(reads) });
      this.length++;
    }
    return out;
  }

  /**
   * Bring this tape's checkers, fresh (built the same way as the recorded ones), to the memory the
   * recorded ones had at the end of the calls on this tape (`head`, copied from another tape), by
   * calling them again on the recorded reads. Results are ignored (a recorded violation ended that run).
   */
  rederive(): void {
    const raw = rawOf.get(this) as readonly Checker[];
    const calls: Call[] = [];
    for (let c = this.head; c !== undefined; c = c.prev) calls.push(c);
    let step = -1;
    let view: SimView | undefined;
    const cursor = { reads: [] as readonly unknown[], at: 0 };
    for (let k = calls.length - 1; k >= 0; k--) {
      const call = calls[k] as Call;
      if (view === undefined || call.step !== step) {
        step = call.step;
        view = player(cursor) as SimView;
      }
      cursor.reads = call.reads;
      cursor.at = 0;
      const c = raw[call.checker] as Checker;
      try {
        if (call.observe) {
          c.observe?.(call.ev as TraceEvent, view);
          if (c.on) callHooks(c.on, call.ev as TraceEvent);
        }
        else c.check(view);
      } catch {
        // The original threw too (the same reads): a violation that ended the run.
      }
      if (cursor.at !== cursor.reads.length) throw new Error(`checker tape: ${c.name} read ${cursor.at} values on replay, ${cursor.reads.length} when recorded (a checker that is not a function of its reads)`);
      cursor.reads = [];
    }
    recording.delete(this);
  }
}

/**
 * A checker as the engine sees it: its calls go through the tape. Its index is a field (not a closure),
 * so that a snapshot grafted onto another run's wrappers calls the right checker.
 */
class TapedChecker implements Checker {
  readonly name: string;
  readonly description: string;
  readonly when: Checker['when'];
  every?: number;
  judged?: () => boolean;
  constructor(
    readonly tape: CheckerTape,
    readonly index: number,
    c: Checker,
  ) {
    this.name = c.name;
    this.description = c.description;
    this.when = c.when;
    if (c.every !== undefined) this.every = c.every;
  }
  check(view: SimView): string | undefined {
    return this.tape.call(this.index, false, view, undefined);
  }
}

/** A TapedChecker of a checker that observes trace events (the engine looks for `observe` to decide). */
class TapedObserver extends TapedChecker {
  observe(ev: TraceEvent, view: SimView): void {
    this.tape.call(this.index, true, view, ev);
  }
}

/** A view of `target` that records every read into `sink()`. */
function recorder(target: object, sink: () => unknown[]): never {
  const rec = (x: unknown): unknown => {
    if (x !== null && typeof x === 'object' && !Object.isFrozen(x)) {
      sink().push(NESTED);
      return recorder(x, sink);
    }
    sink().push(x);
    return x;
  };
  return new Proxy(target, {
    get(t, key) {
      const v = Reflect.get(t, key, t) as unknown;
      if (typeof v === 'function') {
        sink().push(FUNC);
        return (...args: unknown[]) => rec((v as (...a: unknown[]) => unknown).apply(t, args));
      }
      return rec(v);
    },
  }) as never;
}

/** A view that hands back the reads of the call at `cursor`, in order. */
function player(cursor: { reads: readonly unknown[]; at: number }): object {
  const next = (): unknown => {
    if (cursor.at >= cursor.reads.length) throw new Error('checker tape: a read beyond what was recorded (a checker kept a live engine object across steps)');
    return cursor.reads[cursor.at++];
  };
  const value = (x: unknown): unknown => (x === NESTED ? player(cursor) : x);
  return new Proxy(
    {},
    {
      get() {
        const x = next();
        if (x === FUNC) return () => value(next());
        return value(x);
      },
    },
  );
}
