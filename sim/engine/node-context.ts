// A node's window on the world (NodeContext): send, timers on its local clock, its
// random stream and disk, client history (invoke / complete), publish and log. Calls
// that act are only legal from inside the node's own handler (guarded), so a node
// cannot act on behalf of another or outside an event.

import { assert } from './assert.ts';
import { K_TIMER, type TimerEvent } from './events.ts';
import type { HookLists } from './hooks.ts';
import type { NodeSlot } from './node-slot.ts';
import type { HistoryEvent, JsonValue, Message, Micros, NodeContext, NodeId, OpCall, OpOutcome, RunStats, TraceEvent, TraceEventType } from './types.ts';

/** What a node context needs from the event loop. */
export interface ContextHost {
  now(): Micros;
  readonly rec: boolean;
  /** When recording: whether to build an event of this type (when not, it is numbered as if emitted). */
  traces(type: TraceEventType): boolean;
  /** The node whose handler is running, if any. */
  current(): NodeSlot | undefined;
  emit(ev: TraceEvent): void;
  send(from: NodeSlot, to: NodeId, msg: Message): void;
  pushTimer(ev: TimerEvent): void;
  /** Append to the run's history (bounded). */
  record(h: HistoryEvent): void;
  /** A node published: remember its previous state for triggers, then trace. */
  published(slot: NodeSlot, state: JsonValue): void;
  readonly operations: RunStats['operations'];
  /** Distinct timer names a node may have armed at once (EngineLimits.timersPerNode). */
  readonly maxTimers: number;
  /** Throw EngineLimitError for a node's timer table. */
  tooManyTimers(slot: NodeSlot): never;
  nextOpId(): number;
  /** A value crossing the node boundary: copied, frozen or shared as is (SimulationOptions.isolate). */
  copy<T>(value: T): T;
  /** The checkers' typed hooks (Checker.on: `invoke`, `return`). */
  readonly hooks: HookLists;
}

/** Operations invoked and not yet completed: op id -> the process that invoked it. */
export type PendingOps = Map<number, { process: string }>;

export function makeContext(host: ContextHost, slot: NodeSlot, nodes: readonly NodeId[], pendingOps: PendingOps): NodeContext<Message> {
  const id = slot.spec.id;
  const guard = (what: string): void => {
    assert(host.current() === slot, `${id}: ctx.${what} called outside the node's own handler`);
  };
  return {
    id,
    nodes: [...nodes],
    now: () => slot.clock.local(host.now()),
    send: (to, msg) => {
      guard('send');
      host.send(slot, to, msg);
    },
    setTimer: (name, delay) => {
      guard('setTimer');
      assert(Number.isFinite(delay) && delay >= 0, `${id}: timer "${name}" delay must be >= 0 (got ${delay})`);
      const gen = ++slot.timerGen;
      if (slot.timers.size >= host.maxTimers && !slot.timers.has(name)) host.tooManyTimers(slot);
      slot.timers.set(name, gen);
      // The delay runs on the local clock: a fast clock fires early in true time.
      host.pushTimer({ t: host.now() + slot.clock.trueDelay(delay), q: 0, k: K_TIMER, node: slot.idx, name, gen });
    },
    cancelTimer: (name) => {
      slot.timers.delete(name);
    },
    hasTimer: (name) => slot.timers.has(name),
    rng: slot.rng,
    disk: slot.disk,
    invoke: (call: OpCall) => {
      guard('invoke');
      const op = host.nextOpId();
      const value = host.copy(call.value);
      const h: HistoryEvent = { t: host.now(), type: 'invoke', node: id, op, process: call.process, f: call.f };
      if (call.key !== undefined) h.key = call.key;
      if (value !== undefined) h.value = value;
      host.record(h);
      pendingOps.set(op, { process: call.process });
      host.operations.invoked++;
      if (host.rec && host.traces('invoke')) host.emit({ seq: 0, ...h });
      for (const fn of host.hooks.invoke) fn(id, op, call.process, call.f);
      return op;
    },
    complete: (op: number, outcome: OpOutcome, value?: JsonValue) => {
      guard('complete');
      const pending = pendingOps.get(op);
      assert(pending !== undefined, `${id}: complete() of unknown or finished operation ${op}`);
      pendingOps.delete(op);
      const v = host.copy(value);
      const h: HistoryEvent = { t: host.now(), type: 'return', node: id, op, process: pending.process, outcome };
      if (v !== undefined) h.value = v;
      host.record(h);
      host.operations[outcome]++;
      if (host.rec && host.traces('return')) host.emit({ seq: 0, ...h });
      for (const fn of host.hooks.return) fn(id, op, pending.process, outcome);
    },
    publish: (state: JsonValue) => {
      host.published(slot, host.copy(state));
    },
    log: (text: string) => {
      if (host.rec && host.traces('log')) host.emit({ seq: 0, t: host.now(), type: 'log', node: id, text });
    },
  };
}
