// The engine's public contract. Protocols, checkers, the CLI and the viewer
// depend on these types only; the event loop behind them is in simulation.ts.
//
// Conventions:
// - Time is virtual, in integer microseconds (Micros). True time belongs to the
//   engine; a node only sees its local clock (ctx.now()), which may be skewed.
// - Everything a node sends, publishes, records or writes to disk is plain JSON
//   data: it goes into the trace and is cloned at the boundary, so no node can
//   alias another node's memory.

import type { FaultStateView } from './fault-state.ts';
import type { Rng } from './random.ts';

export type Micros = number;
export type NodeId = string;

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** Every message carries a `type`, used by the trace, the viewer's filters and the stats. */
export interface Message {
  readonly type: string;
}

/** Simulated disk of one node: a key-value store with write + fsync semantics. */
export interface Disk {
  /** Latest value written (synced or not, like a page cache). Throws DiskCorruptionError if its checksum fails. */
  get<T = JsonValue>(key: string): T | undefined;
  /** Buffered write: lost on crash unless fsync() runs before the crash. */
  put(key: string, value: JsonValue): void;
  delete(key: string): void;
  /** Make every previous put/delete durable. */
  fsync(): void;
  /** Keys present (synced or not), sorted, optionally restricted to a prefix. */
  keys(prefix?: string): string[];
}

/** Outcome of a client operation, as in Jepsen: ok and fail are definite, info is unknown. */
export type OpOutcome = 'ok' | 'fail' | 'info';

/** A client operation's call, recorded in the history (for linearizability and the viewer). */
export interface OpCall {
  /** Logical process (client) issuing the operation; one operation at a time per process. */
  process: string;
  /** Operation name: read, write, cas, get, put, append, acquire, release, transfer ... */
  f: string;
  key?: string;
  value?: JsonValue;
}

/** What a node's handlers receive. It is the node's only window on the world. */
export interface NodeContext<M extends Message = Message> {
  readonly id: NodeId;
  /** All node ids of the cluster, in scenario order (self included). */
  readonly nodes: readonly NodeId[];
  /** The node's local clock in µs: offset + (1 + drift) * trueTime. Never true time. */
  now(): Micros;
  send(to: NodeId, msg: M): void;
  /** Arm (or re-arm) the timer called `name`; `delay` is measured on the local clock. */
  setTimer(name: string, delay: Micros): void;
  cancelTimer(name: string): void;
  hasTimer(name: string): boolean;
  /** The node's own random stream (forked from the seed by node id). */
  readonly rng: Rng;
  readonly disk: Disk;
  /** Record the call of a client operation; returns its id for complete(). */
  invoke(call: OpCall): number;
  /** Record the return of a client operation. */
  complete(opId: number, outcome: OpOutcome, value?: JsonValue): void;
  /** Publish a snapshot of this node's state: it goes into the trace for the viewer and checkers. */
  publish(state: JsonValue): void;
  /** Free-form note in the trace. */
  log(text: string): void;
}

/**
 * A node is a sans-IO state machine. The engine calls these handlers; a handler
 * acts only through the context. After a crash the instance is thrown away; on
 * restart a fresh instance is made by the factory and onRecover is called.
 */
export interface NodeBehaviour<M extends Message = Message> {
  onStart(ctx: NodeContext<M>): void;
  /** Called on a fresh instance after a restart; volatile state is gone, the disk holds what was synced. Defaults to onStart. */
  onRecover?(ctx: NodeContext<M>): void;
  onMessage(ctx: NodeContext<M>, from: NodeId, msg: M): void;
  onTimer(ctx: NodeContext<M>, name: string): void;
}

export interface NodeSpec {
  id: NodeId;
  /** What the node is, for the viewer and the nemesis: 'server', 'client', 'resource', ... */
  role: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  create(): NodeBehaviour<any>;
}

// ---------------------------------------------------------------- trace

export type DropReason = 'loss' | 'partition' | 'crashed' | 'unknown-node';

/** One line of a trace after the header. `seq` is the line's index among events; `t` true time in µs. */
export type TraceEvent =
  | { seq: number; t: Micros; type: 'send'; id: number; from: NodeId; to: NodeId; msg: JsonValue }
  | { seq: number; t: Micros; type: 'deliver'; id: number; from: NodeId; to: NodeId }
  | { seq: number; t: Micros; type: 'drop'; id: number; from: NodeId; to: NodeId; reason: DropReason }
  | { seq: number; t: Micros; type: 'duplicate'; id: number; of: number; from: NodeId; to: NodeId }
  | { seq: number; t: Micros; type: 'timer'; node: NodeId; name: string }
  | { seq: number; t: Micros; type: 'start'; node: NodeId }
  | { seq: number; t: Micros; type: 'crash'; node: NodeId; lostWrites: number }
  | { seq: number; t: Micros; type: 'restart'; node: NodeId }
  | { seq: number; t: Micros; type: 'pause'; node: NodeId }
  | { seq: number; t: Micros; type: 'resume'; node: NodeId; queued: number }
  | { seq: number; t: Micros; type: 'partition'; label: string; blocked: [NodeId, NodeId][] }
  | { seq: number; t: Micros; type: 'heal'; label: string; blocked: [NodeId, NodeId][] }
  | { seq: number; t: Micros; type: 'network'; loss: number; duplicate: number }
  /** A slow-link fault applied: latency of `node`'s links (both ways), or of `node` -> `to` only, multiplied by `factor` (1 ends it). */
  | { seq: number; t: Micros; type: 'slow'; node: NodeId; to?: NodeId; factor: number }
  | { seq: number; t: Micros; type: 'clock'; node: NodeId; offset: Micros; drift: number }
  | { seq: number; t: Micros; type: 'disk'; node: NodeId; op: 'corrupt'; key: string }
  | { seq: number; t: Micros; type: 'state'; node: NodeId; state: JsonValue }
  | { seq: number; t: Micros; type: 'invoke'; node: NodeId; op: number; process: string; f: string; key?: string; value?: JsonValue }
  | { seq: number; t: Micros; type: 'return'; node: NodeId; op: number; process: string; outcome: OpOutcome; value?: JsonValue }
  | { seq: number; t: Micros; type: 'log'; node: NodeId; text: string }
  | { seq: number; t: Micros; type: 'violation'; invariant: string; message: string; cause: number };

export type TraceEventType = TraceEvent['type'];

/** First line of a trace file: it describes the run completely, so `faultline replay` needs nothing else. */
export interface TraceHeader {
  format: 'faultline-trace';
  version: 1;
  scenario: string;
  protocol: string;
  seed: string;
  /** The fully resolved scenario (defaults applied, nemesis expanded) that the run used. */
  config: JsonValue;
  nodes: { id: NodeId; role: string }[];
  /** The fault timeline the run used: the scenario's own plus the expanded nemesis, sorted by time. */
  timeline: JsonValue[];
}

/** Last line of a trace file; not part of the hash. */
export interface TraceFooter {
  type: 'end';
  t: Micros;
  events: number;
  hash: string;
  stats: RunStats;
  /** Present when the run was interrupted (Ctrl-C): the trace stops at `events`, with no final checks. */
  interrupted?: true;
}

// ---------------------------------------------------------------- checking

/** Read-only view of the running simulation given to checkers. Checkers may look inside nodes; nodes may not. */
export interface SimView {
  /** True time, µs. */
  readonly now: Micros;
  /** Number of trace events so far (the seq the next event will get). */
  readonly seq: number;
  /** Steps taken so far (events that ran): differs from one step to the next, so checkers sharing work per step can tell steps apart. */
  readonly stepsTaken: number;
  /**
   * States published so far in the run, by any node (the engine's view always has it; optional for
   * views built by hand). Equal before and after a step that published nothing: a checker that reads
   * only published states can skip such a step (see Checker.onChange for the engine-side skip).
   */
  readonly publishes?: number;
  readonly nodeIds: readonly NodeId[];
  role(id: NodeId): string;
  isUp(id: NodeId): boolean;
  isPaused(id: NodeId): boolean;
  /** The live behaviour instance of a node, or undefined while it is crashed. */
  behaviour<B>(id: NodeId): B | undefined;
  /** The last state the node published (survives crashes: it is the last one seen). */
  published(id: NodeId): JsonValue | undefined;
  /** Durable (synced) contents of a node's disk: what would survive a crash now. */
  durable(id: NodeId): ReadonlyMap<string, JsonValue>;
  /**
   * Optional: one durable record of a node's disk, as `durable(id).get(key)` returns it (undefined:
   * absent or corrupt), without building the whole view (O(1) instead of O(records)).
   */
  durableRecord?(id: NodeId, key: string): JsonValue | undefined;
  /**
   * Optional: a number that changes whenever the node's durable records may have changed (its disk's
   * fsync count), or undefined once a record of its disk was corrupted (a checker that models the
   * durable records as the node would read them back cannot then). The recovery oracle
   * (sim/api/recovery.ts) re-judges a node only when this or its published state changed.
   */
  durableEpoch?(id: NodeId): number | undefined;
  /** Optional: the node's local clock reading now (offset and drift applied), as its handlers would read it. */
  localTime?(id: NodeId): Micros;
  /**
   * Optional: the durable records as `durable(id)` has them, but deeply frozen and shared
   * instead of copied for each call (cheaper for a reader that reads them all often and changes none).
   */
  durableFrozen?(id: NodeId): ReadonlyMap<string, JsonValue>;
  /** Client history so far. */
  readonly history: readonly HistoryEvent[];
  /** True once the scenario's quiesce point passed (faults stopped and healed): liveness checks start there. */
  readonly quiesced: boolean;
  readonly quiescedAt: Micros | undefined;
  /**
   * The only node the step just taken may have changed: the node whose handler
   * ran (a delivery, a timer, its start) or to which a dropped message was
   * addressed. Undefined when the step applied a fault, which may change any
   * node (a crash, a restart, the quiesce point). Incremental checkers look at
   * this node only and rescan everything when it is undefined.
   */
  readonly actor: NodeId | undefined;
  /** The fault state now (running nodes, cut links, loss burst) and since when each part has held: see fault-state.ts. */
  readonly faults: FaultStateView;
  /**
   * Record something a checker could not decide (a search budget ran out, say):
   * not a violation, but never silent: it goes into the trace (a log line from
   * node "*") and the run's warnings.
   */
  warn(checker: string, message: string): void;
}

export type HistoryEvent =
  | { type: 'invoke'; t: Micros; node: NodeId; op: number; process: string; f: string; key?: string; value?: JsonValue }
  | { type: 'return'; t: Micros; node: NodeId; op: number; process: string; outcome: OpOutcome; value?: JsonValue };

/**
 * A property of the run. 'always' checkers run after every event (or every
 * `every` events) and may keep incremental state in their closure; 'final'
 * checkers run once when the run ends (history checks, liveness).
 * check() returns undefined when the property holds, or a message saying how it broke.
 */
export interface Checker {
  name: string;
  description: string;
  when: 'always' | 'final';
  every?: number;
  check(view: SimView): string | undefined;
  /** Optional: see each trace event as it happens (called before check). Only called for 'always' checkers. */
  observe?(ev: TraceEvent, view: SimView): void;
  /**
   * Optional, with `observe`: the event types `observe` reads (absent: every type). An untraced run
   * builds trace events only for the types some consumer reads (observers, fault triggers), so
   * declaring them saves building an object per message, timer and delivery. Sequence numbers
   * (`seq`, `SimView.seq`) are the same either way.
   */
  observes?: readonly TraceEventType[];
  /**
   * Optional, for an observer that acts once per instant of virtual time: called at the first trace
   * event of a later instant (built or not: whatever its type), before `observe` sees it, with that
   * event's time. Only called for 'always' checkers, in runs that record events (those with an observer).
   */
  onInstant?(t: Micros, view: SimView): void;
  /**
   * Optional typed hooks (`EventHooks`), for an 'always' checker that follows some events cheaply:
   * the engine calls them where it would emit the matching trace event, with that event's fields,
   * and builds no event object for them (an untraced run whose checkers use only hooks builds
   * none at all). Called before `observe` would see the event, in checker order.
   */
  on?: EventHooks;
  /**
   * Optional, for an 'always' checker whose verdict changes only with what nodes publish and with
   * faults: true promises that after a step that was one node's own (SimView.actor defined) and in
   * which no node published, `check` would return undefined (it has nothing new to look at). The
   * engine then skips it after such steps (in the Raft bench, about 60% of steps: client steps and
   * server steps that changed nothing published). It is still called after every fault step and
   * every step with a publish, so its verdicts and their steps are the same. A checker that reads
   * the time (a liveness bound), the history or anything else a quiet step changes must not declare it.
   */
  onChange?: boolean;
  /**
   * Optional, for an 'always' checker whose verdict changes only through its own typed hooks
   * (Checker.on): a flag it raises (`wake.raised = true`) in a hook when its next `check` may have
   * something to report or to reset. The engine calls `check` only after a step in which the flag
   * was raised (lowering it first), so a step that raised nothing costs one property read instead of
   * a call. Declaring it promises that `check` would return undefined, and change nothing it reads
   * later, after any step in which the flag was not raised. (In the Raft bench, the six hook rules
   * raise theirs in about one step in four.)
   */
  wake?: WakeFlag;
  /**
   * Optional, for a checker that judges only once some point is reached (calm after the faults,
   * a finished job, the quiesce point): whether it reached that point in this run, asked after
   * the final checks. A run that ends before it passes the checker vacuously; the scenario layer
   * reports such a checker as "never judged". Absent: the checker judges every run.
   */
  judged?(): boolean;
}

/** Checker.wake: raised by a checker's hooks when its check has something to look at, lowered by the engine before it calls check. */
export interface WakeFlag {
  raised: boolean;
}

/**
 * Typed hooks on trace events (Checker.on), each called where the engine emits (or, untraced,
 * numbers) that event, with the event's own fields: `send` (the message as it travels; also for
 * one addressed to an unknown node, then followed by `drop`), `deliver` (just before the
 * addressee's handler runs), `drop` (lost, cut by a partition, addressee crashed or unknown),
 * `duplicate` (a copy `id` of message `of` was queued), `start` (a node's first start, or a
 * restart: before its handler runs), `timer` (a timer fired, before its handler runs), `invoke` and
 * `return` (a client operation's call and return, as recorded in the history), `publish` (a node
 * published `state`, in its handler) and
 * `violation` (a violation was recorded: a checker failed or a handler threw).
 */
export interface EventHooks {
  send?(id: number, from: NodeId, to: NodeId, msg: Message): void;
  deliver?(id: number, from: NodeId, to: NodeId): void;
  drop?(id: number, from: NodeId, to: NodeId, reason: DropReason): void;
  duplicate?(id: number, of: number, from: NodeId, to: NodeId): void;
  start?(node: NodeId, restart: boolean): void;
  /** A timer of `node` fired (before its handler runs). */
  timer?(node: NodeId, name: string): void;
  /** A client operation was invoked at `node` (in its handler; already in the history). */
  invoke?(node: NodeId, op: number, process: string, f: string): void;
  /** A client operation returned at `node` (in its handler; already in the history). */
  return?(node: NodeId, op: number, process: string, outcome: OpOutcome): void;
  publish?(node: NodeId, state: JsonValue): void;
  violation?(invariant: string): void;
}

export interface Violation {
  invariant: string;
  message: string;
  t: Micros;
  /** seq of the violation event in the trace. */
  seq: number;
  /** seq of the event after which the violation was detected. */
  cause: number;
}

export interface Warning {
  checker: string;
  message: string;
  t: Micros;
}

export interface RunStats {
  events: number;
  steps: number;
  endTime: Micros;
  /** retransmitted: lost attempts that a retransmitting link sent again (the message itself was not dropped). */
  messages: { sent: number; delivered: number; dropped: number; droppedBy: Record<string, number>; duplicated: number; retransmitted: number; inFlight: number };
  faults: number;
  timers: number;
  operations: { invoked: number; ok: number; fail: number; info: number; pending: number };
}
