// The one node shape of every protocol: a sans-IO state machine.
//
// A handler takes one input (start, recover, a message, a typed timer) and emits
// commands (send, set or cancel a timer, write and fsync, invoke or complete a
// client operation, publish state, log) into an `Io`. It never touches the engine:
// `nodeSpec()` wraps it in the one generic adapter that carries the commands out
// against the engine after the handler returns, and `step()` runs one input
// outside any simulation and returns the commands, for unit tests and teaching.
//
// The idea is etcd raft's `Ready` and Stateright's `Out`: the protocol decides, the
// runtime does. Commands of one step are applied in the order they were emitted,
// all at the instant of the input; a handler that throws has none applied (the
// step is atomic) and the engine records the violation (`assertion` for
// `AssertionFailure` from `assert`, else `exception`).

import { AssertionFailure } from '../engine/assert.ts';
import type { Rng } from '../engine/random.ts';
import type { JsonValue, Message, Micros, NodeBehaviour, NodeContext, NodeId, NodeSpec, OpCall, OpOutcome, SimView } from '../engine/types.ts';

/**
 * A typed timer: a `name` plus any JSON payload fields (`{ name: 'retransmit', key: 'n2', index: 7 }`).
 * A timer's identity is `name` plus the optional `key`: arming a timer with the identity of an armed
 * one replaces it (its payload too). Delays are on the node's local clock (skew and drift apply).
 */
export interface Timer {
  readonly name: string;
  /** Distinguishes timers of one name (a per-peer retransmit timer: `key: 'n2'`). */
  readonly key?: string;
}

/** An input to a node: what happened to it. */
export type Input<M extends Message = Message, T extends Timer = Timer> =
  | { readonly kind: 'start' }
  | { readonly kind: 'recover' }
  | { readonly kind: 'message'; readonly from: NodeId; readonly msg: M }
  | { readonly kind: 'timer'; readonly timer: T };

/** A reference to a client operation this node invoked, for `complete`: a per-node counter from 1. */
export type OpRef = number;

/** What a handler asks for. `step()` returns these; the adapter carries them out in order. */
export type Command<M extends Message = Message, T extends Timer = Timer, P extends JsonValue = JsonValue> =
  | { readonly kind: 'send'; readonly to: NodeId; readonly msg: M }
  | { readonly kind: 'set-timer'; readonly timer: T; readonly delay: Micros }
  | { readonly kind: 'cancel-timer'; readonly name: string; readonly key?: string }
  | { readonly kind: 'put'; readonly key: string; readonly value: JsonValue }
  | { readonly kind: 'delete'; readonly key: string }
  | { readonly kind: 'fsync' }
  | { readonly kind: 'invoke'; readonly ref: OpRef; readonly call: OpCall }
  | { readonly kind: 'complete'; readonly ref: OpRef; readonly outcome: OpOutcome; readonly value?: JsonValue }
  | { readonly kind: 'publish'; readonly state: P }
  | { readonly kind: 'log'; readonly text: string };

/**
 * A handler's window: what it may read (identity, local clock, own random stream, own disk, which
 * timers are armed) and the commands it may emit. Reads see the writes and timers of the same step.
 */
export interface Io<M extends Message = Message, T extends Timer = Timer, P extends JsonValue = JsonValue> {
  /** This node's id. */
  readonly id: NodeId;
  /** Every node of the cluster, in scenario order, self included. */
  readonly nodes: readonly NodeId[];
  /** The local clock, µs: offset + (1 + drift) · true time. Never true time. */
  now(): Micros;
  /** The node's own random stream (forked from the run's seed by node id). */
  readonly rng: Rng;
  /** The latest value written to the disk under `key` (synced or not, as a page cache); undefined if none. Throws `DiskCorruptionError` on a bad checksum. */
  read<V extends JsonValue = JsonValue>(key: string): V | undefined;
  /** Keys present on the disk (synced or not), sorted, optionally under a prefix. */
  keys(prefix?: string): string[];
  /** Whether the timer `name` (with `key`) is armed. */
  timerArmed(name: string, key?: string): boolean;

  /** Send a message (plain JSON with a `type`); the engine copies it, the network may lose, delay, duplicate or reorder it. */
  send(to: NodeId, msg: M): void;
  /** Send to each of `to` (default: every other node). */
  broadcast(msg: M, to?: readonly NodeId[]): void;
  /** Arm (or re-arm, replacing) a timer `delay` µs of local time from now. `delay` must be a non-negative integer. */
  setTimer(timer: T, delay: Micros): void;
  cancelTimer(name: string, key?: string): void;
  /** Buffered disk write: lost on crash unless an fsync follows before the crash. */
  put(key: string, value: JsonValue): void;
  delete(key: string): void;
  /** Make every previous put/delete durable. */
  fsync(): void;
  /** Record the call of a client operation in the history (Jepsen style); returns a reference for `complete`. */
  invoke(call: OpCall): OpRef;
  /** Record the return of an operation: `ok` / `fail` are definite, `info` is unknown outcome. */
  complete(ref: OpRef, outcome: OpOutcome, value?: JsonValue): void;
  /** Publish a snapshot of this node's state: the trace, the viewer, roles, triggers and checkers read it. */
  publish(state: P): void;
  /** A free-form note in the trace. */
  log(text: string): void;
}

/**
 * A node of a protocol. One instance lives from start (or recover) to crash; after a restart a
 * fresh instance is made by the factory and `onRecover` runs (volatile state is gone, the disk
 * holds what was fsynced). `onRecover` defaults to `onStart`.
 */
export interface ProtocolNode<M extends Message = Message, T extends Timer = Timer, P extends JsonValue = JsonValue> {
  onStart(io: Io<M, T, P>): void;
  onRecover?(io: Io<M, T, P>): void;
  onMessage(io: Io<M, T, P>, from: NodeId, msg: M): void;
  onTimer(io: Io<M, T, P>, timer: T): void;
}

/** The engine's string name of a timer identity (shown in traces as `timer <node> <name>`). */
export function timerId(name: string, key?: string): string {
  return key === undefined ? name : `${name}/${key}`;
}

/** What `step()` needs to stand in for the engine. */
export interface StepEnv {
  id: NodeId;
  nodes: readonly NodeId[];
  /** Local clock, µs (default 0). */
  now?: Micros;
  rng: Rng;
  /** The disk before the step (default empty); not modified. */
  disk?: ReadonlyMap<string, JsonValue>;
  /** Timer identities (`timerId(name, key)`) armed before the step. */
  armed?: Iterable<string>;
  /** The next OpRef to hand out (default 1). */
  nextRef?: OpRef;
}

/** The read side an Outbox needs from wherever it runs. */
interface Backing {
  now(): Micros;
  readonly rng: Rng;
  read(key: string): JsonValue | undefined;
  keys(prefix?: string): string[];
  armed(id: string): boolean;
}

const DELETED = Symbol('deleted');

/**
 * Most commands one step may emit (a bound with an assertion, TigerBeetle style: a handler looping on
 * `send` fails fast with a message instead of growing the outbox until memory runs out).
 */
export const MAX_COMMANDS_PER_STEP = 1_000_000;

/** Records one step's commands; reads see the step's own writes and timer changes. */
class Outbox<M extends Message, T extends Timer, P extends JsonValue> implements Io<M, T, P> {
  readonly commands: Command<M, T, P>[] = [];
  // Made on first use: most steps neither write nor touch timers.
  private writes: Map<string, JsonValue | typeof DELETED> | undefined;
  private timers: Map<string, boolean> | undefined;

  constructor(
    readonly id: NodeId,
    readonly nodes: readonly NodeId[],
    private readonly backing: Backing,
    private nextRef: OpRef,
  ) {}

  /** Start a new step with this Outbox (the adapter reuses one per node instance: no allocation per step). */
  reset(nextRef: OpRef): void {
    // Only what the step used: Map.clear() allocates a new table even when the map is empty.
    if (this.commands.length > 0) this.commands.length = 0;
    if (this.writes !== undefined && this.writes.size > 0) this.writes.clear();
    if (this.timers !== undefined && this.timers.size > 0) this.timers.clear();
    this.nextRef = nextRef;
  }

  private emit(c: Command<M, T, P>): void {
    if (this.commands.length >= MAX_COMMANDS_PER_STEP) throw new AssertionFailure(`${this.id}: more than ${MAX_COMMANDS_PER_STEP} commands in one step`);
    this.commands.push(c);
  }

  get rng(): Rng {
    return this.backing.rng;
  }
  get refsUsed(): OpRef {
    return this.nextRef;
  }
  now(): Micros {
    return this.backing.now();
  }
  read<V extends JsonValue = JsonValue>(key: string): V | undefined {
    const w = this.writes?.get(key);
    if (w === DELETED) return undefined;
    if (w !== undefined) return w as V;
    return this.backing.read(key) as V | undefined;
  }
  keys(prefix = ''): string[] {
    const keys = new Set(this.backing.keys(prefix));
    for (const [k, v] of this.writes ?? []) {
      if (!k.startsWith(prefix)) continue;
      if (v === DELETED) keys.delete(k);
      else keys.add(k);
    }
    return [...keys].sort();
  }
  timerArmed(name: string, key?: string): boolean {
    const id = timerId(name, key);
    return this.timers?.get(id) ?? this.backing.armed(id);
  }
  send(to: NodeId, msg: M): void {
    this.emit({ kind: 'send', to, msg });
  }
  broadcast(msg: M, to?: readonly NodeId[]): void {
    for (const n of to ?? this.nodes) if (to !== undefined || n !== this.id) this.send(n, msg);
  }
  setTimer(timer: T, delay: Micros): void {
    if (!Number.isSafeInteger(delay) || delay < 0) throw new RangeError(`${this.id}: timer ${timerId(timer.name, timer.key)}: delay must be a non-negative integer of µs (got ${delay})`);
    (this.timers ??= new Map()).set(timerId(timer.name, timer.key), true);
    this.emit({ kind: 'set-timer', timer, delay });
  }
  cancelTimer(name: string, key?: string): void {
    (this.timers ??= new Map()).set(timerId(name, key), false);
    this.emit(key === undefined ? { kind: 'cancel-timer', name } : { kind: 'cancel-timer', name, key });
  }
  put(key: string, value: JsonValue): void {
    (this.writes ??= new Map()).set(key, value);
    this.emit({ kind: 'put', key, value });
  }
  delete(key: string): void {
    (this.writes ??= new Map()).set(key, DELETED);
    this.emit({ kind: 'delete', key });
  }
  fsync(): void {
    this.emit({ kind: 'fsync' });
  }
  invoke(call: OpCall): OpRef {
    const ref = this.nextRef++;
    this.emit({ kind: 'invoke', ref, call });
    return ref;
  }
  complete(ref: OpRef, outcome: OpOutcome, value?: JsonValue): void {
    this.emit(value === undefined ? { kind: 'complete', ref, outcome } : { kind: 'complete', ref, outcome, value });
  }
  publish(state: P): void {
    this.emit({ kind: 'publish', state });
  }
  log(text: string): void {
    this.emit({ kind: 'log', text });
  }
}

function dispatch<M extends Message, T extends Timer, P extends JsonValue>(node: ProtocolNode<M, T, P>, io: Io<M, T, P>, input: Input<M, T>): void {
  switch (input.kind) {
    case 'start':
      node.onStart(io);
      return;
    case 'recover':
      if (node.onRecover) node.onRecover(io);
      else node.onStart(io);
      return;
    case 'message':
      node.onMessage(io, input.from, input.msg);
      return;
    case 'timer':
      node.onTimer(io, input.timer);
      return;
  }
}

/**
 * Run one input through a node outside any simulation and return the commands it emitted, in order
 * (for unit tests of a protocol's rules: "a follower that gets a vote request of a newer term with an
 * up-to-date log answers granted and persists its vote before replying"). The node's own fields change
 * as they would in a run; `env.disk` is not modified.
 */
export function step<M extends Message, T extends Timer, P extends JsonValue>(node: ProtocolNode<M, T, P>, input: Input<M, T>, env: StepEnv): Command<M, T, P>[] {
  const disk = env.disk ?? new Map<string, JsonValue>();
  const armed = new Set(env.armed ?? []);
  const io = new Outbox<M, T, P>(env.id, env.nodes, {
    now: () => env.now ?? 0,
    rng: env.rng,
    read: (k) => disk.get(k),
    keys: (prefix = '') => [...disk.keys()].filter((k) => k.startsWith(prefix)).sort(),
    armed: (id) => armed.has(id),
  }, env.nextRef ?? 1);
  dispatch(node, io, input);
  return io.commands;
}

/**
 * The generic adapter: a `ProtocolNode` as the engine's `NodeBehaviour`. It delivers inputs, then
 * carries out the step's commands against the engine context in order. Timers are kept typed: the
 * adapter remembers each armed timer's payload under its identity, so nothing is parsed back from a
 * string. Operation references map to the engine's operation ids.
 */
export class NodeAdapter<M extends Message, T extends Timer, P extends JsonValue> implements NodeBehaviour<M> {
  private readonly timers = new Map<string, T>();
  private readonly ops = new Map<OpRef, number>();
  private nextRef: OpRef = 1;

  constructor(readonly node: ProtocolNode<M, T, P>) {}

  // Each input calls the node's handler directly between begin() and end() (no Input object per step).
  onStart(ctx: NodeContext<M>): void {
    const io = this.begin(ctx);
    this.node.onStart(io);
    this.end(ctx, io);
  }
  onRecover(ctx: NodeContext<M>): void {
    const io = this.begin(ctx);
    if (this.node.onRecover) this.node.onRecover(io);
    else this.node.onStart(io);
    this.end(ctx, io);
  }
  onMessage(ctx: NodeContext<M>, from: NodeId, msg: M): void {
    const io = this.begin(ctx);
    this.node.onMessage(io, from, msg);
    this.end(ctx, io);
  }
  onTimer(ctx: NodeContext<M>, name: string): void {
    const timer = this.timers.get(name);
    if (timer === undefined) throw new Error(`${ctx.id}: timer ${name} fired but was never armed by this node`);
    this.timers.delete(name);
    const io = this.begin(ctx);
    this.node.onTimer(io, timer);
    this.end(ctx, io);
  }

  /** One Outbox per engine context (a node instance keeps its context), reset for each step. */
  private outbox: { ctx: NodeContext<M>; io: Outbox<M, T, P> } | undefined;

  /** The Outbox for a step of this context, empty (a handler that threw left its commands unapplied: dropped here). */
  private begin(ctx: NodeContext<M>): Outbox<M, T, P> {
    const o = this.outbox;
    if (o !== undefined && o.ctx === ctx) {
      o.io.reset(this.nextRef);
      return o.io;
    }
    const io = new Outbox<M, T, P>(ctx.id, ctx.nodes, {
      now: () => ctx.now(),
      rng: ctx.rng,
      read: (k) => ctx.disk.get(k),
      keys: (prefix) => ctx.disk.keys(prefix),
      armed: (id) => ctx.hasTimer(id),
    }, this.nextRef);
    this.outbox = { ctx, io };
    return io;
  }

  /** The handler returned: carry out its commands in order. */
  private end(ctx: NodeContext<M>, io: Outbox<M, T, P>): void {
    this.nextRef = io.refsUsed;
    for (const c of io.commands) this.apply(ctx, c);
    io.reset(this.nextRef); // hold nothing of the step between steps (explore fingerprints walk node objects)
  }

  private apply(ctx: NodeContext<M>, c: Command<M, T, P>): void {
    switch (c.kind) {
      case 'send':
        ctx.send(c.to, c.msg);
        return;
      case 'set-timer': {
        const id = timerId(c.timer.name, c.timer.key);
        this.timers.set(id, c.timer);
        ctx.setTimer(id, c.delay);
        return;
      }
      case 'cancel-timer': {
        const id = timerId(c.name, c.key);
        this.timers.delete(id);
        ctx.cancelTimer(id);
        return;
      }
      case 'put':
        ctx.disk.put(c.key, c.value);
        return;
      case 'delete':
        ctx.disk.delete(c.key);
        return;
      case 'fsync':
        ctx.disk.fsync();
        return;
      case 'invoke':
        this.ops.set(c.ref, ctx.invoke(c.call));
        return;
      case 'complete': {
        const op = this.ops.get(c.ref);
        if (op === undefined) throw new Error(`${ctx.id}: complete of operation ${c.ref}, which this node instance never invoked`);
        this.ops.delete(c.ref);
        ctx.complete(op, c.outcome, c.value);
        return;
      }
      case 'publish':
        ctx.publish(c.state);
        return;
      case 'log':
        ctx.log(c.text);
        return;
    }
  }
}

/**
 * A node of the cluster for `ProtocolBuild.nodes`: its id, its role (`server` nodes are what the
 * default nemesis targets; also `client`, `resource`, ...) and a factory called at start and after
 * every restart (a fresh instance: volatile state is lost).
 */
export function nodeSpec<M extends Message, T extends Timer, P extends JsonValue>(id: NodeId, role: string, create: () => ProtocolNode<M, T, P>): NodeSpec {
  return { id, role, create: () => new NodeAdapter(create()) };
}

/** The state a node last published, typed (`undefined` before its first publish). Checkers read nodes only through this and the trace. */
export function published<P extends JsonValue>(view: SimView, id: NodeId): P | undefined {
  return view.published(id) as P | undefined;
}
