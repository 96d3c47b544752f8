// The stepping engine: a Simulation driven choice by choice instead of by the
// seed. choices() lists what may happen next: deliver a message in flight
// (or lose it, or deliver it and keep a copy in flight, within budgets), fire
// an armed timer, crash a node, restart a crashed one. take(i) does it. The
// labels of the choices taken are the run's schedule: replaying the schedule
// (replaySchedule) gives the same run and the same trace, byte for byte.
//
// Time is abstracted: any pending event may be taken next, whatever its
// scheduled time (true time only moves forward: an event taken "early" happens
// now). This is the asynchronous model Raft and two-phase commit are proven
// safe in (no bound on message delay, timers may fire at any moment), so every
// safety violation of a timed run is a violation of some driven run. It is not
// sound for protocols whose safety rests on clocks (the lock service's leases):
// those are driven timed (DriverOptions.timed), timers in due order.

import { Simulation, type PendingEvent, type RunResult } from '../engine/simulation.ts';
import type { TraceSink } from '../engine/trace.ts';
import type { NodeId, TraceHeader, Violation } from '../engine/types.ts';
import { rootRng } from '../engine/random.ts';
import type { Checker, NodeSpec } from '../engine/types.ts';
import { getProtocol } from '../protocols/registry.ts';
import { InputError } from '../scenario/errors.ts';
import seedrandom from 'seedrandom';
import { graft } from './clone.ts';
import { CheckerTape } from './tape.ts';
import { labelOf } from './label.ts';
import type { PreparedRun } from '../scenario/resolve.ts';

export { labelOf } from './label.ts';

/** How much nondeterminism beyond scheduling a driven run may use. */
export interface DriveBudgets {
  /** Crashes (each may be followed by a restart of that node). */
  crashes: number;
  /** Messages lost at delivery. */
  losses: number;
  /** Messages duplicated at delivery. */
  duplicates: number;
  /** Roles that may crash (default: server). */
  crashRoles?: readonly string[];
  /**
   * Timer firings, per kind: the timer's name before any `/key` (`election`, `heartbeat`, `in-doubt`), over
   * every node; `*` bounds all firings together. A kind without an entry is not bounded. A timer whose budget
   * is spent stays armed (it is in the state) but is no longer a choice. A bounded exploration, not an
   * abstraction: its verdict is "no violation with at most these firings" (the counts are in the state).
   */
  timers?: Readonly<Record<string, number>>;
  /**
   * Timed runs only (DriverOptions.timed): steps that let true time pass the due time of another armed
   * timer without firing it (that timer then fires late: its node's clock ran slow or the process paused,
   * beyond the drift bound). Default 0: every timer fires on time, in due order.
   */
  drift?: number;
  /**
   * Timed runs only: messages that may arrive late, i.e. after true time passed their scheduled arrival (the
   * constant latency) while they were still in flight. Absent: unbounded (an asynchronous network). A bound,
   * not an abstraction: each explored run is a real run in which at most this many messages were slow.
   */
  delays?: number;
}

/** The kind of a timer, for DriveBudgets.timers: its name before any `/key`. */
export function timerKind(name: string): string {
  const slash = name.indexOf('/');
  return slash < 0 ? name : name.slice(0, slash);
}

export const NO_BUDGETS: DriveBudgets = { crashes: 0, losses: 0, duplicates: 0 };

export type DriveChoice =
  | { kind: 'deliver' | 'drop' | 'duplicate'; q: number; label: string }
  | { kind: 'timer'; q: number; label: string }
  | { kind: 'crash' | 'restart'; node: NodeId; label: string };

export interface DriverOptions {
  budgets?: DriveBudgets;
  /**
   * Merge identical copies of a message in flight on one link: after each step, a message equal to an
   * older one still in flight on the same link is lost (traced as a loss, and written in the schedule as
   * a `drop` step, so a replay needs no option). Every run explored this way is a real run of a network
   * that may lose messages; it skips only runs in which two identical copies are both in flight.
   * This bounds protocols that retry on a timer. Losses made this way do not use the loss budget.
   */
  coalesce?: boolean;
  trace?: TraceSink;
  header?: TraceHeader;
  hash?: boolean;
  /**
   * Make the run snapshottable (`clone()`): checker calls are recorded on a tape (tape.ts) and values
   * crossing the node boundary are frozen (shared by copies instead of copied).
   */
  snapshots?: boolean;
  /**
   * Names of functions a copy may share with its source when the template has none in their place
   * (closures the protocol's explore profile shows to be harmless: see profiles.ts). Any other such
   * function makes `clone` rebuild the state by replaying its path instead.
   */
  shareable?: readonly string[];
  /**
   * Dead messages (a protocol's declaration, see ExploreProfile.dead): a message in flight for which this
   * returns true is removed after each step (traced as a loss, written in the schedule as a `drop`). It must
   * hold only of messages whose delivery changes nothing now and in every later state (the receiver ignores
   * it whatever happens first): then removing it merges states that differ only by it, and loses no behaviour.
   */
  dead?: (sim: Simulation, to: NodeId, msg: unknown) => boolean;
  /**
   * Timed driving (time as the order of timer events; the lock profile): a step may not let true time pass
   * the due time of another armed timer that may still fire (within DriveBudgets.timers) unless it draws on
   * the drift budget (DriveBudgets.drift). Messages still arrive at any moment at or after their scheduled
   * arrival (an asynchronous network: delays have no upper bound). Without drift, every explored run is a
   * run of the timed engine with drift-free clocks and no pauses; each unit of drift is one timer firing late.
   * Due times and true time are then part of the state (EngineModel's fingerprint).
   */
  timed?: boolean;
}

/** How copies were made in this process: grafted onto a template, or rebuilt by path replay (a closure with no counterpart). */
export const snapshotStats = { grafted: 0, replayed: 0 };

export class Driver {
  readonly sim: Simulation;
  /** Labels of the choices taken, in order: the schedule. */
  readonly schedule: string[] = [];
  /** Choice indices taken (the explorer's path). */
  readonly path: number[] = [];
  crashes = 0;
  losses = 0;
  duplicates = 0;
  /** Timer firings so far per bounded kind (DriveBudgets.timers; `*`: all firings), in the state. */
  readonly fired: Record<string, number> = {};
  /** Messages removed as dead (DriverOptions.dead). */
  deadDropped = 0;
  /** Set when choices() left out an armed timer because its kind's budget (DriveBudgets.timers) was spent. */
  timerRefused = false;
  /** Timed runs: steps that made another timer late (DriveBudgets.drift), in the state. */
  drifted = 0;
  /** Timed runs: messages (event numbers) that arrived or are still in flight after their scheduled arrival (DriveBudgets.delays). */
  private readonly late = new Set<number>();
  private readonly budgets: DriveBudgets;
  private readonly coalesce: boolean;
  private readonly crashable: NodeId[];
  private cached: DriveChoice[] | undefined;
  private pendingNow: PendingEvent[] | undefined;
  /** Per-node parts of the fingerprint, kept by EngineModel (valid until the node is touched). */
  readonly fpParts = new Map<NodeId, string>();
  /** The checkers' calls, when the run is snapshottable. */
  readonly tape: CheckerTape | undefined;

  constructor(
    readonly run: PreparedRun,
    private readonly opts: DriverOptions = {},
  ) {
    // Checkers keep memory in their closures: every driven run gets its own (and its own nodes).
    const fresh = rebuild(run);
    this.tape = opts.snapshots ? new CheckerTape(fresh.checkers) : undefined;
    this.budgets = opts.budgets ?? NO_BUDGETS;
    this.coalesce = opts.coalesce ?? false;
    const network = { ...run.engine.network, loss: 0, duplicate: 0, links: [] };
    this.sim = new Simulation({
      seed: run.seed,
      nodes: fresh.nodes,
      config: { ...run.engine, network },
      checkers: this.tape?.wrapped ?? fresh.checkers,
      ...(opts.snapshots ? { isolate: 'freeze' as const } : {}),
      ...(opts.trace ? { trace: opts.trace } : {}),
      ...(opts.header ? { header: opts.header } : {}),
      hash: opts.hash ?? false,
    });
    const roles = this.budgets.crashRoles ?? ['server'];
    this.crashable = run.nodes.filter((n) => roles.includes(n.role)).map((n) => n.id);
    // Nodes start in scenario order, before any choice.
    for (const p of this.sim.pending()) if (p.kind === 'start') this.sim.take(p.q);
  }

  /**
   * A copy of this run, as it is now, that continues independently (snapshottable runs only): a fresh run
   * of the same scenario with this one's state grafted onto it (clone.ts) and its checkers' memory
   * re-derived from the tape (tape.ts). `into`, a run of the same scenario that is no longer needed, is
   * reused instead of a fresh run (its objects are overwritten: cheaper than starting a run). A traced run's copy writes to `sink` (which first gets the
   * trace so far: it must be a sink whose state is a plain value, as MemorySink). Its fingerprint, choices and every later step and trace event
   * are those of this run's (test/explore/snapshot.test.ts).
   */
  clone(sink?: TraceSink, into?: Driver): Driver {
    if (!this.tape) throw new RangeError('Driver.clone: the run was not made with { snapshots: true }');
    if (this.opts.trace && !sink) throw new RangeError('Driver.clone: a traced run is cloned with a sink of its own (it gets the trace so far)');
    // A template with a node down cannot pair the closures of that node's behaviour: a fresh run then.
    const fits = into !== undefined && into.run === this.run && into.tape !== undefined && !into.sim.halted && !this.opts.trace && this.run.nodes.every((n) => into.sim.isUp(n.id));
    let template: Driver;
    if (fits) {
      template = into;
      // Its nodes and engine are overwritten; its checkers have memory of their own: fresh ones.
      into.tape?.reset(rebuild(this.run).checkers);
    } else template = new Driver(this.run, { ...this.opts, ...(sink ? { trace: sink } : {}) });
    const shared = this.opts.shareable ?? [];
    let unpaired = 0;
    const copy = graft<Driver>(this, template, { fn: copyGenerator, unpaired: (name) => void (shared.includes(name) ? 0 : unpaired++) });
    if (unpaired > 0) {
      // A closure of this run with no counterpart in the template would still act on this run's objects:
      // try a fresh template, else rebuild the state by replaying its path (always sound, slower).
      if (fits) return this.clone(sink);
      if (sink) throw new Error('Driver.clone: a traced run with closures a fresh run cannot pair (see DriverOptions.shareable) cannot be copied');
      snapshotStats.replayed++;
      const r = new Driver(this.run, { ...this.opts, ...(sink ? { trace: sink } : {}) });
      for (const i of this.path) r.take(i);
      return r;
    }
    snapshotStats.grafted++;
    copy.tape?.rederive();
    return copy;
  }

  get violation(): Violation | undefined {
    return this.sim.violations[0];
  }

  /** What may happen next, in a deterministic order: pending events by insertion, then crashes, then restarts. Empty after a violation. */
  choices(): DriveChoice[] {
    if (this.cached) return this.cached;
    const out: DriveChoice[] = [];
    if (this.sim.halted) return (this.cached = out);
    const drift = this.opts.timed === true ? (this.budgets.drift ?? 0) - this.drifted : 0;
    const delays = this.budgets.delays ?? Number.POSITIVE_INFINITY;
    for (const p of this.pending()) {
      if (this.opts.timed === true && drift <= 0 && this.makesLate(p)) continue;
      if (this.opts.timed === true && delays < Number.POSITIVE_INFINITY && this.late.size + this.delayed(p).length > delays) continue;
      if (p.kind === 'deliver') {
        out.push({ kind: 'deliver', q: p.q, label: labelOf(p) });
        if (this.losses < this.budgets.losses) out.push({ kind: 'drop', q: p.q, label: labelOf(p, 'drop') });
        if (this.duplicates < this.budgets.duplicates) out.push({ kind: 'duplicate', q: p.q, label: labelOf(p, 'duplicate') });
      } else if (p.kind === 'timer') {
        if (this.timerAllowed(p.name)) out.push({ kind: 'timer', q: p.q, label: labelOf(p) });
        else this.timerRefused = true;
      }
    }
    if (this.crashes < this.budgets.crashes) {
      for (const id of this.crashable) if (this.sim.isUp(id)) out.push({ kind: 'crash', node: id, label: `crash ${id}` });
    }
    for (const id of this.crashable) if (!this.sim.isUp(id)) out.push({ kind: 'restart', node: id, label: `restart ${id}` });
    return (this.cached = out);
  }

  /**
   * Timed runs: whether taking `p` lets true time pass the due time of another armed timer that may still
   * fire (within DriveBudgets.timers): taking `p` moves true time to max(now, p.t).
   */
  makesLate(p: PendingEvent): boolean {
    const to = Math.max(this.sim.now, p.t);
    if (to <= this.sim.now) return false;
    for (const e of this.pending()) {
      if (e.kind === 'timer' && e.q !== p.q && e.t < to && this.timerAllowed(e.name)) return true;
    }
    return false;
  }

  /** Timed runs: messages in flight, not yet late, whose scheduled arrival taking `p` lets true time pass. */
  private delayed(p: PendingEvent): number[] {
    const to = Math.max(this.sim.now, p.t);
    const out: number[] = [];
    if (to <= this.sim.now) return out;
    for (const e of this.pending()) if (e.kind === 'deliver' && e.q !== p.q && e.t < to && !this.late.has(e.q)) out.push(e.q);
    return out;
  }

  /** Whether a timer of this name may fire within DriveBudgets.timers. */
  private timerAllowed(name: string): boolean {
    const t = this.budgets.timers;
    if (t === undefined) return true;
    const all = t['*'];
    if (all !== undefined && (this.fired['*'] ?? 0) >= all) return false;
    const kind = timerKind(name);
    const k = t[kind];
    return k === undefined || (this.fired[kind] ?? 0) < k;
  }

  /** The budgets used, as text for fingerprints: crashes, losses, duplicates, bounded timer firings. */
  get used(): string {
    const t = this.budgets.timers;
    let out = `${this.crashes},${this.losses},${this.duplicates}`;
    if (this.opts.timed === true) out += `,drift=${this.drifted},late=${this.late.size}`;
    if (t !== undefined) for (const k of Object.keys(t).sort()) out += `,${k}=${this.fired[k] ?? 0}`;
    return out;
  }

  /** The simulation's pending events (cached until the next step). */
  pending(): PendingEvent[] {
    return (this.pendingNow ??= this.sim.pending());
  }

  /** Messages in flight now. */
  get inFlight(): number {
    let n = 0;
    for (const p of this.pending()) if (p.kind === 'deliver') n++;
    return n;
  }

  /** The node a choice acts on (its handler runs, or it crashes or restarts); undefined for a loss. */
  touches(c: DriveChoice): NodeId | undefined {
    if ('node' in c) return c.node;
    if (c.kind === 'drop') return undefined;
    const q = c.q;
    const p = this.pending().find((e) => e.q === q);
    return p?.kind === 'deliver' ? p.to : p?.kind === 'timer' ? p.node : undefined;
  }

  take(i: number): void {
    const c = this.choices()[i];
    if (c === undefined) throw new RangeError(`no choice ${i} (there are ${this.choices().length})`);
    this.path.push(i);
    this.schedule.push(c.label);
    if (this.opts.timed === true && 'q' in c) {
      const q = c.q;
      const p = this.pending().find((e) => e.q === q);
      if (p !== undefined && this.makesLate(p)) this.drifted++;
      if (p !== undefined) for (const q of this.delayed(p)) this.late.add(q);
    }
    this.apply(c);
    this.cached = undefined;
    this.pendingNow = undefined;
    if (this.coalesce && !this.sim.halted) this.merge();
    if (this.opts.dead && !this.sim.halted) this.dropDead(this.opts.dead);
  }

  /** Remove the messages in flight the protocol declares dead (DriverOptions.dead). */
  private dropDead(dead: NonNullable<DriverOptions['dead']>): void {
    for (const p of this.pending()) {
      if (p.kind !== 'deliver' || !dead(this.sim, p.to, p.msg)) continue;
      this.schedule.push(labelOf(p, 'drop'));
      this.sim.take(p.q, 'drop');
      this.deadDropped++;
      this.pendingNow = undefined;
    }
  }

  /** In flight before the last step: only messages sent since (q above this) can be new copies. */
  private mergedUpTo = -1;
  private readonly keys = new Map<number, string>();

  private merge(): void {
    const pending = this.pending();
    let top = this.mergedUpTo;
    for (const p of pending) if (p.q > top) top = p.q;
    if (top === this.mergedUpTo) return;
    const seen = new Set<string>();
    for (const p of pending) {
      if (p.kind !== 'deliver') continue;
      let key = this.keys.get(p.q);
      if (key === undefined) this.keys.set(p.q, (key = `${p.from}>${p.to}:${JSON.stringify(p.msg)}`));
      if (!seen.has(key)) {
        seen.add(key);
        continue;
      }
      this.schedule.push(labelOf(p, 'drop'));
      this.sim.take(p.q, 'drop');
      this.pendingNow = undefined;
    }
    this.mergedUpTo = top;
  }

  private apply(c: DriveChoice): void {
    switch (c.kind) {
      case 'deliver':
        this.sim.take(c.q);
        return;
      case 'timer': {
        if (this.budgets.timers !== undefined) {
          const q = c.q;
          const p = this.pending().find((e) => e.q === q);
          if (p?.kind === 'timer') {
            const kind = timerKind(p.name);
            if (this.budgets.timers[kind] !== undefined) this.fired[kind] = (this.fired[kind] ?? 0) + 1;
            if (this.budgets.timers['*'] !== undefined) this.fired['*'] = (this.fired['*'] ?? 0) + 1;
          }
        }
        this.sim.take(c.q);
        return;
      }
      case 'drop':
        this.losses++;
        this.sim.take(c.q, 'drop');
        return;
      case 'duplicate':
        this.duplicates++;
        this.sim.take(c.q, 'duplicate');
        return;
      case 'crash':
        this.crashes++;
        this.sim.inject({ kind: 'crash', node: c.node });
        return;
      case 'restart':
        this.sim.inject({ kind: 'restart', node: c.node });
        return;
    }
  }

  /** Take the choice with this label; throws ScheduleError when there is none (the schedule does not fit this run). */
  takeLabel(label: string, step = this.schedule.length): void {
    const i = this.choices().findIndex((c) => c.label === label);
    if (i < 0) throw new ScheduleError(label, step, this.choices().map((c) => c.label));
    this.take(i);
  }

  close(): RunResult {
    return this.sim.close();
  }
}

/** seedrandom's generators keep their position in a closure; they expose it as `state()` (sim/engine/random.ts asks for it). */
function copyGenerator(f: (...args: never[]) => unknown): ((...args: never[]) => unknown) | undefined {
  const state = (f as { state?: () => seedrandom.State.Alea }).state;
  return typeof state === 'function' ? seedrandom.alea('', { state: state.call(f) }) : undefined;
}

/**
 * Fresh nodes and checkers for a prepared run: the protocol's build step again, with the same seed and
 * build streams, keeping the run's checker selection (scenario `checkers`). The scenario was validated
 * when `run` was prepared, so this skips prepareRun's checks (cheaper: a driven run per explored state).
 */
export function rebuild(run: PreparedRun): { nodes: NodeSpec[]; checkers: Checker[] } {
  const protocol = getProtocol(run.scenario.protocol);
  if (!protocol) throw new InputError(`unknown protocol "${run.scenario.protocol}"`, run.file, 'protocol');
  const buildRng = rootRng(run.seed).fork('build');
  const built = protocol.build(run.scenario.config, { seed: run.seed, duration: run.scenario.duration, stream: (name) => buildRng.fork(name) });
  const byName = new Map(built.checkers.map((c) => [c.name, c]));
  const checkers = run.checkers.map((c) => byName.get(c.name)).filter((c): c is Checker => c !== undefined);
  return { nodes: built.nodes, checkers };
}

/** A schedule that does not fit the run (a user mistake: the CLI prints it as `schedule[i]: ...` and exits 2). */
export class ScheduleError extends InputError {
  override name = 'ScheduleError';
  constructor(
    readonly label: string,
    readonly step: number,
    readonly available: string[],
  ) {
    super(`"${label}" is not a choice at this step; expected one of: ${available.slice(0, 12).join('; ')}${available.length > 12 ? '; ...' : ''}`, undefined, `schedule[${step}]`);
  }
}

/**
 * Replay a schedule (choice labels) on a prepared run: the same run, the same trace. The run stops early at
 * a violation; the scenario's fault timeline and nemesis are not used (the schedule has its crashes).
 * Throws ScheduleError (an InputError) at the first label that is not a choice.
 */
export function replaySchedule(run: PreparedRun, schedule: readonly string[], opts: DriverOptions = {}): RunResult {
  const crashRoles = [...new Set(run.nodes.map((n) => n.role))];
  const d = new Driver(run, { budgets: { crashes: Infinity, losses: Infinity, duplicates: Infinity, crashRoles }, ...opts });
  schedule.forEach((label, step) => {
    if (!d.sim.halted) d.takeLabel(label, step);
  });
  return d.close();
}
