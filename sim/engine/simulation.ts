// The event loop. One seeded run of a cluster: nodes (sans-IO state machines),
// links, faults and checkers, over virtual time with a total order of events.
// Everything observable comes from the seed; see random.ts for the streams.

import { AssertionFailure, assert } from './assert.ts';
import type { ClockConfig, EngineConfig, FaultAction, FaultTrigger, LinkModel, TimedFault } from './config.ts';
import { SimDisk } from './disk.ts';
import { FaultState, type FaultStateView } from './fault-state.ts';
import { cloneJson } from './json.ts';
import { sampleLatency } from './latency.ts';
import { EventQueue } from './queue.ts';
import { rootRng, type Rng } from './random.ts';
import { TraceHasher, type TraceSink } from './trace.ts';
import { describeFault, hasSymbolicTarget, primaryNode, resolveFault, targetHolders, type RoleResolver, type TargetContext, type TriggerMatcher } from './targets.ts';
import type {
  Checker,
  DropReason,
  HistoryEvent,
  JsonValue,
  Message,
  Micros,
  NodeBehaviour,
  NodeContext,
  NodeId,
  NodeSpec,
  OpCall,
  OpOutcome,
  RunStats,
  SimView,
  TraceEvent,
  TraceHeader,
  Violation,
  Warning,
} from './types.ts';

const K_DELIVER = 0;
const K_TIMER = 1;
const K_FAULT = 2;
const K_START = 3;

interface DeliverEvent {
  t: Micros;
  q: number;
  k: typeof K_DELIVER;
  id: number;
  from: number;
  to: number;
  msg: Message;
}
interface TimerEvent {
  t: Micros;
  q: number;
  k: typeof K_TIMER;
  node: number;
  name: string;
  gen: number;
}
interface FaultEvent {
  t: Micros;
  q: number;
  k: typeof K_FAULT;
  fault: FaultAction;
  /** Index in the timeline of a fault that is scheduled, labelled, triggered or targeted (see FaultEntry). */
  entry?: number;
  /** Arm the entry's trigger instead of firing it. */
  arm?: boolean;
}

/** A timeline fault that needs more than "apply at `at`": a label, a trigger, an `after`, or a role/label target. */
interface FaultEntry {
  index: number;
  fault: FaultAction;
  at: Micros;
  id: string | undefined;
  on: FaultTrigger | undefined;
  after: string | undefined;
  delay: Micros;
  state: 'waiting' | 'armed' | 'scheduled' | 'fired' | 'skipped';
  /** Occurrences of the trigger counted so far. */
  count: number;
  triggerNode: NodeId | undefined;
  /** The node it hit (what `$<id>` resolves to). */
  node: NodeId | undefined;
}
interface StartEvent {
  t: Micros;
  q: number;
  k: typeof K_START;
  node: number;
}
type SimEvent = DeliverEvent | TimerEvent | FaultEvent | StartEvent;

/** A pending event of a driven run (see Simulation.pending). `q` identifies it; `t` is when a seeded run would take it. */
export type PendingEvent =
  | { kind: 'deliver'; q: number; t: Micros; id: number; from: NodeId; to: NodeId; msg: Message }
  | { kind: 'timer'; q: number; t: Micros; node: NodeId; name: string }
  | { kind: 'fault'; q: number; t: Micros; fault: FaultAction }
  | { kind: 'start'; q: number; t: Micros; node: NodeId };

interface Link {
  model: LinkModel;
  /** Forked on first use (a fork is keyed by name only, so laziness changes no draw; it makes building a simulation cheap). */
  rng: Rng | undefined;
  name: string;
  /** Latest delivery time scheduled on this link (for FIFO links). */
  lastDelivery: Micros;
}
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
  /** Deep-copy messages, published states and history values at the node boundary (default true). */
  isolate?: boolean;
  /** Safety limit on processed events. */
  maxSteps?: number;
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

class NodeSlot {
  behaviour: NodeBehaviour<Message> | undefined;
  up = false;
  paused = false;
  started = false;
  timers = new Map<string, number>();
  timerGen = 0;
  pausedQueue: SimEvent[] = [];
  published: JsonValue | undefined;
  /** Local clock: local(t) = baseLocal + (t - baseTrue) * (1 + drift). */
  baseLocal: number;
  baseTrue = 0;
  drift: number;
  readonly disk = new SimDisk();
  ctx!: NodeContext<Message>;
  constructor(
    readonly idx: number,
    readonly spec: NodeSpec,
    readonly rng: Rng,
    clock: ClockConfig,
  ) {
    this.baseLocal = clock.offset;
    this.drift = clock.drift;
    assert(clock.drift > -1, `clock drift of ${spec.id} must be > -1`);
  }
}

const clone = cloneJson;

export class Simulation implements SimView {
  private readonly queue = new EventQueue<SimEvent>((ev) => this.describeEvent(ev));
  private readonly slots: NodeSlot[];
  private readonly index = new Map<NodeId, number>();
  private readonly links: Link[];
  /** blocked[from * n + to] > 0 when some partition or block cuts that direction. */
  private readonly blocked: Uint8Array;
  private readonly n: number;
  private readonly root: Rng;
  private readonly faultRng: Rng;
  private readonly linkRng: Rng;
  private readonly always: Checker[];
  private readonly final: Checker[];
  private readonly observers: Checker[];
  private readonly failedCheckers = new Set<string>();
  private readonly sink: TraceSink | undefined;
  private readonly hasher: TraceHasher | undefined;
  /** Build trace event objects at all (tracing, hashing or observing checkers). */
  private readonly rec: boolean;
  private readonly isolate: boolean;
  private readonly stopOnViolation: boolean;
  private readonly maxSteps: number;
  private readonly roles: Record<string, RoleResolver>;
  private readonly triggers: Record<string, TriggerMatcher>;
  private readonly entries: FaultEntry[] = [];
  private readonly entryById = new Map<string, FaultEntry>();
  /** Entries waiting on their trigger, in timeline order. */
  private armed: FaultEntry[] = [];
  /** State a node published before the `state` event being emitted (for triggers that look at a change). */
  private prevPublished: JsonValue | undefined;
  private targetRng: Rng | undefined;

  private time: Micros = 0;
  private nextSeq = 0;
  private nextMsgId = 0;
  private nextOpId = 0;
  private burstLoss = 0;
  private steps = 0;
  private stopped = false;
  private quiescedTime: Micros | undefined;
  private current: NodeSlot | undefined;
  /** Index of the only node the step being taken may have changed; -1 when it was a fault (any node may have changed). */
  private actorIdx = -1;
  private readonly faultState: FaultState;
  private lastCause = -1;
  readonly violations: Violation[] = [];
  readonly warnings: Warning[] = [];
  readonly history: HistoryEvent[] = [];
  private readonly pendingOps = new Map<number, { process: string }>();
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
    this.n = nodes.length;
    this.root = rootRng(opts.seed);
    this.faultRng = this.root.fork('faults');
    const nodeRng = this.root.fork('node');
    this.slots = nodes.map((spec, i) => {
      assert(!this.index.has(spec.id), `duplicate node id "${spec.id}"`);
      this.index.set(spec.id, i);
      const clock = config.clocks[spec.id] ?? { offset: 0, drift: 0 };
      return new NodeSlot(i, spec, nodeRng.fork(spec.id), clock);
    });
    for (const slot of this.slots) slot.ctx = this.makeContext(slot);
    this.faultState = new FaultState(this.index);

    // Links: the default model, then overrides in order (later ones win).
    this.linkRng = this.root.fork('link');
    this.links = [];
    for (const a of nodes) {
      for (const b of nodes) {
        const { links: _links, ...defaults } = config.network;
        let model: LinkModel = { ...defaults };
        for (const o of config.network.links) {
          if ((o.from === '*' || o.from === a.id) && (o.to === '*' || o.to === b.id)) {
            const { from: _f, to: _t, ...rest } = o;
            model = { ...model, ...rest };
          }
        }
        this.links.push({ model, rng: undefined, name: `${a.id}->${b.id}`, lastDelivery: 0 });
      }
    }
    this.blocked = new Uint8Array(this.n * this.n);
    this.corruptOnCrash = config.disk.corruptOnCrash;

    const checkers = opts.checkers ?? [];
    this.always = checkers.filter((c) => c.when === 'always');
    this.final = checkers.filter((c) => c.when === 'final');
    this.observers = this.always.filter((c) => c.observe !== undefined);
    this.sink = opts.trace;
    this.hasher = opts.trace || opts.hash ? new TraceHasher() : undefined;
    this.roles = opts.roles ?? {};
    this.triggers = opts.triggers ?? {};
    const faults = opts.faults ?? [];
    // Triggers read trace events, so a run with one builds them even untraced.
    this.rec = this.hasher !== undefined || this.observers.length > 0 || faults.some((f) => f.on !== undefined);
    this.isolate = opts.isolate ?? true;
    this.stopOnViolation = opts.stopOnViolation ?? true;
    this.maxSteps = opts.maxSteps ?? Number.POSITIVE_INFINITY;

    if (this.hasher) {
      assert(opts.header !== undefined, 'a traced or hashed run needs a header');
      this.writeLine(JSON.stringify(opts.header));
    }
    for (const slot of this.slots) this.queue.push({ t: 0, q: 0, k: K_START, node: slot.idx });
    faults.forEach((f, index) => {
      const { at, id, on, after, delay, ...rest } = f;
      const fault = rest as FaultAction;
      assert(Number.isInteger(at) && at >= 0, `fault time must be a non-negative integer (got ${at})`);
      if (id === undefined && on === undefined && after === undefined && !hasSymbolicTarget(fault)) {
        this.queue.push({ t: at, q: 0, k: K_FAULT, fault });
        return;
      }
      assert(delay === undefined || (Number.isInteger(delay) && delay >= 0), `fault ${index}: delay must be a non-negative integer (got ${delay})`);
      assert(on === undefined || this.triggers[on.event] !== undefined, () => `fault ${index}: unknown trigger "${on?.event}"`);
      assert(on === undefined || after === undefined, `fault ${index}: a fault has either on or after, not both`);
      const e: FaultEntry = { index, fault, at, id, on, after, delay: delay ?? 0, state: 'waiting', count: 0, triggerNode: undefined, node: undefined };
      this.entries.push(e);
      if (id !== undefined) {
        assert(!this.entryById.has(id), `fault ${index}: duplicate fault id "${id}"`);
        this.entryById.set(id, e);
      }
      if (on !== undefined) this.queue.push({ t: at, q: 0, k: K_FAULT, fault, entry: this.entries.length - 1, arm: true });
      else if (after === undefined) this.queue.push({ t: at, q: 0, k: K_FAULT, fault, entry: this.entries.length - 1 });
    });
    for (const e of this.entries) assert(e.after === undefined || this.entryById.has(e.after), () => `fault ${e.index}: after names no fault id "${e.after}"`);
  }

  private readonly corruptOnCrash: number;

  /** An event in words, for the stalled-time report (TimeStalledError from the queue). */
  private describeEvent(ev: SimEvent): string {
    const id = (i: number): string => (this.slots[i] as NodeSlot).spec.id;
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
  get nodeIds(): readonly NodeId[] {
    return this.slots.map((s) => s.spec.id);
  }
  get quiesced(): boolean {
    return this.quiescedTime !== undefined;
  }
  get quiescedAt(): Micros | undefined {
    return this.quiescedTime;
  }
  get actor(): NodeId | undefined {
    return this.actorIdx < 0 ? undefined : (this.slots[this.actorIdx] as NodeSlot).spec.id;
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
  warn(checker: string, message: string): void {
    this.warnings.push({ checker, message, t: this.time });
    if (this.rec) this.emit({ seq: 0, t: this.time, type: 'log', node: '*', text: `warning from ${checker}: ${message}` });
  }

  /** Local clock reading of a node at the current true time (for checkers and the viewer). */
  localTime(id: NodeId): Micros {
    return this.localNow(this.slot(id));
  }

  private slot(id: NodeId): NodeSlot {
    const i = this.index.get(id);
    if (i === undefined) throw new RangeError(`unknown node "${id}"`);
    return this.slots[i] as NodeSlot;
  }

  // ------------------------------------------------------------ running

  /** Run until virtual time `until` (inclusive), the queue empties, or a violation stops it. */
  run(until: Micros): RunResult {
    const end = this.loop(until, this.maxSteps);
    return this.conclude(until, end === 'paused' ? 'max-steps' : end);
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
      const ev = q.peek();
      if (ev === undefined) break;
      if (ev.t > until) {
        end = 'time';
        break;
      }
      if (this.steps >= limit) {
        end = limit >= this.maxSteps ? 'max-steps' : 'paused';
        break;
      }
      q.pop();
      this.time = ev.t;
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
            ran = this.fireEntry(this.entries[ev.entry] as FaultEntry, ev.arm === true);
          }
          break;
        case K_START:
          ran = this.startNode(ev);
          break;
      }
      if (ran) {
        this.steps++;
        if (this.always.length > 0) this.checkAlways();
      }
    }
    return end;
  }

  private conclude(until: Micros, loopEnd: RunResult['end']): RunResult {
    let end = loopEnd;
    if (this.stopped) end = 'violation';
    else if (end === 'time' || (end === 'idle' && this.time < until)) this.time = Math.max(this.time, until);
    if (!this.stopped) this.checkFinal();
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
    const slot = this.slots[ev.node] as NodeSlot;
    if (slot.started) return false;
    slot.started = true;
    slot.up = true;
    slot.behaviour = slot.spec.create();
    this.actorIdx = slot.idx;
    this.faultState.nodeRunning(slot.idx, true, this.time);
    if (this.rec) this.emit({ seq: 0, t: this.time, type: 'start', node: slot.spec.id });
    this.callHandler(slot, () => slot.behaviour?.onStart(slot.ctx));
    return true;
  }

  private deliver(ev: DeliverEvent): boolean {
    const to = this.slots[ev.to] as NodeSlot;
    this.actorIdx = ev.to;
    if (!to.up) {
      this.drop(ev.id, ev.from, ev.to, 'crashed');
      return true;
    }
    if (this.blocked[ev.from * this.n + ev.to]! > 0) {
      // The partition started while the message was on the wire.
      this.drop(ev.id, ev.from, ev.to, 'partition');
      return true;
    }
    if (to.paused) {
      to.pausedQueue.push(ev);
      return false;
    }
    this.stats.messages.delivered++;
    const from = (this.slots[ev.from] as NodeSlot).spec.id;
    if (this.rec) this.emit({ seq: 0, t: this.time, type: 'deliver', id: ev.id, from, to: to.spec.id });
    const b = to.behaviour as NodeBehaviour<Message>;
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
    const slot = this.slots[ev.node] as NodeSlot;
    if (!slot.up || slot.timers.get(ev.name) !== ev.gen) return false; // cancelled, re-armed or lost in a crash
    if (slot.paused) {
      slot.pausedQueue.push(ev);
      return false;
    }
    slot.timers.delete(ev.name);
    this.actorIdx = slot.idx;
    this.stats.timers++;
    if (this.rec) this.emit({ seq: 0, t: this.time, type: 'timer', node: slot.spec.id, name: ev.name });
    this.callHandler(slot, () => slot.behaviour?.onTimer(slot.ctx, ev.name));
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

  private handlerFailed(slot: NodeSlot, err: unknown): void {
    const name = err instanceof AssertionFailure ? 'assertion' : 'exception';
    const text = err instanceof Error ? err.message : String(err);
    this.violate(name, `${slot.spec.id}: ${text}`);
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
          out.push({ kind: 'deliver', q: ev.q, t: ev.t, id: ev.id, from: this.slots[ev.from]!.spec.id, to: this.slots[ev.to]!.spec.id, msg: ev.msg });
          break;
        case K_TIMER: {
          const slot = this.slots[ev.node] as NodeSlot;
          if (slot.up && slot.timers.get(ev.name) === ev.gen) out.push({ kind: 'timer', q: ev.q, t: ev.t, node: slot.spec.id, name: ev.name });
          break;
        }
        case K_FAULT:
          out.push({ kind: 'fault', q: ev.q, t: ev.t, fault: ev.fault });
          break;
        case K_START:
          if (!(this.slots[ev.node] as NodeSlot).started) out.push({ kind: 'start', q: ev.q, t: ev.t, node: this.slots[ev.node]!.spec.id });
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
    let ran: boolean;
    if (ev.k === K_DELIVER && how === 'drop') {
      this.drop(ev.id, ev.from, ev.to, 'loss');
      ran = true;
    } else {
      if (ev.k === K_DELIVER && how === 'duplicate') {
        const copy = this.nextMsgId++;
        this.stats.messages.duplicated++;
        const slots = this.slots;
        if (this.rec) this.emit({ seq: 0, t: this.time, type: 'duplicate', id: copy, of: ev.id, from: slots[ev.from]!.spec.id, to: slots[ev.to]!.spec.id });
        this.queue.push({ t: this.time, q: 0, k: K_DELIVER, id: copy, from: ev.from, to: ev.to, msg: this.isolate ? clone(ev.msg) : ev.msg });
      }
      ran = this.process(ev);
    }
    if (ran) {
      this.steps++;
      if (this.always.length > 0 && !this.stopped) this.checkAlways();
    }
  }

  /** Apply a fault now as a step of a driven run (always-checkers run afterwards). */
  inject(f: FaultAction): void {
    this.applyFault(f);
    this.steps++;
    if (this.always.length > 0 && !this.stopped) this.checkAlways();
  }

  /** True once a violation stopped the run. */
  get halted(): boolean {
    return this.stopped;
  }

  /** End a driven run: final checkers (unless stopped), trace footer. */
  close(): RunResult {
    if (!this.stopped) this.checkFinal();
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

  // ------------------------------------------------------------ network

  private send(from: NodeSlot, toId: NodeId, msg: Message): void {
    const to = this.index.get(toId);
    const m = this.stats.messages;
    m.sent++;
    const id = this.nextMsgId++;
    if (to === undefined) {
      if (this.rec) {
        this.emit({ seq: 0, t: this.time, type: 'send', id, from: from.spec.id, to: toId, msg: msg as unknown as JsonValue });
        this.emit({ seq: 0, t: this.time, type: 'drop', id, from: from.spec.id, to: toId, reason: 'unknown-node' });
      }
      this.countDrop('unknown-node');
      return;
    }
    const payload = this.isolate ? clone(msg) : msg;
    if (this.rec) this.emit({ seq: 0, t: this.time, type: 'send', id, from: from.spec.id, to: toId, msg: payload as unknown as JsonValue });
    const li = from.idx * this.n + to;
    if (this.blocked[li]! > 0) {
      this.drop(id, from.idx, to, 'partition');
      return;
    }
    const link = this.links[li] as Link;
    const model = link.model;
    const rng = (link.rng ??= this.linkRng.fork(link.name));
    let delay = 0;
    // Always draw, so that changing a probability does not shift later draws.
    while (rng.next() < model.loss || (this.burstLoss > 0 && this.faultRng.next() < this.burstLoss)) {
      if (model.retransmit === undefined) {
        this.drop(id, from.idx, to, 'loss');
        return;
      }
      // The transport resends: the message arrives later, not never.
      m.retransmitted++;
      delay += model.retransmit + sampleLatency(model.latency, rng);
      assert(delay < 3_600_000_000, `${from.spec.id}: retransmission of message ${id} never got through (loss 1?)`);
    }
    this.schedule(link, id, from.idx, to, payload, delay);
    if (model.duplicate > 0 && rng.next() < model.duplicate) {
      const copy = this.nextMsgId++;
      m.duplicated++;
      if (this.rec) this.emit({ seq: 0, t: this.time, type: 'duplicate', id: copy, of: id, from: from.spec.id, to: toId });
      this.schedule(link, copy, from.idx, to, this.isolate ? clone(payload) : payload, 0);
    }
  }

  private schedule(link: Link, id: number, from: number, to: number, msg: Message, extraDelay: Micros): void {
    let t = this.time + extraDelay + sampleLatency(link.model.latency, (link.rng ??= this.linkRng.fork(link.name)));
    if (link.model.fifo) {
      if (t < link.lastDelivery) t = link.lastDelivery;
      link.lastDelivery = t;
    }
    this.queue.push({ t, q: 0, k: K_DELIVER, id, from, to, msg });
  }

  private drop(id: number, from: number, to: number, reason: DropReason): void {
    this.countDrop(reason);
    if (this.rec) {
      this.emit({ seq: 0, t: this.time, type: 'drop', id, from: (this.slots[from] as NodeSlot).spec.id, to: (this.slots[to] as NodeSlot).spec.id, reason });
    }
  }

  private countDrop(reason: DropReason): void {
    const m = this.stats.messages;
    m.dropped++;
    m.droppedBy[reason] = (m.droppedBy[reason] ?? 0) + 1;
  }

  // ------------------------------------------------------------ clocks

  private localNow(slot: NodeSlot): Micros {
    return Math.floor(slot.baseLocal + (this.time - slot.baseTrue) * (1 + slot.drift));
  }

  // ------------------------------------------------------------ faults

  /** Apply a fault now (also used by tests and the fault timeline). */
  applyFault(f: FaultAction): void {
    this.stats.faults++;
    const t = this.time;
    switch (f.kind) {
      case 'crash': {
        const slot = this.slot(f.node);
        if (!slot.up) return;
        slot.up = false;
        slot.paused = false;
        slot.behaviour = undefined;
        this.faultState.nodeRunning(slot.idx, false, t);
        slot.timers.clear();
        // Events held for a paused node die with it: messages are dropped, timers are gone.
        for (const ev of slot.pausedQueue) if (ev.k === K_DELIVER) this.drop(ev.id, ev.from, ev.to, 'crashed');
        slot.pausedQueue = [];
        const lostWrites = slot.disk.crash();
        if (this.rec) this.emit({ seq: 0, t, type: 'crash', node: slot.spec.id, lostWrites });
        if (this.corruptOnCrash > 0 && this.faultRng.next() < this.corruptOnCrash) this.corrupt(slot, undefined);
        return;
      }
      case 'restart': {
        const slot = this.slot(f.node);
        if (slot.up) return;
        slot.up = true;
        slot.started = true;
        slot.behaviour = slot.spec.create();
        this.faultState.nodeRunning(slot.idx, true, t);
        if (this.rec) this.emit({ seq: 0, t, type: 'restart', node: slot.spec.id });
        const b = slot.behaviour;
        this.callHandler(slot, () => (b.onRecover ? b.onRecover(slot.ctx) : b.onStart(slot.ctx)));
        return;
      }
      case 'pause': {
        const slot = this.slot(f.node);
        if (!slot.up || slot.paused) return;
        slot.paused = true;
        this.faultState.nodeRunning(slot.idx, false, t);
        if (this.rec) this.emit({ seq: 0, t, type: 'pause', node: slot.spec.id });
        return;
      }
      case 'resume': {
        const slot = this.slot(f.node);
        if (!slot.paused) return;
        this.resume(slot);
        return;
      }
      case 'partition': {
        assert('groups' in f, 'a partition aimed at a node is resolved before it is applied');
        const pairs: [number, number][] = [];
        const group = new Map<number, number>();
        f.groups.forEach((g, gi) => g.forEach((id) => group.set(this.slot(id).idx, gi)));
        for (const [a, ga] of group) for (const [b, gb] of group) if (ga !== gb) pairs.push([a, b]);
        this.block(pairs, f.groups.map((g) => g.join(',')).join(' | '));
        return;
      }
      case 'isolate': {
        const i = this.slot(f.node).idx;
        const pairs: [number, number][] = [];
        for (let j = 0; j < this.n; j++) if (j !== i) pairs.push([i, j], [j, i]);
        this.block(pairs, `isolate ${f.node}`);
        return;
      }
      case 'block': {
        this.block([[this.slot(f.from).idx, this.slot(f.to).idx]], `${f.from} -/-> ${f.to}`);
        return;
      }
      case 'heal':
        this.heal();
        return;
      case 'clock': {
        const slot = this.slot(f.node);
        const local = this.localNow(slot);
        slot.baseTrue = t;
        slot.baseLocal = f.offset !== undefined ? t + f.offset : local;
        if (f.drift !== undefined) {
          assert(f.drift > -1, `clock drift of ${f.node} must be > -1`);
          slot.drift = f.drift;
        }
        this.faultState.clockSet(slot.idx, t, slot.baseLocal - local);
        if (this.rec) this.emit({ seq: 0, t, type: 'clock', node: slot.spec.id, offset: slot.baseLocal - t, drift: slot.drift });
        return;
      }
      case 'loss': {
        assert(f.p >= 0 && f.p <= 1, `loss burst probability must be in [0, 1] (got ${f.p})`);
        this.burstLoss = f.p;
        this.faultState.setLossBurst(f.p, t);
        if (this.rec) this.emit({ seq: 0, t, type: 'network', loss: f.p, duplicate: 0 });
        return;
      }
      case 'corrupt':
        this.corrupt(this.slot(f.node), f.key);
        return;
      case 'quiesce': {
        this.heal();
        if (this.burstLoss > 0) this.applyFault({ kind: 'loss', p: 0 });
        for (const slot of this.slots) if (slot.paused) this.resume(slot);
        for (const slot of this.slots) if (!slot.up && slot.started) this.applyFault({ kind: 'restart', node: slot.spec.id });
        this.quiescedTime = t;
        if (this.rec) this.emit({ seq: 0, t, type: 'log', node: '*', text: 'quiesce: faults stopped, liveness phase begins' });
        if (this.armed.length > 0) this.disarmAll();
        return;
      }
    }
  }

  // ------------------------------------------------------------ targeted and triggered faults

  private targetContext(e: FaultEntry): TargetContext {
    const domain = this.slots.filter((s) => s.spec.role === 'server').map((s) => s.spec.id);
    return {
      view: this,
      domain: domain.length > 0 ? domain : this.nodeIds,
      started: (id) => this.slot(id).started,
      roles: this.roles,
      label: (id) => this.entryById.get(id)?.node,
      triggerNode: e.triggerNode,
    };
  }

  /** A note from the fault machinery: a log line from node `*` (only when events are built). */
  private faultLog(e: FaultEntry, text: string): void {
    if (this.rec) this.emit({ seq: 0, t: this.time, type: 'log', node: '*', text: `fault ${e.index}${e.id !== undefined ? ` (${e.id})` : ''}: ${text}` });
  }

  /** Arm an entry's trigger, or fire the entry: resolve its targets, apply it, release the faults that come after it. */
  private fireEntry(e: FaultEntry, arm: boolean): boolean {
    const what = describeFault(e.fault);
    if (arm) {
      if (this.quiescedTime !== undefined) {
        e.state = 'skipped';
        this.faultLog(e, `${what} disarmed: armed after the quiesce point`);
        this.skipAfter(e);
        return false;
      }
      e.state = 'armed';
      this.armed.push(e);
      return false;
    }
    if (e.on !== undefined && this.quiescedTime !== undefined && this.time > this.quiescedTime) {
      e.state = 'skipped';
      this.faultLog(e, `${what} skipped: its trigger came too late, after the quiesce point`);
      this.skipAfter(e);
      return false;
    }
    const cause = e.on !== undefined ? `, on ${e.on.event} #${e.on.nth ?? 1} at ${e.triggerNode}` : '';
    const r = hasSymbolicTarget(e.fault) ? resolveFault(e.fault, this.targetContext(e), this.rngOf(e)) : { action: e.fault, primary: primaryNode(e.fault) };
    if (typeof r === 'string') {
      e.state = 'skipped';
      this.faultLog(e, `${what}${cause} skipped: ${r}`);
      this.skipAfter(e);
      return false;
    }
    e.state = 'fired';
    e.node = r.primary;
    const resolved = describeFault(r.action);
    this.faultLog(e, resolved === what ? `${what}${cause}` : `${what}${cause} -> ${resolved}`);
    this.applyFault(r.action);
    for (const d of this.entries) {
      if (d.after !== e.id || e.id === undefined || d.state !== 'waiting') continue;
      d.state = 'scheduled';
      this.queue.push({ t: Math.max(this.time + d.delay, d.at), q: 0, k: K_FAULT, fault: d.fault, entry: this.entries.indexOf(d) });
    }
    return true;
  }

  /** The faults that come after a skipped one never fire either; the trace says so. */
  private skipAfter(e: FaultEntry): void {
    if (e.id === undefined) return;
    for (const d of this.entries) {
      if (d.after !== e.id || d.state !== 'waiting') continue;
      d.state = 'skipped';
      this.faultLog(d, `${describeFault(d.fault)} skipped: fault "${e.id}" did not fire`);
      this.skipAfter(d);
    }
  }

  /**
   * The random stream of one fault's target picks, forked by its id (else its timeline index): other
   * draws never shift it, and removing another fault (shrinking) does not change a labelled fault's picks.
   */
  private rngOf(e: FaultEntry): Rng {
    this.targetRng ??= this.root.fork('targets');
    return this.targetRng.fork(e.id !== undefined ? `id:${e.id}` : String(e.index));
  }

  /** Count the occurrence `ev` is for every armed trigger; the nth one schedules its fault `delay` later. */
  private matchTriggers(ev: TraceEvent): void {
    const prev = ev.type === 'state' ? this.prevPublished : undefined;
    let fired = false;
    for (const e of this.armed) {
      const on = e.on as FaultTrigger;
      const node = (this.triggers[on.event] as TriggerMatcher).match(ev, this, prev);
      if (node === undefined) continue;
      if (on.node !== undefined) {
        const holders = targetHolders(on.node, this.targetContext(e));
        if (typeof holders === 'string' || !holders.includes(node)) continue;
      }
      e.count++;
      if (e.count < (on.nth ?? 1)) continue;
      e.state = 'scheduled';
      e.triggerNode = node;
      fired = true;
      this.queue.push({ t: this.time + e.delay, q: 0, k: K_FAULT, fault: e.fault, entry: this.entries.indexOf(e) });
    }
    if (fired) this.armed = this.armed.filter((e) => e.state === 'armed');
  }

  private disarmAll(): void {
    const armed = this.armed;
    this.armed = [];
    for (const e of armed) {
      e.state = 'skipped';
      this.faultLog(e, `${describeFault(e.fault)} disarmed at the quiesce point: ${e.on?.event} occurred ${e.count} of ${e.on?.nth ?? 1} times`);
      this.skipAfter(e);
    }
  }

  private resume(slot: NodeSlot): void {
    slot.paused = false;
    this.faultState.nodeRunning(slot.idx, true, this.time);
    const held = slot.pausedQueue;
    slot.pausedQueue = [];
    if (this.rec) this.emit({ seq: 0, t: this.time, type: 'resume', node: slot.spec.id, queued: held.length });
    // Held events run now, in their original order (they get new, increasing insertion numbers).
    for (const ev of held) {
      ev.t = this.time;
      this.queue.push(ev);
    }
  }

  private block(pairs: [number, number][], label: string): void {
    for (const [a, b] of pairs) {
      this.blocked[a * this.n + b] = 1;
      this.faultState.linkBlocked(a, b, true, this.time);
    }
    if (this.rec) this.emit({ seq: 0, t: this.time, type: 'partition', label, blocked: pairs.map(([a, b]) => [this.slots[a]!.spec.id, this.slots[b]!.spec.id]) });
  }

  private heal(): void {
    const pairs: [NodeId, NodeId][] = [];
    for (let a = 0; a < this.n; a++) {
      for (let b = 0; b < this.n; b++) {
        if (this.blocked[a * this.n + b]! > 0) {
          pairs.push([this.slots[a]!.spec.id, this.slots[b]!.spec.id]);
          this.faultState.linkBlocked(a, b, false, this.time);
        }
      }
    }
    this.blocked.fill(0);
    if (this.rec) this.emit({ seq: 0, t: this.time, type: 'heal', label: 'heal', blocked: pairs });
  }

  private corrupt(slot: NodeSlot, key: string | undefined): void {
    const keys = slot.disk.durableKeys();
    const target = key ?? (keys.length > 0 ? this.faultRng.pick(keys) : undefined);
    if (target === undefined || !slot.disk.corrupt(target)) return;
    if (this.rec) this.emit({ seq: 0, t: this.time, type: 'disk', node: slot.spec.id, op: 'corrupt', key: target });
  }

  // ------------------------------------------------------------ checking

  private checkAlways(): void {
    const cause = this.nextSeq - 1;
    for (const c of this.always) {
      if (this.failedCheckers.has(c.name)) continue;
      if (c.every !== undefined && c.every > 1 && this.steps % c.every !== 0) continue;
      const msg = this.runCheck(c);
      if (msg !== undefined) {
        this.lastCause = cause;
        this.violate(c.name, msg);
        if (this.stopped) return;
      }
    }
  }

  private checkFinal(): void {
    for (const c of this.final) {
      if (this.failedCheckers.has(c.name)) continue;
      const msg = this.runCheck(c);
      if (msg !== undefined) {
        this.violate(c.name, msg);
        if (this.stopped) return;
      }
    }
  }

  private runCheck(c: Checker): string | undefined {
    try {
      return c.check(this);
    } catch (err) {
      return `checker threw: ${err instanceof Error ? err.message : String(err)}`;
    }
  }

  private violate(invariant: string, message: string): void {
    this.failedCheckers.add(invariant);
    const cause = this.lastCause >= 0 ? this.lastCause : this.nextSeq - 1;
    this.lastCause = -1;
    const seq = this.nextSeq;
    this.violations.push({ invariant, message, t: this.time, seq, cause });
    if (this.rec) this.emit({ seq: 0, t: this.time, type: 'violation', invariant, message, cause });
    else this.nextSeq++;
    if (this.stopOnViolation) this.stopped = true;
  }

  // ------------------------------------------------------------ trace

  private emit(ev: TraceEvent): void {
    ev.seq = this.nextSeq++;
    if (this.hasher) this.writeLine(JSON.stringify(ev));
    for (const c of this.observers) c.observe?.(ev, this);
    if (this.armed.length > 0) this.matchTriggers(ev);
  }

  private writeLine(line: string): void {
    const text = line + '\n';
    this.hasher?.update(text);
    this.sink?.write(text);
  }

  // ------------------------------------------------------------ contexts

  private makeContext(slot: NodeSlot): NodeContext<Message> {
    const id = slot.spec.id;
    const nodes = this.slots.map((s) => s.spec.id);
    const guard = (what: string): void => {
      assert(this.current === slot, `${id}: ctx.${what} called outside the node's own handler`);
    };
    return {
      id,
      nodes,
      now: () => this.localNow(slot),
      send: (to, msg) => {
        guard('send');
        this.send(slot, to, msg);
      },
      setTimer: (name, delay) => {
        guard('setTimer');
        assert(Number.isFinite(delay) && delay >= 0, `${id}: timer "${name}" delay must be >= 0 (got ${delay})`);
        const gen = ++slot.timerGen;
        slot.timers.set(name, gen);
        // The delay runs on the local clock: a fast clock fires early in true time.
        const trueDelay = Math.ceil(delay / (1 + slot.drift));
        this.queue.push({ t: this.time + trueDelay, q: 0, k: K_TIMER, node: slot.idx, name, gen });
      },
      cancelTimer: (name) => {
        slot.timers.delete(name);
      },
      hasTimer: (name) => slot.timers.has(name),
      rng: slot.rng,
      disk: slot.disk,
      invoke: (call: OpCall) => {
        guard('invoke');
        const op = this.nextOpId++;
        const value = this.isolate ? clone(call.value) : call.value;
        const h: HistoryEvent = { t: this.time, type: 'invoke', node: id, op, process: call.process, f: call.f };
        if (call.key !== undefined) h.key = call.key;
        if (value !== undefined) h.value = value;
        this.history.push(h);
        this.pendingOps.set(op, { process: call.process });
        this.stats.operations.invoked++;
        if (this.rec) this.emit({ seq: 0, ...h });
        return op;
      },
      complete: (op: number, outcome: OpOutcome, value?: JsonValue) => {
        guard('complete');
        const pending = this.pendingOps.get(op);
        assert(pending !== undefined, `${id}: complete() of unknown or finished operation ${op}`);
        this.pendingOps.delete(op);
        const v = this.isolate ? clone(value) : value;
        const h: HistoryEvent = { t: this.time, type: 'return', node: id, op, process: pending.process, outcome };
        if (v !== undefined) h.value = v;
        this.history.push(h);
        this.stats.operations[outcome]++;
        if (this.rec) this.emit({ seq: 0, ...h });
      },
      publish: (state: JsonValue) => {
        const s = this.isolate ? clone(state) : state;
        this.prevPublished = slot.published;
        slot.published = s;
        if (this.rec) this.emit({ seq: 0, t: this.time, type: 'state', node: id, state: s });
      },
      log: (text: string) => {
        if (this.rec) this.emit({ seq: 0, t: this.time, type: 'log', node: id, text });
      },
    };
  }
}
