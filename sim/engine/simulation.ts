// The event loop. One seeded run of a cluster: nodes (sans-IO state machines),
// links, faults and checkers, over virtual time with a total order of events.
// Everything observable comes from the seed; see random.ts for the streams.
//
// The parts live in their own modules: events.ts (what the queue holds), queue.ts
// (the heap), node-slot.ts and clocks.ts (a node's record and local clock),
// node-context.ts (the NodeContext a handler gets), network.ts (links, loss,
// partitions), fault-apply.ts (applying a fault), fault-timeline.ts (labelled,
// triggered and targeted faults), checking.ts (checkers and violations),
// limits.ts (bounds on everything that grows). This file drives them and is the
// SimView checkers read.

import { AssertionFailure, assert, atOrFail } from './assert.ts';
import { Checking } from './checking.ts';
import { NodeClock } from './clocks.ts';
import type { EngineConfig, FaultAction, TimedFault } from './config.ts';
import type { SimDisk } from './disk.ts';
import { K_DELIVER, K_FAULT, K_START, K_TIMER, type DeliverEvent, type PendingEvent, type SimEvent, type StartEvent, type TimerEvent } from './events.ts';
import { FaultApplier } from './fault-apply.ts';
import { FaultState, type FaultStateView } from './fault-state.ts';
import { FaultTimeline } from './fault-timeline.ts';
import { HookLists } from './hooks.ts';
import { cloneJson, deepFreeze } from './json.ts';
import { DEFAULT_LIMITS, EngineLimitError, type EngineLimits } from './limits.ts';
import { Network } from './network.ts';
import { makeContext, type PendingOps } from './node-context.ts';
import { NodeSlot } from './node-slot.ts';
import { EventQueue } from './queue.ts';
import { rootRng, type Rng } from './random.ts';
import { TraceHasher, type TraceSink } from './trace.ts';
import type { RoleResolver, TriggerMatcher } from './targets.ts';
import type { Checker, HistoryEvent, JsonValue, Message, Micros, NodeId, NodeSpec, RunStats, SimView, TraceEvent, TraceEventType, TraceHeader, Violation, Warning } from './types.ts';

export type { PendingEvent } from './events.ts';
export { DEFAULT_MAX_STEPS, EngineLimitError, type EngineLimits } from './limits.ts';

export interface SimulationOptions {
  seed: string;
  nodes: NodeSpec[];
  config: EngineConfig;
  faults?: TimedFault[];
  checkers?: Checker[];
  /** Where trace lines go; omit for tracing off (the fast path: no event objects are built). */
  trace?: TraceSink;
  /** Header written as the first trace line (required when trace is set). */
  header?: TraceHeader;
  /** Hash the trace even without a sink (costs the serialisation, saves the I/O). */
  hash?: boolean;
  /** Stop at the first violation (default true). */
  stopOnViolation?: boolean;
  /**
   * How values cross the node boundary (messages, published states, history values): 'copy' (or
   * true, the default) deep-copies them with JSON semantics; 'freeze' deep-freezes them in place and
   * shares them (no allocation; a node that mutates what it sent or published gets a TypeError, an
   * `exception` violation); false shares them as they are (benchmarks of protocols known to be safe).
   */
  isolate?: boolean | 'copy' | 'freeze';
  /** Limit on processed events (default DEFAULT_MAX_STEPS, 100 M); reaching it ends the run with `end: 'max-steps'`. */
  maxSteps?: number;
  /** Bounds on what can grow during the run (default DEFAULT_LIMITS); exceeding one throws EngineLimitError. */
  limits?: Partial<Omit<EngineLimits, 'steps'>>;
  /** Roles faults may target as `@<name>` besides the generic ones (sim/engine/targets.ts): the protocol's. */
  roles?: Record<string, RoleResolver>;
  /** Protocol events faults may wait for (`on: { event }`). */
  triggers?: Record<string, TriggerMatcher>;
}

export interface RunResult {
  stats: RunStats;
  violations: Violation[];
  /** What checkers could not decide (see SimView.warn). */
  warnings: Warning[];
  /** SHA-256 of the trace (header and events), when tracing or hashing was on. */
  hash: string | undefined;
  /** Why the run ended. */
  end: 'time' | 'idle' | 'violation' | 'max-steps' | 'interrupted';
}

export class Simulation implements SimView {
  private readonly queue = new EventQueue<SimEvent>((ev) => this.describeEvent(ev));
  private readonly slots: NodeSlot[];
  private readonly ids: NodeId[];
  /** SimView.nodeIds: one frozen array for the run (coverage and roles read it at every instant). */
  private readonly frozenIds: readonly NodeId[];
  /** The last node looked up by id (SimView reads come in runs on one node: role, isUp, published). */
  private lastId: NodeId | undefined;
  private lastSlot: NodeSlot | undefined;
  private readonly index = new Map<NodeId, number>();
  private readonly root: Rng;
  private readonly network: Network;
  private readonly faultApplier: FaultApplier;
  private readonly timeline: FaultTimeline;
  private readonly checking: Checking;
  /** The checkers' typed hooks (Checker.on). */
  private readonly hooks: HookLists;
  private readonly sink: TraceSink | undefined;
  private readonly hasher: TraceHasher | undefined;
  /** Record trace events at all (tracing, hashing, observing checkers or fault triggers): number them, and build those some consumer reads. */
  private readonly rec: boolean;
  /** Build every event type (tracing, hashing, or an observer that declares no `observes`). */
  private readonly buildAll: boolean;
  /** Some fault waits on a trigger (`on`): while one is armed, the event types armed triggers read are built too (TriggerMatcher.observes; all when one declares none). */
  private readonly triggered: boolean;
  /** Otherwise, the event types observers read (Checker.observes): only these are built. */
  private readonly wanted: ReadonlySet<string>;
  /** Time of the last trace event (built or not), to tell observers of a new instant (Checker.onInstant). */
  private lastEventT = -1;
  /** The boundary crossing of SimulationOptions.isolate: a copy, a freeze or nothing. */
  private readonly cross: <T>(value: T) => T;
  private readonly maxSteps: number;
  private readonly limits: Readonly<EngineLimits>;
  /** State a node published before the `state` event being emitted (for triggers that look at a change). */
  private prevPublished: JsonValue | undefined;
  /** States published so far (Checker.onChange: checkers that declare it skip steps that published nothing). */
  private publishCount = 0;

  private time: Micros = 0;
  private nextSeq = 0;
  private nextMsgId = 0;
  private nextOpId = 0;
  private steps = 0;
  private stopped = false;
  private quiescedTime: Micros | undefined;
  private current: NodeSlot | undefined;
  /** Index of the only node the step being taken may have changed; -1 when it was a fault (any node may have changed). */
  private actorIdx = -1;
  private readonly faultState: FaultState;
  readonly violations: Violation[] = [];
  readonly warnings: Warning[] = [];
  /** Kinds of fault already reported as having changed nothing (see FaultHost.noopFault). */
  private readonly noopKinds = new Set<string>();
  readonly history: HistoryEvent[] = [];
  private readonly pendingOps: PendingOps = new Map();
  private readonly stats: RunStats = {
    events: 0,
    steps: 0,
    endTime: 0,
    messages: { sent: 0, delivered: 0, dropped: 0, droppedBy: {}, duplicated: 0, retransmitted: 0, inFlight: 0 },
    faults: 0,
    timers: 0,
    operations: { invoked: 0, ok: 0, fail: 0, info: 0, pending: 0 },
  };

  constructor(opts: SimulationOptions) {
    const { nodes, config } = opts;
    assert(nodes.length > 0, 'a simulation needs at least one node');
    this.limits = { ...DEFAULT_LIMITS, ...opts.limits, steps: opts.maxSteps ?? DEFAULT_LIMITS.steps };
    this.root = rootRng(opts.seed);
    const faultRng = this.root.fork('faults');
    const nodeRng = this.root.fork('node');
    this.slots = nodes.map((spec, i) => {
      assert(!this.index.has(spec.id), `duplicate node id "${spec.id}"`);
      this.index.set(spec.id, i);
      const clock = config.clocks[spec.id] ?? { offset: 0, drift: 0 };
      const tooManyKeys = (bound: number): never => {
        throw new EngineLimitError('diskKeys', bound, this.time, `the keys on the disk of node ${spec.id}`);
      };
      return new NodeSlot(i, spec, nodeRng.fork(spec.id), new NodeClock(spec.id, clock), this.limits.diskKeys, tooManyKeys);
    });
    this.ids = this.slots.map((s) => s.spec.id);
    this.frozenIds = Object.freeze([...this.ids]);
    this.faultState = new FaultState(this.index);

    const checkers = opts.checkers ?? [];
    const hooks = new HookLists(checkers);
    this.hooks = hooks;
    this.sink = opts.trace;
    this.hasher = opts.trace || opts.hash ? new TraceHasher() : undefined;
    const faults = opts.faults ?? [];
    // Triggers read trace events, so a run with one builds, even untraced, the types the armed triggers
    // read (TriggerMatcher.observes; every type for one that declares none) while a trigger is armed
    // (from its `at` until it fires); observers that declare the types they read get only those built
    // (Checker.observes).
    const observers = checkers.filter((c) => c.when === 'always' && c.observe !== undefined);
    this.buildAll = this.hasher !== undefined || observers.some((c) => c.observes === undefined);
    this.triggered = faults.some((f) => f.on !== undefined);
    this.wanted = new Set(observers.flatMap((c) => c.observes ?? []));
    // A checker with typed hooks (Checker.on) numbers events like an observer (no object is built for them).
    const rec = this.buildAll || this.triggered || observers.length > 0 || hooks.any;
    this.rec = rec;
    this.checking = new Checking(
      checkers,
      {
        now: () => this.time,
        rec,
        seq: () => this.nextSeq,
        steps: () => this.steps,
        publishes: () => this.publishCount,
        faultStep: () => this.actorIdx < 0,
        emit: (ev) => this.emit(ev),
        skipSeq: () => {
          this.nextSeq++;
        },
        stop: () => {
          this.stopped = true;
        },
        maxViolations: this.limits.reports,
        view: this,
        hooks,
      },
      this.violations,
      opts.stopOnViolation ?? true,
    );
    const isolate = opts.isolate ?? 'copy';
    this.cross = isolate === 'freeze' ? deepFreeze : isolate === false ? <T>(v: T): T => v : cloneJson;
    this.maxSteps = this.limits.steps;

    this.network = new Network(this.ids, config.network, this.root.fork('link'), faultRng, this.faultState, this.stats.messages, {
      now: () => this.time,
      rec,
      traces: (type) => this.traces(type),
      emit: (ev) => this.emit(ev),
      push: (ev) => this.push(ev),
      copy: this.cross,
      nextMsgId: () => this.nextMsgId++,
      hooks,
    });
    this.faultApplier = new FaultApplier(
      {
        now: () => this.time,
        rec,
        emit: (ev) => this.emit(ev),
        slot: (id) => this.slot(id),
        slots: this.slots,
        push: (ev) => this.push(ev),
        runHandler: (slot, fn) => this.callHandler(slot, fn),
        quiesced: (t) => {
          this.quiescedTime = t;
          if (this.rec) this.emit({ seq: 0, t, type: 'log', node: '*', text: 'quiesce: faults stopped, liveness phase begins' });
          if (this.timeline.waiting) this.timeline.disarmAll();
        },
        countFault: () => {
          this.stats.faults++;
        },
        hooks,
        // Once per kind, as a run warning (not traced: the trace and its hash do not change).
        noopFault: (kind, what) => {
          if (this.noopKinds.has(kind)) return;
          this.noopKinds.add(kind);
          this.warnings.push({ checker: 'faults', message: `${what}, changed nothing (counted in the faults; later no-op ${kind} faults of this run are not reported)`, t: this.time });
        },
      },
      this.network,
      this.faultState,
      faultRng,
      config.disk.corruptOnCrash,
    );
    const contextHost = {
      now: () => this.time,
      rec,
      traces: (type: TraceEventType) => this.traces(type),
      current: () => this.current,
      emit: (ev: TraceEvent) => this.emit(ev),
      send: (from: NodeSlot, to: NodeId, msg: Message) => this.network.send(from.idx, to, msg),
      pushTimer: (ev: TimerEvent) => this.push(ev),
      record: (h: HistoryEvent) => {
        if (this.history.length >= this.limits.historyEvents) throw new EngineLimitError('historyEvents', this.limits.historyEvents, this.time, 'the client history');
        this.history.push(h);
      },
      published: (slot: NodeSlot, state: JsonValue) => {
        this.prevPublished = slot.published;
        slot.published = state;
        this.publishCount++;
        if (this.rec && this.traces('state')) this.emit({ seq: 0, t: this.time, type: 'state', node: slot.spec.id, state });
        for (const h of hooks.publish) h(slot.spec.id, state);
      },
      operations: this.stats.operations,
      maxTimers: this.limits.timersPerNode,
      tooManyTimers: (slot: NodeSlot): never => {
        throw new EngineLimitError('timersPerNode', this.limits.timersPerNode, this.time, `the armed timers of node ${slot.spec.id}`);
      },
      nextOpId: () => this.nextOpId++,
      copy: this.cross,
      hooks,
    };
    for (const slot of this.slots) slot.ctx = makeContext(contextHost, slot, this.ids, this.pendingOps);

    if (this.hasher) {
      assert(opts.header !== undefined, 'a traced or hashed run needs a header');
      this.writeLine(JSON.stringify(opts.header));
    }
    for (const slot of this.slots) this.push({ t: 0, q: 0, k: K_START, node: slot.idx });
    this.timeline = new FaultTimeline(
      faults,
      {
        now: () => this.time,
        rec,
        quiescedAt: () => this.quiescedTime,
        emit: (ev) => this.emit(ev),
        push: (ev) => this.push(ev),
        apply: (f) => this.applyFault(f),
        view: this,
        domain: () => {
          const servers = this.slots.filter((s) => s.spec.role === 'server').map((s) => s.spec.id);
          return servers.length > 0 ? servers : [...this.ids];
        },
        started: (id) => this.slot(id).started,
      },
      this.root,
      opts.roles ?? {},
      opts.triggers ?? {},
    );
  }

  /** Queue an event, within the bound on queued events. */
  private push(ev: SimEvent): void {
    if (this.queue.size >= this.limits.queuedEvents) throw new EngineLimitError('queuedEvents', this.limits.queuedEvents, this.time, 'the event queue (messages in flight, timers, faults)');
    this.queue.push(ev);
  }

  /** Hold an event for a paused node until it resumes, within the bound on held events. */
  private hold(slot: NodeSlot, ev: SimEvent): void {
    const bound = this.limits.pausedEvents;
    if (slot.pausedQueue.length >= bound) throw new EngineLimitError('pausedEvents', bound, this.time, `the events held for paused node ${slot.spec.id}`);
    slot.pausedQueue.push(ev);
  }

  /** An event in words, for the stalled-time report (TimeStalledError from the queue). */
  private describeEvent(ev: SimEvent): string {
    const id = (i: number): string => this.ids[i] ?? `#${i}`;
    switch (ev.k) {
      case K_TIMER:
        return `timer "${ev.name}" of node ${id(ev.node)}`;
      case K_DELIVER:
        return `messages "${ev.msg.type}" from ${id(ev.from)} to ${id(ev.to)}`;
      case K_FAULT:
        return `fault ${ev.fault.kind}`;
      case K_START:
        return `start of node ${id(ev.node)}`;
    }
  }

  // ------------------------------------------------------------ SimView

  get now(): Micros {
    return this.time;
  }
  get seq(): number {
    return this.nextSeq;
  }
  get stepsTaken(): number {
    return this.steps;
  }
  get publishes(): number {
    return this.publishCount;
  }
  get nodeIds(): readonly NodeId[] {
    return this.frozenIds;
  }
  get quiesced(): boolean {
    return this.quiescedTime !== undefined;
  }
  get quiescedAt(): Micros | undefined {
    return this.quiescedTime;
  }
  get actor(): NodeId | undefined {
    return this.actorIdx < 0 ? undefined : this.at(this.actorIdx).spec.id;
  }
  get faults(): FaultStateView {
    return this.faultState;
  }
  role(id: NodeId): string {
    return this.slot(id).spec.role;
  }
  isUp(id: NodeId): boolean {
    return this.slot(id).up;
  }
  isPaused(id: NodeId): boolean {
    return this.slot(id).paused;
  }
  behaviour<B>(id: NodeId): B | undefined {
    const s = this.slot(id);
    return s.up ? (s.behaviour as B) : undefined;
  }
  published(id: NodeId): JsonValue | undefined {
    return this.slot(id).published;
  }
  durable(id: NodeId): ReadonlyMap<string, JsonValue> {
    return this.slot(id).disk.durableView();
  }
  durableRecord(id: NodeId, key: string): JsonValue | undefined {
    return this.slot(id).disk.durableGet(key);
  }
  durableFrozen(id: NodeId): ReadonlyMap<string, JsonValue> {
    return this.slot(id).disk.durableFrozenView();
  }
  durableEpoch(id: NodeId): number | undefined {
    const disk = this.slot(id).disk;
    return disk.everCorrupted ? undefined : disk.fsyncs;
  }
  warn(checker: string, message: string): void {
    if (this.warnings.length >= this.limits.reports) throw new EngineLimitError('reports', this.limits.reports, this.time, `the warnings of the run (${checker})`);
    this.warnings.push({ checker, message, t: this.time });
    if (this.rec) this.emit({ seq: 0, t: this.time, type: 'log', node: '*', text: `warning from ${checker}: ${message}` });
  }

  /** Local clock reading of a node at the current true time (for checkers and the viewer). */
  localTime(id: NodeId): Micros {
    return this.slot(id).clock.local(this.time);
  }

  private slot(id: NodeId): NodeSlot {
    if (id === this.lastId && this.lastSlot !== undefined) return this.lastSlot;
    const i = this.index.get(id);
    if (i === undefined) throw new RangeError(`unknown node "${id}"`);
    const slot = this.at(i);
    this.lastId = id;
    this.lastSlot = slot;
    return slot;
  }

  /** The slot at a node index (asserted in range). */
  private at(i: number): NodeSlot {
    return atOrFail(this.slots, i, 'node index');
  }

  // ------------------------------------------------------------ running

  /** Run until virtual time `until` (inclusive), the queue empties, or a violation stops it; or `interrupt` (asked every 4096 events) gives true: `end` 'interrupted', as runInterruptible. */
  run(until: Micros, interrupt?: () => boolean): RunResult {
    for (;;) {
      const end = this.loop(until, interrupt ? Math.min(this.maxSteps, this.steps + 4096) : this.maxSteps);
      if (end !== 'paused' || !interrupt) return this.conclude(until, end === 'paused' ? 'max-steps' : end);
      if (interrupt()) return this.finish('interrupted');
    }
  }

  /**
   * `run`, but after every `every` steps (a number, or a function of the steps so far) it awaits `poll(steps)`; when that gives true the run
   * stops there: no final checks, `end` 'interrupted', a footer marked `interrupted: true` (its hash
   * still covers every line before it). The engine reads no clock or signal itself: the caller's
   * `poll` does (the CLI yields to the event loop there and reports Ctrl-C), so the steps run are
   * the same as `run`'s up to the interruption.
   */
  async runInterruptible(until: Micros, poll: (steps: number) => boolean | Promise<boolean>, every: number | ((steps: number) => number) = 1024): Promise<RunResult> {
    for (;;) {
      const chunk = typeof every === 'number' ? every : every(this.steps);
      const end = this.loop(until, Math.min(this.maxSteps, this.steps + Math.max(1, chunk)));
      if (end !== 'paused') return this.conclude(until, end);
      if (await poll(this.steps)) return this.finish('interrupted');
    }
  }

  /** Process events until `until`, idle, a violation, or `limit` steps ('paused' when the limit is not maxSteps). */
  private loop(until: Micros, limit: number): RunResult['end'] | 'paused' {
    let end: RunResult['end'] | 'paused' = 'idle';
    const q = this.queue;
    while (!this.stopped) {
      // The queue's own copy of the time: no field load from events of several shapes.
      const t = q.peekTime();
      if (t === Number.POSITIVE_INFINITY) break;
      if (t > until) {
        end = 'time';
        break;
      }
      if (this.steps >= limit) {
        end = limit >= this.maxSteps ? 'max-steps' : 'paused';
        break;
      }
      const ev = q.pop() as SimEvent;
      this.time = t;
      this.actorIdx = -1;
      let ran: boolean;
      switch (ev.k) {
        case K_DELIVER:
          ran = this.deliver(ev);
          break;
        case K_TIMER:
          ran = this.fireTimer(ev);
          break;
        case K_FAULT:
          if (ev.entry === undefined) {
            this.applyFault(ev.fault);
            ran = true;
          } else {
            ran = this.timeline.fire(ev.entry, ev.arm === true);
          }
          break;
        case K_START:
          ran = this.startNode(ev);
          break;
      }
      if (ran) {
        this.steps++;
        if (this.checking.hasAlways) this.checking.afterStep();
      }
    }
    return end;
  }

  private conclude(until: Micros, loopEnd: RunResult['end']): RunResult {
    let end = loopEnd;
    if (this.stopped) end = 'violation';
    else if (end === 'time' || (end === 'idle' && this.time < until)) this.time = Math.max(this.time, until);
    if (!this.stopped) this.checking.atEnd();
    return this.finish(end);
  }

  private finish(end: RunResult['end']): RunResult {
    const s = this.stats;
    s.steps = this.steps;
    s.events = this.nextSeq;
    s.endTime = this.time;
    let inFlight = 0;
    for (const ev of this.queue.items()) if (ev.k === K_DELIVER && !this.taken.has(ev)) inFlight++;
    for (const slot of this.slots) for (const ev of slot.pausedQueue) if (ev.k === K_DELIVER) inFlight++;
    s.messages.inFlight = inFlight;
    s.operations.pending = this.pendingOps.size;
    const hash = this.hasher?.digest();
    if (this.sink && hash !== undefined) {
      this.sink.write(JSON.stringify({ type: 'end', t: this.time, events: this.nextSeq, hash, stats: s, ...(end === 'interrupted' ? { interrupted: true } : {}) }) + '\n');
    }
    return { stats: s, violations: this.violations, warnings: this.warnings, hash, end };
  }

  private startNode(ev: StartEvent): boolean {
    const slot = this.at(ev.node);
    if (slot.started) return false;
    slot.started = true;
    slot.up = true;
    slot.behaviour = slot.spec.create();
    this.actorIdx = slot.idx;
    this.faultState.nodeRunning(slot.idx, true, this.time);
    if (this.rec && this.traces('start')) this.emit({ seq: 0, t: this.time, type: 'start', node: slot.spec.id });
    for (const h of this.hooks.start) h(slot.spec.id, false);
    this.callHandler(slot, () => slot.behaviour?.onStart(slot.ctx));
    return true;
  }

  private deliver(ev: DeliverEvent): boolean {
    const to = this.at(ev.to);
    this.actorIdx = ev.to;
    if (!to.up) {
      this.network.drop(ev.id, ev.from, ev.to, 'crashed');
      return true;
    }
    if (this.network.isBlocked(ev.from, ev.to)) {
      // The partition started while the message was on the wire.
      this.network.drop(ev.id, ev.from, ev.to, 'partition');
      return true;
    }
    if (to.paused) {
      this.hold(to, ev);
      return false;
    }
    this.stats.messages.delivered++;
    const from = this.at(ev.from).spec.id;
    if (this.rec && this.traces('deliver')) this.emit({ seq: 0, t: this.time, type: 'deliver', id: ev.id, from, to: to.spec.id });
    if (this.hooks.messages) for (const h of this.hooks.deliver) h(ev.id, from, to.spec.id);
    const b = to.behaviour;
    assert(b !== undefined, `${to.spec.id}: up without a behaviour`);
    this.current = to;
    try {
      b.onMessage(to.ctx, from, ev.msg);
    } catch (err) {
      this.handlerFailed(to, err);
    }
    this.current = undefined;
    return true;
  }

  private fireTimer(ev: TimerEvent): boolean {
    const slot = this.at(ev.node);
    if (!slot.up || slot.timers.get(ev.name) !== ev.gen) return false; // cancelled, re-armed or lost in a crash
    if (slot.paused) {
      this.hold(slot, ev);
      return false;
    }
    slot.timers.delete(ev.name);
    this.actorIdx = slot.idx;
    this.stats.timers++;
    if (this.rec && this.traces('timer')) this.emit({ seq: 0, t: this.time, type: 'timer', node: slot.spec.id, name: ev.name });
    for (const h of this.hooks.timer) h(slot.spec.id, ev.name);
    // Inline rather than callHandler(slot, closure): timers are a hot path, and this allocates nothing.
    const b = slot.behaviour;
    assert(b !== undefined, `${slot.spec.id}: up without a behaviour`);
    this.current = slot;
    try {
      b.onTimer(slot.ctx, ev.name);
    } catch (err) {
      this.handlerFailed(slot, err);
    }
    this.current = undefined;
    return true;
  }

  private callHandler(slot: NodeSlot, fn: () => void): void {
    this.current = slot;
    try {
      fn();
    } catch (err) {
      this.handlerFailed(slot, err);
    }
    this.current = undefined;
  }

  /** A handler threw: a violation (`assertion` or `exception`), except an engine bound, which ends the run as an error. */
  private handlerFailed(slot: NodeSlot, err: unknown): void {
    if (err instanceof EngineLimitError) throw err;
    const name = err instanceof AssertionFailure ? (err.invariant ?? 'assertion') : 'exception';
    const text = err instanceof Error ? err.message : String(err);
    this.checking.violate(name, `${slot.spec.id}: ${text}`);
  }

  // ------------------------------------------------------------ driven mode (sim/explore)
  // Instead of run(), a caller may pick every event itself: pending() lists what
  // may happen next, take() does one of them, inject() applies a fault now, and
  // close() ends the run (final checkers, trace footer). Time only moves forward:
  // taking an event scheduled earlier than now happens now. Do not mix with run().

  private readonly taken = new WeakSet<SimEvent>();

  /** Events that would do something if taken now (live timers, undelivered messages, unstarted nodes), in insertion order. */
  pending(): PendingEvent[] {
    const out: PendingEvent[] = [];
    for (const ev of this.queue.items()) {
      if (this.taken.has(ev)) continue;
      switch (ev.k) {
        case K_DELIVER:
          out.push({ kind: 'deliver', q: ev.q, t: ev.t, id: ev.id, from: this.at(ev.from).spec.id, to: this.at(ev.to).spec.id, msg: ev.msg });
          break;
        case K_TIMER: {
          const slot = this.at(ev.node);
          if (slot.up && slot.timers.get(ev.name) === ev.gen) out.push({ kind: 'timer', q: ev.q, t: ev.t, node: slot.spec.id, name: ev.name });
          break;
        }
        case K_FAULT:
          out.push({ kind: 'fault', q: ev.q, t: ev.t, fault: ev.fault });
          break;
        case K_START:
          if (!this.at(ev.node).started) out.push({ kind: 'start', q: ev.q, t: ev.t, node: this.at(ev.node).spec.id });
          break;
      }
    }
    return out.sort((a, b) => a.q - b.q);
  }

  /**
   * Take the pending event with insertion number `q`. A message may instead be
   * lost ('drop', traced as a loss) or delivered with a copy left in flight
   * ('duplicate', traced as a duplicate). Always-checkers run afterwards.
   */
  take(q: number, how: 'deliver' | 'drop' | 'duplicate' = 'deliver'): void {
    const ev = this.queue.items().find((e) => e.q === q && !this.taken.has(e));
    assert(ev !== undefined, `take: no pending event ${q}`);
    this.taken.add(ev);
    if (ev.t > this.time) this.time = ev.t;
    this.actorIdx = -1; // as in loop(): a fault step names no actor; a delivery, timer or start sets it
    let ran: boolean;
    if (ev.k === K_DELIVER && how === 'drop') {
      this.network.drop(ev.id, ev.from, ev.to, 'loss');
      ran = true;
    } else {
      if (ev.k === K_DELIVER && how === 'duplicate') {
        const copy = this.nextMsgId++;
        this.stats.messages.duplicated++;
        if (this.rec && this.traces('duplicate')) this.emit({ seq: 0, t: this.time, type: 'duplicate', id: copy, of: ev.id, from: this.at(ev.from).spec.id, to: this.at(ev.to).spec.id });
        if (this.hooks.messages) for (const h of this.hooks.duplicate) h(copy, ev.id, this.at(ev.from).spec.id, this.at(ev.to).spec.id);
        this.push({ t: this.time, q: 0, k: K_DELIVER, id: copy, from: ev.from, to: ev.to, msg: this.cross(ev.msg) });
      }
      ran = this.process(ev);
    }
    if (ran) {
      this.steps++;
      if (this.checking.hasAlways && !this.stopped) this.checking.afterStep();
    }
  }

  /** Apply a fault now as a step of a driven run (always-checkers run afterwards). */
  inject(f: FaultAction): void {
    this.actorIdx = -1; // a fault may change any node (SimView.actor)
    this.applyFault(f);
    this.steps++;
    if (this.checking.hasAlways && !this.stopped) this.checking.afterStep();
  }

  /** True once a violation stopped the run. */
  get halted(): boolean {
    return this.stopped;
  }

  /** End a driven run: final checkers (unless stopped), trace footer. */
  close(): RunResult {
    if (!this.stopped) this.checking.atEnd();
    return this.finish(this.stopped ? 'violation' : 'idle');
  }

  /** A node's disk, for fingerprints of driven runs (read-only use). */
  diskOf(id: NodeId): SimDisk {
    return this.slot(id).disk;
  }

  /** Names of a node's armed timers. */
  armedTimers(id: NodeId): string[] {
    return [...this.slot(id).timers.keys()];
  }

  private process(ev: SimEvent): boolean {
    switch (ev.k) {
      case K_DELIVER:
        return this.deliver(ev);
      case K_TIMER:
        return this.fireTimer(ev);
      case K_FAULT:
        this.applyFault(ev.fault);
        return true;
      case K_START:
        return this.startNode(ev);
    }
  }

  // ------------------------------------------------------------ faults

  /** Apply a fault now (also used by tests and the fault timeline). Targets must be resolved (no `@role` or `$label`). */
  applyFault(f: FaultAction): void {
    this.faultApplier.apply(f);
  }

  // ------------------------------------------------------------ trace

  /**
   * Whether to build a trace event of `type` now (call only when `rec`). When not, its sequence
   * number is consumed and a new instant noted here as if it had been emitted, so numbering and
   * onInstant hooks do not depend on which types are built.
   */
  private traces(type: TraceEventType): boolean {
    if (this.buildAll || this.wanted.has(type) || (this.triggered && this.timeline.waiting && this.timeline.reads(type))) return true;
    this.nextSeq++;
    if (this.time !== this.lastEventT) this.newInstant(this.time);
    return false;
  }

  private newInstant(t: Micros): void {
    this.lastEventT = t;
    if (this.checking.instantHooks.length > 0) this.checking.instant(t);
  }

  private emit(ev: TraceEvent): void {
    ev.seq = this.nextSeq++;
    if (ev.t !== this.lastEventT) this.newInstant(ev.t);
    if (this.hasher) this.writeLine(JSON.stringify(ev));
    this.checking.observe(ev);
    if (this.timeline.waiting) this.timeline.match(ev, ev.type === 'state' ? this.prevPublished : undefined);
  }

  private writeLine(line: string): void {
    const text = line + '\n';
    this.hasher?.update(text);
    this.sink?.write(text);
  }
}
