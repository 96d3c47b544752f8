// The trace as the viewer needs it: messages paired from send to their end
// (delivery or drop), node down/paused intervals, partition bands, state
// snapshots per node and the clock of each node over time. Built once per
// trace in one pass; every "at the cursor" question is then a binary search.

import { assert } from '../engine/assert.ts';
import type { DropReason, JsonValue, Micros, NodeId, OpOutcome, TraceEvent, TraceHeader } from '../engine/types.ts';
import type { ParsedTrace } from './parse.ts';

export interface MessageRec {
  /** Message id (a duplicate has its own id). */
  id: number;
  from: NodeId;
  to: NodeId;
  /** The message's `type` field ("token", "AppendEntries"...), or "?" when it has none. */
  type: string;
  /** seq and time of the send (for a duplicate: of the duplicate event). */
  sendSeq: number;
  sendT: Micros;
  /** seq and time of the delivery or drop; undefined while in flight at the end of the trace. */
  endSeq: number | undefined;
  endT: Micros | undefined;
  outcome: 'delivered' | 'dropped' | 'in-flight';
  reason: DropReason | undefined;
  /** For a duplicate: the id of the original message. */
  dupOf: number | undefined;
  /** seq of the send this message comes from (the original's send for a duplicate). */
  originSeq: number;
}

export interface NodeInterval {
  node: NodeId;
  kind: 'down' | 'paused';
  fromT: Micros;
  fromSeq: number;
  /** undefined: still down/paused at the end of the trace. */
  toT: Micros | undefined;
  toSeq: number | undefined;
}

export interface PartitionBand {
  label: string;
  blocked: [NodeId, NodeId][];
  fromT: Micros;
  fromSeq: number;
  toT: Micros | undefined;
  toSeq: number | undefined;
}

export interface StateSnapshot {
  seq: number;
  t: Micros;
  state: JsonValue;
}

/** A clock segment: local(t) = baseLocal + (t - baseTrue) * (1 + drift), from seq onwards. */
export interface ClockSegment {
  seq: number;
  baseTrue: Micros;
  baseLocal: Micros;
  drift: number;
}

/** A client operation from its invoke to its return (Jepsen's history, as intervals). */
export interface OperationRec {
  op: number;
  process: string;
  node: NodeId;
  f: string;
  key: string | undefined;
  value: JsonValue | undefined;
  invokeSeq: number;
  invokeT: Micros;
  /** undefined while pending at the end of the trace (an unknown outcome). */
  returnSeq: number | undefined;
  returnT: Micros | undefined;
  outcome: OpOutcome | undefined;
  result: JsonValue | undefined;
}

export type ViolationEvent = Extract<TraceEvent, { type: 'violation' }>;

export interface TraceModel {
  header: TraceHeader;
  events: TraceEvent[];
  nodes: NodeId[];
  roles: Map<NodeId, string>;
  laneOf: Map<NodeId, number>;
  /** In send order (so sorted by sendT). */
  messages: MessageRec[];
  /** Index into messages of the message each event is about (send/deliver/drop/duplicate), else -1. */
  messageOfEvent: Int32Array;
  /** Longest send-to-end span, to find messages crossing a time window. */
  maxFlight: Micros;
  messageTypes: string[];
  intervals: NodeInterval[];
  partitions: PartitionBand[];
  states: Map<NodeId, StateSnapshot[]>;
  clocks: Map<NodeId, ClockSegment[]>;
  violations: ViolationEvent[];
  /** Client operations in invoke order. */
  operations: OperationRec[];
  /** seq of each node's first start event. */
  startSeq: Map<NodeId, number>;
  /** For each event on a node's timeline, the seq of the previous event on that node (-1 for none or for network events). */
  prevOnNode: Int32Array;
  startT: Micros;
  endT: Micros;
}

/** A message's `type`, or '?' when it has none. */
export function msgType(msg: JsonValue): string {
  if (typeof msg === 'object' && msg !== null && !Array.isArray(msg) && typeof msg.type === 'string') return msg.type;
  return '?';
}

/** A node's clock at t = 0, from the scenario's `clocks` in the header. */
export function initialClock(header: TraceHeader, node: NodeId): ClockSegment {
  const cfg = header.config as { clocks?: Record<string, { offset?: number; drift?: number }> } | null;
  const c = cfg && typeof cfg === 'object' ? cfg.clocks?.[node] : undefined;
  return { seq: -1, baseTrue: 0, baseLocal: c?.offset ?? 0, drift: c?.drift ?? 0 };
}

export function buildModel(trace: Pick<ParsedTrace, 'header' | 'events' | 'footer'>): TraceModel {
  const { header, events } = trace;
  const nodes: NodeId[] = header.nodes.map((n) => n.id);
  const roles = new Map(header.nodes.map((n) => [n.id, n.role]));
  const laneOf = new Map<NodeId, number>();
  nodes.forEach((id, i) => laneOf.set(id, i));
  // Events may name nodes the header does not list (a send to an unknown node): give them a lane too.
  const lane = (id: NodeId): void => {
    if (id !== '*' && !laneOf.has(id)) {
      laneOf.set(id, nodes.length);
      nodes.push(id);
      roles.set(id, '?');
    }
  };

  const messages: MessageRec[] = [];
  const byId = new Map<number, number>();
  const messageOfEvent = new Int32Array(events.length).fill(-1);
  const typeSet = new Set<string>();
  const intervals: NodeInterval[] = [];
  const openInterval = new Map<string, NodeInterval>();
  const partitions: PartitionBand[] = [];
  let openBands: PartitionBand[] = [];
  const states = new Map<NodeId, StateSnapshot[]>();
  const clocks = new Map<NodeId, ClockSegment[]>();
  for (const id of nodes) clocks.set(id, [initialClock(header, id)]);
  const violations: ViolationEvent[] = [];
  const startSeq = new Map<NodeId, number>();
  const operations: OperationRec[] = [];
  const openOps = new Map<number, OperationRec>();
  let maxFlight = 0;
  const prevOnNode = new Int32Array(events.length).fill(-1);
  const lastOnNode = new Map<NodeId, number>();

  const open = (node: NodeId, kind: NodeInterval['kind'], ev: TraceEvent): void => {
    const key = `${kind}:${node}`;
    if (openInterval.has(key)) return;
    const iv: NodeInterval = { node, kind, fromT: ev.t, fromSeq: ev.seq, toT: undefined, toSeq: undefined };
    openInterval.set(key, iv);
    intervals.push(iv);
  };
  const close = (node: NodeId, kind: NodeInterval['kind'], ev: TraceEvent): void => {
    const key = `${kind}:${node}`;
    const iv = openInterval.get(key);
    if (!iv) return;
    iv.toT = ev.t;
    iv.toSeq = ev.seq;
    openInterval.delete(key);
  };
  const end = (ev: TraceEvent & { id: number }, outcome: 'delivered' | 'dropped', reason?: DropReason): void => {
    const i = byId.get(ev.id);
    if (i === undefined) return; // a trace cut before its send; nothing to pair
    const m = messages[i] as MessageRec;
    m.endSeq = ev.seq;
    m.endT = ev.t;
    m.outcome = outcome;
    m.reason = reason;
    messageOfEvent[ev.seq] = i;
    if (ev.t - m.sendT > maxFlight) maxFlight = ev.t - m.sendT;
  };

  for (const ev of events) {
    const on = timelineNode(ev);
    if (on !== undefined) {
      prevOnNode[ev.seq] = lastOnNode.get(on) ?? -1;
      lastOnNode.set(on, ev.seq);
    }
    switch (ev.type) {
      case 'send': {
        lane(ev.from);
        lane(ev.to);
        const type = msgType(ev.msg);
        typeSet.add(type);
        byId.set(ev.id, messages.length);
        messageOfEvent[ev.seq] = messages.length;
        messages.push({ id: ev.id, from: ev.from, to: ev.to, type, sendSeq: ev.seq, sendT: ev.t, endSeq: undefined, endT: undefined, outcome: 'in-flight', reason: undefined, dupOf: undefined, originSeq: ev.seq });
        break;
      }
      case 'duplicate': {
        const orig = byId.get(ev.of);
        const type = orig === undefined ? '?' : (messages[orig] as MessageRec).type;
        const originSeq = orig === undefined ? -1 : (messages[orig] as MessageRec).sendSeq;
        byId.set(ev.id, messages.length);
        messageOfEvent[ev.seq] = messages.length;
        messages.push({ id: ev.id, from: ev.from, to: ev.to, type, sendSeq: ev.seq, sendT: ev.t, endSeq: undefined, endT: undefined, outcome: 'in-flight', reason: undefined, dupOf: ev.of, originSeq });
        break;
      }
      case 'deliver':
        end(ev, 'delivered');
        break;
      case 'drop':
        end(ev, 'dropped', ev.reason);
        break;
      case 'start':
        lane(ev.node);
        if (!startSeq.has(ev.node)) startSeq.set(ev.node, ev.seq);
        break;
      case 'crash':
        close(ev.node, 'paused', ev); // a crash ends a pause
        open(ev.node, 'down', ev);
        break;
      case 'restart':
        close(ev.node, 'down', ev);
        break;
      case 'pause':
        open(ev.node, 'paused', ev);
        break;
      case 'resume':
        close(ev.node, 'paused', ev);
        break;
      case 'partition': {
        const band: PartitionBand = { label: ev.label, blocked: ev.blocked, fromT: ev.t, fromSeq: ev.seq, toT: undefined, toSeq: undefined };
        partitions.push(band);
        openBands.push(band);
        break;
      }
      case 'heal':
        // The engine's heal removes every partition and block at once.
        for (const b of openBands) {
          b.toT = ev.t;
          b.toSeq = ev.seq;
        }
        openBands = [];
        break;
      case 'state': {
        lane(ev.node);
        let list = states.get(ev.node);
        if (!list) states.set(ev.node, (list = []));
        list.push({ seq: ev.seq, t: ev.t, state: ev.state });
        break;
      }
      case 'clock': {
        lane(ev.node);
        let list = clocks.get(ev.node);
        if (!list) clocks.set(ev.node, (list = []));
        list.push({ seq: ev.seq, baseTrue: ev.t, baseLocal: ev.t + ev.offset, drift: ev.drift });
        break;
      }
      case 'violation':
        violations.push(ev);
        break;
      case 'invoke': {
        const rec: OperationRec = { op: ev.op, process: ev.process, node: ev.node, f: ev.f, key: ev.key, value: ev.value, invokeSeq: ev.seq, invokeT: ev.t, returnSeq: undefined, returnT: undefined, outcome: undefined, result: undefined };
        openOps.set(ev.op, rec);
        operations.push(rec);
        break;
      }
      case 'return': {
        const rec = openOps.get(ev.op);
        if (!rec) break; // its invoke is before a truncation point we never saw
        rec.returnSeq = ev.seq;
        rec.returnT = ev.t;
        rec.outcome = ev.outcome;
        rec.result = ev.value;
        openOps.delete(ev.op);
        break;
      }
      default:
        break;
    }
  }
  for (const m of messages) assert(m.sendSeq < (m.endSeq ?? Infinity), `message ${m.id} ends before it starts`);

  const first = events[0];
  const last = events.at(-1);
  const endT = Math.max(trace.footer?.t ?? 0, last?.t ?? 0, first ? first.t + 1 : 1);
  return {
    header,
    events,
    nodes,
    roles,
    laneOf,
    messages,
    messageOfEvent,
    maxFlight,
    messageTypes: [...typeSet].sort(),
    intervals,
    partitions,
    states,
    clocks,
    violations,
    operations,
    startSeq,
    prevOnNode,
    startT: first?.t ?? 0,
    endT,
  };
}

/** The node on whose timeline an event happens (a send at the sender, a delivery at the receiver); undefined for network events (drops, duplicates, partitions, violations). */
function timelineNode(ev: TraceEvent): NodeId | undefined {
  switch (ev.type) {
    case 'send':
      return ev.from;
    case 'deliver':
      return ev.to;
    case 'drop':
    case 'duplicate':
    case 'partition':
    case 'heal':
    case 'network':
    case 'violation':
      return undefined;
    default:
      return ev.node === '*' ? undefined : ev.node;
  }
}

/**
 * The causal past of event `seq` (Lamport's happened-before, reflexive): the
 * events before it on its node, the sends of the messages delivered there, and
 * so on back. For a violation, the past of its cause. Returns a mark per seq.
 */
export function causalPast(model: TraceModel, seq: number): Uint8Array {
  const mark = new Uint8Array(model.events.length);
  const stack = [seq];
  mark[seq] = 1;
  const push = (s: number): void => {
    if (s >= 0 && mark[s] === 0) {
      mark[s] = 1;
      stack.push(s);
    }
  };
  while (stack.length > 0) {
    const s = stack.pop() as number;
    const ev = model.events[s] as TraceEvent;
    push(model.prevOnNode[s] ?? -1);
    const mi = model.messageOfEvent[s] ?? -1;
    if (mi >= 0) {
      const r = model.messages[mi] as MessageRec;
      // A delivery or drop follows its send (or duplicate event); a duplicate event follows the original send.
      push(r.sendSeq === s ? (r.dupOf !== undefined ? r.originSeq : -1) : r.sendSeq);
    }
    if (ev.type === 'violation') push(ev.cause);
  }
  return mark;
}

/** Index of the last element with key(x) <= v in a list sorted by key, or -1. */
export function lastAtOrBefore<T>(list: readonly T[], v: number, key: (x: T) => number): number {
  let lo = 0;
  let hi = list.length - 1;
  let ans = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (key(list[mid] as T) <= v) {
      ans = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return ans;
}

/** Index of the first element with key(x) >= v, or list.length. */
export function firstAtOrAfter<T>(list: readonly T[], v: number, key: (x: T) => number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (key(list[mid] as T) < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The state a node had published at the cursor (after event `seq`), or undefined. */
export function stateAt(model: Pick<TraceModel, 'states'>, node: NodeId, seq: number): StateSnapshot | undefined {
  const list = model.states.get(node);
  if (!list) return undefined;
  const i = lastAtOrBefore(list, seq, (s) => s.seq);
  return i < 0 ? undefined : list[i];
}

export type NodeStatus = 'not started' | 'up' | 'down' | 'paused';

/** Whether a node was up, down (crashed) or paused after event `seq`. */
export function statusAt(model: Pick<TraceModel, 'intervals' | 'startSeq'>, node: NodeId, seq: number): NodeStatus {
  for (const iv of model.intervals) {
    if (iv.node !== node || iv.fromSeq > seq) continue;
    if (iv.toSeq === undefined || iv.toSeq > seq) return iv.kind;
  }
  const started = model.startSeq.get(node);
  return started !== undefined && started <= seq ? 'up' : 'not started';
}

/** A node's local clock reading at true time t (µs), as the engine computes it. */
export function localTime(model: Pick<TraceModel, 'clocks'>, node: NodeId, t: Micros): Micros {
  const segs = model.clocks.get(node) ?? [];
  const i = lastAtOrBefore(segs, t, (s) => s.baseTrue);
  const s = segs[Math.max(0, i)] ?? { baseTrue: 0, baseLocal: 0, drift: 0, seq: -1 };
  return Math.floor(s.baseLocal + (t - s.baseTrue) * (1 + s.drift));
}

/** The true time at which a node's local clock reads `local`, under the clock segment in force at true time `now`. */
export function trueTimeOfLocal(model: Pick<TraceModel, 'clocks'>, node: NodeId, local: Micros, now: Micros): Micros {
  const segs = model.clocks.get(node) ?? [];
  const i = lastAtOrBefore(segs, now, (s) => s.baseTrue);
  const s = segs[Math.max(0, i)] ?? { baseTrue: 0, baseLocal: 0, drift: 0, seq: -1 };
  return Math.round(s.baseTrue + (local - s.baseLocal) / (1 + s.drift));
}

/** The seq of the last event at or before true time t (-1 if none). */
export function seqAtTime(model: TraceModel, t: Micros): number {
  return lastAtOrBefore(model.events, t, (e) => e.t);
}
