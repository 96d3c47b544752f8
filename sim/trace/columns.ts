// The trace as the viewer holds it at scale: one typed-array column per field
// (times, event kinds, lanes, message ids...) instead of one object per event,
// built one event at a time while the file streams in: 25 bytes per event and
// 47 per message, so a million events with half a million messages take about
// 50 MB, where event objects take gigabytes. The small, rarely-dense parts
// (state snapshots, operations, outages, partitions, violations) stay objects,
// as in model.ts, so the panels read them the same way. The text of an event is not kept: the viewer reads
// it back from the file by its byte offset when it is shown.

import type { JsonValue, Micros, NodeId, TraceEvent, TraceEventType, TraceFooter, TraceHeader } from '../engine/types.ts';
import { initialClock, msgType, type ClockSegment, type NodeInterval, type OperationRec, type PartitionBand, type StateSnapshot, type ViolationEvent } from './model.ts';
import { EVENT_TYPES } from './reader.ts';

/** Event kinds as small integers: KIND[type] is the code, EVENT_TYPES[code] the type. */
export const KIND = Object.fromEntries(EVENT_TYPES.map((t, i) => [t, i])) as Record<TraceEventType, number>;

/** Message outcome codes in `mOutcome`. */
export const OUTCOME = { inFlight: 0, delivered: 1, dropped: 2 } as const;

/** A change of the network's loss/duplication rates (a loss burst starts or ends). */
export interface NetworkChange {
  seq: number;
  t: Micros;
  loss: number;
  duplicate: number;
}

/** A disk fault injected on a node (corruption of one key). */
export interface DiskFault {
  seq: number;
  t: Micros;
  node: NodeId;
  key: string;
}

export interface ColumnarModel {
  header: TraceHeader;
  nodes: NodeId[];
  roles: Map<NodeId, string>;
  laneOf: Map<NodeId, number>;
  /** Number of events; every event column has this length. */
  count: number;
  /** Per event: true time (µs). Sorted (the trace is in time order). */
  t: Float64Array;
  /** Per event: KIND code of its type. */
  kind: Uint8Array;
  /** Per event: lane of its node (the sender for send/duplicate, the receiver for deliver/drop), -1 for cluster-wide events. */
  lane: Int16Array;
  /** Per event: for message events the other end's lane (receiver of a send, sender of a delivery), else -1. */
  peer: Int16Array;
  /** Per event: index of the message it is about (send/deliver/drop/duplicate), else -1. */
  msgOf: Int32Array;
  /** Per event: seq of the previous event on the same node's timeline (Lamport's process order), -1 for none or network events. */
  prev: Int32Array;
  /** Per event (for a violation): the seq of its cause, else -1. */
  cause: Int32Array;
  /** Number of messages (sends and duplicates), in send order. */
  msgCount: number;
  mId: Float64Array;
  mFrom: Int16Array;
  mTo: Int16Array;
  /** Index into messageTypes. */
  mType: Uint16Array;
  mSendSeq: Int32Array;
  mSendT: Float64Array;
  /** -1 while in flight at the end. */
  mEndSeq: Int32Array;
  /** NaN while in flight at the end. */
  mEndT: Float64Array;
  /** OUTCOME code. */
  mOutcome: Uint8Array;
  /** For a duplicate: the message index of the original, else -1. */
  mDupOf: Int32Array;
  /** seq of the send this message comes from (the original's send for a duplicate); -1 if unknown. */
  mOriginSeq: Int32Array;
  /** Longest send-to-end span, to find messages crossing a time window. */
  maxFlight: Micros;
  /** Sorted message type names. */
  messageTypes: string[];
  intervals: NodeInterval[];
  partitions: PartitionBand[];
  states: Map<NodeId, StateSnapshot[]>;
  clocks: Map<NodeId, ClockSegment[]>;
  violations: ViolationEvent[];
  operations: OperationRec[];
  network: NetworkChange[];
  disk: DiskFault[];
  startSeq: Map<NodeId, number>;
  startT: Micros;
  endT: Micros;
  /**
   * Only on a model of a trace still loading (the viewer's progressive drawing): the time of the last
   * event parsed so far. The events after it are not in the columns yet; `endT` is the whole run's end
   * (read from the trace's end line first) so the time axis does not move as the rest arrives.
   */
  loadedT?: Micros;
}


type Typed = Float64Array | Int32Array | Int16Array | Uint16Array | Uint8Array;

function grow<A extends Typed>(a: A, need: number, fill?: number): A {
  if (need <= a.length) return a;
  const b = new (a.constructor as new (n: number) => A)(Math.max(need, a.length * 2, 1024));
  if (fill !== undefined) b.fill(fill);
  b.set(a);
  return b;
}

/**
 * Builds a ColumnarModel from events given one at a time, in seq order
 * (`add`), then `finish`. Same pairing and intervals as model.ts's buildModel.
 */
export class ColumnarBuilder {
  private readonly nodes: NodeId[];
  private readonly roles: Map<NodeId, string>;
  private readonly laneOf = new Map<NodeId, number>();
  private n = 0;
  private t = new Float64Array(1024);
  private kind = new Uint8Array(1024);
  private lane = new Int16Array(1024);
  private peer = new Int16Array(1024);
  private msgOf = new Int32Array(1024);
  private prev = new Int32Array(1024);
  private cause = new Int32Array(1024);
  private m = 0;
  private mId = new Float64Array(1024);
  private mFrom = new Int16Array(1024);
  private mTo = new Int16Array(1024);
  private mType = new Uint16Array(1024);
  private mSendSeq = new Int32Array(1024);
  private mSendT = new Float64Array(1024);
  private mEndSeq = new Int32Array(1024);
  private mEndT = new Float64Array(1024);
  private mOutcome = new Uint8Array(1024);
  private mDupOf = new Int32Array(1024);
  private mOriginSeq = new Int32Array(1024);
  /** Message id -> index: a table for the engine's small sequential ids (+1, 0 = none), a Map for any others. */
  private idTable = new Int32Array(1024);
  private readonly byId = new Map<number, number>();
  private readonly typeIndex = new Map<string, number>();
  private readonly typeNames: string[] = [];
  private maxFlight = 0;
  private readonly intervals: NodeInterval[] = [];
  private readonly openInterval = new Map<string, NodeInterval>();
  private readonly partitions: PartitionBand[] = [];
  private openBands: PartitionBand[] = [];
  private readonly states = new Map<NodeId, StateSnapshot[]>();
  private readonly clocks = new Map<NodeId, ClockSegment[]>();
  private readonly violations: ViolationEvent[] = [];
  private readonly startSeq = new Map<NodeId, number>();
  private readonly operations: OperationRec[] = [];
  private readonly openOps = new Map<number, OperationRec>();
  private readonly network: NetworkChange[] = [];
  private readonly disk: DiskFault[] = [];
  private readonly lastOnLane: number[] = [];
  private firstT: number | undefined;
  private lastT = 0;
  /**
   * Record the published states in the model's `states` (each shares the parts it has in common with
   * the node's previous state, `shareWith`). The viewer's loader turns it off for a big trace, whose
   * states reach the page packed (sim/trace/packed-states.ts): keeping and sharing them is then work for nothing.
   */
  keepStates = true;

  /** Times of the first and the last event added so far (µs), undefined before the first. */
  get span(): [Micros, Micros] | undefined {
    return this.firstT === undefined ? undefined : [this.firstT, this.lastT];
  }

  /** Forget the states recorded so far (see `keepStates`). */
  dropStates(): void {
    this.states.clear();
  }

  constructor(private readonly header: TraceHeader) {
    this.nodes = header.nodes.map((n) => n.id);
    this.roles = new Map(header.nodes.map((n) => [n.id, n.role]));
    this.nodes.forEach((id, i) => this.laneOf.set(id, i));
    for (const id of this.nodes) this.clocks.set(id, [initialClock(header, id)]);
  }

  get events(): number {
    return this.n;
  }

  /** The lane of a node, adding one for a node the header does not list; -1 for "*". */
  private laneFor(id: NodeId): number {
    if (id === '*') return -1;
    let l = this.laneOf.get(id);
    if (l === undefined) {
      l = this.nodes.length;
      this.laneOf.set(id, l);
      this.nodes.push(id);
      this.roles.set(id, '?');
      this.clocks.set(id, [initialClock(this.header, id)]);
    }
    return l;
  }

  private open(node: NodeId, kind: NodeInterval['kind'], ev: TraceEvent): void {
    const key = `${kind}:${node}`;
    if (this.openInterval.has(key)) return;
    const iv: NodeInterval = { node, kind, fromT: ev.t, fromSeq: ev.seq, toT: undefined, toSeq: undefined };
    this.openInterval.set(key, iv);
    this.intervals.push(iv);
  }

  private close(node: NodeId, kind: NodeInterval['kind'], ev: TraceEvent): void {
    const key = `${kind}:${node}`;
    const iv = this.openInterval.get(key);
    if (!iv) return;
    iv.toT = ev.t;
    iv.toSeq = ev.seq;
    this.openInterval.delete(key);
  }

  private addMessage(id: number, from: number, to: number, type: number, seq: number, t: number, dupOf: number, originSeq: number): number {
    const i = this.m++;
    if (this.m > this.mId.length) {
      const need = this.m;
      this.mId = grow(this.mId, need);
      this.mFrom = grow(this.mFrom, need);
      this.mTo = grow(this.mTo, need);
      this.mType = grow(this.mType, need);
      this.mSendSeq = grow(this.mSendSeq, need);
      this.mSendT = grow(this.mSendT, need);
      this.mEndSeq = grow(this.mEndSeq, need);
      this.mEndT = grow(this.mEndT, need);
      this.mOutcome = grow(this.mOutcome, need);
      this.mDupOf = grow(this.mDupOf, need);
      this.mOriginSeq = grow(this.mOriginSeq, need);
    }
    this.mId[i] = id;
    this.mFrom[i] = from;
    this.mTo[i] = to;
    this.mType[i] = type;
    this.mSendSeq[i] = seq;
    this.mSendT[i] = t;
    this.mEndSeq[i] = -1;
    this.mEndT[i] = NaN;
    this.mOutcome[i] = OUTCOME.inFlight;
    this.mDupOf[i] = dupOf;
    this.mOriginSeq[i] = originSeq;
    this.setIndexOf(id, i);
    return i;
  }

  private setIndexOf(id: number, i: number): void {
    if (Number.isInteger(id) && id >= 0 && id < 1 << 28) {
      if (id >= this.idTable.length) this.idTable = grow(this.idTable, id + 1);
      this.idTable[id] = i + 1;
    } else this.byId.set(id, i);
  }

  private indexOf(id: number): number | undefined {
    if (Number.isInteger(id) && id >= 0 && id < 1 << 28) {
      const v = id < this.idTable.length ? (this.idTable[id] as number) : 0;
      return v === 0 ? undefined : v - 1;
    }
    return this.byId.get(id);
  }

  private internType(name: string): number {
    let i = this.typeIndex.get(name);
    if (i === undefined) {
      i = this.typeNames.length;
      this.typeIndex.set(name, i);
      this.typeNames.push(name);
    }
    return i;
  }

  /** Add the next event (seq must be the number of events added so far). */
  add(ev: TraceEvent): void {
    const s = this.n++;
    if (this.n > this.t.length) {
      const need = this.n;
      this.t = grow(this.t, need);
      this.kind = grow(this.kind, need);
      this.lane = grow(this.lane, need);
      this.peer = grow(this.peer, need);
      this.msgOf = grow(this.msgOf, need);
      this.prev = grow(this.prev, need);
      this.cause = grow(this.cause, need);
    }
    this.t[s] = ev.t;
    this.firstT ??= ev.t;
    this.lastT = ev.t;
    this.kind[s] = KIND[ev.type];
    let lane = -1;
    let peer = -1;
    let msg = -1;
    let onTimeline = true;
    this.cause[s] = -1;
    switch (ev.type) {
      case 'send': {
        lane = this.laneFor(ev.from);
        peer = this.laneFor(ev.to);
        msg = this.addMessage(ev.id, lane, peer, this.internType(msgType(ev.msg)), s, ev.t, -1, s);
        break;
      }
      case 'duplicate': {
        lane = this.laneFor(ev.from);
        peer = this.laneFor(ev.to);
        const orig = this.indexOf(ev.of);
        const type = orig === undefined ? this.internType('?') : (this.mType[orig] as number);
        const originSeq = orig === undefined ? -1 : (this.mSendSeq[orig] as number);
        msg = this.addMessage(ev.id, lane, peer, type, s, ev.t, orig ?? -1, originSeq);
        onTimeline = false;
        break;
      }
      case 'deliver':
      case 'drop': {
        lane = this.laneFor(ev.to);
        peer = this.laneFor(ev.from);
        onTimeline = ev.type === 'deliver';
        const i = this.indexOf(ev.id);
        if (i !== undefined) {
          msg = i;
          this.mEndSeq[i] = s;
          this.mEndT[i] = ev.t;
          this.mOutcome[i] = ev.type === 'deliver' ? OUTCOME.delivered : OUTCOME.dropped;
          const flight = ev.t - (this.mSendT[i] as number);
          if (flight > this.maxFlight) this.maxFlight = flight;
        }
        break;
      }
      case 'partition': {
        const band: PartitionBand = { label: ev.label, blocked: ev.blocked, fromT: ev.t, fromSeq: s, toT: undefined, toSeq: undefined };
        this.partitions.push(band);
        this.openBands.push(band);
        onTimeline = false;
        break;
      }
      case 'heal':
        // The engine's heal removes every partition and block at once.
        for (const b of this.openBands) {
          b.toT = ev.t;
          b.toSeq = s;
        }
        this.openBands = [];
        onTimeline = false;
        break;
      case 'network':
        this.network.push({ seq: s, t: ev.t, loss: ev.loss, duplicate: ev.duplicate ?? 0 });
        onTimeline = false;
        break;
      case 'violation':
        this.violations.push(ev);
        this.cause[s] = ev.cause;
        onTimeline = false;
        break;
      default: {
        lane = this.laneFor(ev.node);
        const node = ev.node;
        switch (ev.type) {
          case 'start':
            if (!this.startSeq.has(node)) this.startSeq.set(node, s);
            break;
          case 'crash':
            this.close(node, 'paused', ev); // a crash ends a pause
            this.open(node, 'down', ev);
            break;
          case 'restart':
            this.close(node, 'down', ev);
            break;
          case 'pause':
            this.open(node, 'paused', ev);
            break;
          case 'resume':
            this.close(node, 'paused', ev);
            break;
          case 'state': {
            if (!this.keepStates) break;
            let list = this.states.get(node);
            if (!list) this.states.set(node, (list = []));
            const prev = list[list.length - 1];
            list.push({ seq: s, t: ev.t, state: prev ? shareWith(ev.state, prev.state) : ev.state });
            break;
          }
          case 'clock': {
            let list = this.clocks.get(node);
            if (!list) this.clocks.set(node, (list = []));
            list.push({ seq: s, baseTrue: ev.t, baseLocal: ev.t + ev.offset, drift: ev.drift });
            break;
          }
          case 'disk':
            this.disk.push({ seq: s, t: ev.t, node, key: ev.key });
            break;
          case 'invoke': {
            const rec: OperationRec = { op: ev.op, process: ev.process, node, f: ev.f, key: ev.key, value: ev.value, invokeSeq: s, invokeT: ev.t, returnSeq: undefined, returnT: undefined, outcome: undefined, result: undefined };
            this.openOps.set(ev.op, rec);
            this.operations.push(rec);
            break;
          }
          case 'return': {
            const rec = this.openOps.get(ev.op);
            if (!rec) break;
            rec.returnSeq = s;
            rec.returnT = ev.t;
            rec.outcome = ev.outcome;
            rec.result = ev.value;
            this.openOps.delete(ev.op);
            break;
          }
          default:
            break;
        }
        if (lane < 0) onTimeline = false;
      }
    }
    this.lane[s] = lane;
    this.peer[s] = peer;
    this.msgOf[s] = msg;
    if (onTimeline && lane >= 0) {
      this.prev[s] = this.lastOnLane[lane] ?? -1;
      this.lastOnLane[lane] = s;
    } else this.prev[s] = -1;
  }

  /**
   * The model of the events added so far, for drawing while the rest loads (the builder goes on): `loadedT`
   * set, `endT` the run's end when known (`runEnd`, µs; else the last event's time), no published states.
   */
  snapshot(runEnd: Micros | undefined): ColumnarModel {
    const footer = runEnd === undefined ? undefined : { t: runEnd };
    return { ...this.finish(footer), states: new Map(), loadedT: this.lastT };
  }

  /** The model, with columns trimmed to their length (fresh buffers, so they can be transferred). */
  finish(footer?: Pick<TraceFooter, 't'>): ColumnarModel {
    const n = this.n;
    const m = this.m;
    // Message types sorted by name; remap the codes.
    const sorted = [...this.typeNames].sort();
    const remap = this.typeNames.map((name) => sorted.indexOf(name));
    const mType = this.mType.slice(0, m);
    for (let i = 0; i < m; i++) mType[i] = remap[mType[i] as number] as number;
    const startT = this.firstT ?? 0;
    const endT = Math.max(footer?.t ?? 0, this.lastT, this.firstT !== undefined ? startT + 1 : 1);
    return {
      header: this.header,
      nodes: this.nodes,
      roles: this.roles,
      laneOf: this.laneOf,
      count: n,
      t: this.t.slice(0, n),
      kind: this.kind.slice(0, n),
      lane: this.lane.slice(0, n),
      peer: this.peer.slice(0, n),
      msgOf: this.msgOf.slice(0, n),
      prev: this.prev.slice(0, n),
      cause: this.cause.slice(0, n),
      msgCount: m,
      mId: this.mId.slice(0, m),
      mFrom: this.mFrom.slice(0, m),
      mTo: this.mTo.slice(0, m),
      mType,
      mSendSeq: this.mSendSeq.slice(0, m),
      mSendT: this.mSendT.slice(0, m),
      mEndSeq: this.mEndSeq.slice(0, m),
      mEndT: this.mEndT.slice(0, m),
      mOutcome: this.mOutcome.slice(0, m),
      mDupOf: this.mDupOf.slice(0, m),
      mOriginSeq: this.mOriginSeq.slice(0, m),
      maxFlight: this.maxFlight,
      messageTypes: sorted,
      intervals: this.intervals,
      partitions: this.partitions,
      states: this.states,
      clocks: this.clocks,
      violations: this.violations,
      operations: this.operations,
      network: this.network,
      disk: this.disk,
      startSeq: this.startSeq,
      startT,
      endT,
    };
  }
}

/** Build the columnar model of parsed events (tests, small traces). */
export function buildColumns(trace: { header: TraceHeader; events: readonly TraceEvent[]; footer?: Pick<TraceFooter, 't'> | undefined }): ColumnarModel {
  const b = new ColumnarBuilder(trace.header);
  for (const ev of trace.events) b.add(ev);
  return b.finish(trace.footer);
}

/** The typed arrays of a model, for postMessage's transfer list. */
export function transferables(m: ColumnarModel): ArrayBuffer[] {
  return [m.t, m.kind, m.lane, m.peer, m.msgOf, m.prev, m.cause, m.mId, m.mFrom, m.mTo, m.mType, m.mSendSeq, m.mSendT, m.mEndSeq, m.mEndT, m.mOutcome, m.mDupOf, m.mOriginSeq].map((a) => a.buffer as ArrayBuffer);
}

/** The columns causal past needs (a worker keeps copies of these). */
export type CausalColumns = Pick<ColumnarModel, 'count' | 'prev' | 'msgOf' | 'cause' | 'mSendSeq' | 'mDupOf' | 'mOriginSeq'>;

/**
 * The causal past of event `seq` (Lamport's happened-before, reflexive) over
 * the columns: the events before it on its node, the sends of the messages
 * delivered there, and so on back; for a violation, the past of its cause.
 * Same marks as model.ts's causalPast. O(size of the past), no allocation per event.
 */
export function causalPastColumns(m: CausalColumns, seq: number): Uint8Array {
  const mark = new Uint8Array(m.count);
  if (seq < 0 || seq >= m.count) return mark;
  const stack = new Int32Array(m.count);
  let sp = 0;
  mark[seq] = 1;
  stack[sp++] = seq;
  while (sp > 0) {
    const s = stack[--sp] as number;
    const p = m.prev[s] as number;
    if (p >= 0 && mark[p] === 0) {
      mark[p] = 1;
      stack[sp++] = p;
    }
    const mi = m.msgOf[s] as number;
    if (mi >= 0) {
      const send = m.mSendSeq[mi] as number;
      // A delivery or drop follows its send (or duplicate event); a duplicate event follows the original send.
      const q = send === s ? ((m.mDupOf[mi] as number) >= 0 ? (m.mOriginSeq[mi] as number) : -1) : send;
      if (q >= 0 && mark[q] === 0) {
        mark[q] = 1;
        stack[sp++] = q;
      }
    }
    const c = m.cause[s] as number;
    if (c >= 0 && c < m.count && mark[c] === 0) {
      mark[c] = 1;
      stack[sp++] = c;
    }
  }
  return mark;
}

/** Index of the first i with a[i] >= v in a sorted column (or a.length). */
export function lowerBound(a: ArrayLike<number>, v: number, hi = a.length): number {
  let lo = 0;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((a[mid] as number) < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of the last i with a[i] <= v in a sorted column, or -1. */
export function lastAtOrBeforeCol(a: ArrayLike<number>, v: number, n = a.length): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((a[mid] as number) <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

export interface Density {
  /** Number of time buckets. */
  cols: number;
  lanes: number;
  /** Events per lane and bucket: counts[lane * cols + col]. */
  counts: Uint32Array;
  /** Messages sent per (from lane, to lane) in the window: pairs[from * lanes + to]. */
  pairs: Uint32Array;
  /** Dropped messages per lane (at the sender) and bucket. */
  drops: Uint32Array;
  max: number;
}

/**
 * Aggregate the events in [t0, t1] into `cols` time buckets per lane (the
 * level of detail used when a window holds too many messages to draw one by
 * one), and count messages per pair of lanes. `laneVisible(l)` filters lanes,
 * `typeVisible(code)` message types. With everything shown it reads a lane
 * index built once per model (O(lanes × cols × log n) per call: a frame at any
 * zoom), else it scans the window's events (O(events in the window)).
 */
export function density(m: ColumnarModel, t0: number, t1: number, cols: number, laneVisible: (lane: number) => boolean, typeVisible: (type: number) => boolean): Density {
  const lanes = m.nodes.length;
  let allShown = true;
  for (let l = 0; l < lanes && allShown; l++) allShown = laneVisible(l);
  for (let k = 0; k < m.messageTypes.length && allShown; k++) allShown = typeVisible(k);
  return allShown ? densityIndexed(m, laneIndex(m), t0, t1, cols) : densityScan(m, t0, t1, cols, laneVisible, typeVisible);
}

/** `density` by a scan of the window's events (used when lanes or message types are hidden; tests compare it with the index). */
export function densityScan(m: ColumnarModel, t0: number, t1: number, cols: number, laneVisible: (lane: number) => boolean, typeVisible: (type: number) => boolean): Density {
  const lanes = m.nodes.length;
  const counts = new Uint32Array(Math.max(1, lanes * cols));
  const drops = new Uint32Array(Math.max(1, lanes * cols));
  const pairs = new Uint32Array(Math.max(1, lanes * lanes));
  const a = lowerBound(m.t, t0, m.count);
  const b = lastAtOrBeforeCol(m.t, t1, m.count);
  const span = Math.max(1e-9, t1 - t0);
  const send = KIND.send;
  const drop = KIND.drop;
  let max = 0;
  for (let s = a; s <= b; s++) {
    const l = m.lane[s] as number;
    if (l < 0 || !laneVisible(l)) continue;
    const mi = m.msgOf[s] as number;
    if (mi >= 0) {
      const p = m.peer[s] as number;
      if ((p >= 0 && !laneVisible(p)) || !typeVisible(m.mType[mi] as number)) continue;
    }
    let c = Math.floor((((m.t[s] as number) - t0) / span) * cols);
    if (c >= cols) c = cols - 1;
    const k = l * cols + c;
    const v = ++counts[k]!;
    if (v > max) max = v;
    const kind = m.kind[s];
    if (kind === send) pairs[l * lanes + (m.peer[s] as number)]!++;
    else if (kind === drop) drops[k]!++;
  }
  return { cols, lanes, counts, pairs, drops, max };
}

/** Each lane's event times (sorted), its drops' times, and each pair of lanes' send times: density in O(lanes × cols × log n). */
export interface LaneIndex {
  times: Float64Array[];
  drops: Float64Array[];
  /** sends[from * lanes + to]. */
  sends: Float64Array[];
}

const laneIndexes = new WeakMap<ColumnarModel, LaneIndex>();

/** The lane index of a model, built once (O(events), 8 bytes per event on a lane) and cached. */
export function laneIndex(m: ColumnarModel): LaneIndex {
  const cached = laneIndexes.get(m);
  if (cached) return cached;
  const lanes = m.nodes.length;
  const nTimes = new Int32Array(lanes);
  const nDrops = new Int32Array(lanes);
  const nSends = new Int32Array(lanes * lanes);
  const send = KIND.send;
  const drop = KIND.drop;
  for (let s = 0; s < m.count; s++) {
    const l = m.lane[s] as number;
    if (l < 0) continue;
    nTimes[l]!++;
    const k = m.kind[s];
    if (k === send) nSends[l * lanes + (m.peer[s] as number)]!++;
    else if (k === drop) nDrops[l]!++;
  }
  const ix: LaneIndex = {
    times: Array.from(nTimes, (n) => new Float64Array(n)),
    drops: Array.from(nDrops, (n) => new Float64Array(n)),
    sends: Array.from(nSends, (n) => new Float64Array(n)),
  };
  nTimes.fill(0);
  nDrops.fill(0);
  nSends.fill(0);
  for (let s = 0; s < m.count; s++) {
    const l = m.lane[s] as number;
    if (l < 0) continue;
    const t = m.t[s] as number;
    ix.times[l]![nTimes[l]!++] = t;
    const k = m.kind[s];
    if (k === send) {
      const p = l * lanes + (m.peer[s] as number);
      ix.sends[p]![nSends[p]!++] = t;
    } else if (k === drop) ix.drops[l]![nDrops[l]!++] = t;
  }
  laneIndexes.set(m, ix);
  return ix;
}

/**
 * Use `ix` as the lane index of `m`: one `laneIndex` built for the same columns elsewhere (the viewer's loader
 * worker builds it next to the columns and transfers it, so the page's first density drawing of a big trace does
 * not spend a pass over every event on the main thread). Throws a RangeError when its shape is not `m`'s.
 */
export function adoptLaneIndex(m: ColumnarModel, ix: LaneIndex): void {
  const lanes = m.nodes.length;
  let n = 0;
  for (const a of ix.times) n += a.length;
  if (ix.times.length !== lanes || ix.drops.length !== lanes || ix.sends.length !== lanes * lanes || n > m.count) throw new RangeError(`lane index of another model (${ix.times.length} lanes, ${n} events; the model has ${lanes} lanes, ${m.count} events)`);
  laneIndexes.set(m, ix);
}

/** The buffers of a lane index, to transfer it to another thread. */
export function laneIndexTransferables(ix: LaneIndex): ArrayBuffer[] {
  return [...ix.times, ...ix.drops, ...ix.sends].map((a) => a.buffer as ArrayBuffer);
}

/**
 * `density` from the lane index: the same buckets (an event at t is in column
 * floor((t - t0) / (t1 - t0) * cols), the last column also taking t1), found by
 * binary search on that same expression, so the counts equal the scan's exactly.
 */
function densityIndexed(m: ColumnarModel, ix: LaneIndex, t0: number, t1: number, cols: number): Density {
  const lanes = m.nodes.length;
  const counts = new Uint32Array(Math.max(1, lanes * cols));
  const drops = new Uint32Array(Math.max(1, lanes * cols));
  const pairs = new Uint32Array(Math.max(1, lanes * lanes));
  const span = Math.max(1e-9, t1 - t0);
  const col = (t: number): number => Math.floor(((t - t0) / span) * cols);
  /** First index in [lo, hi) whose time is >= t0 and whose column is >= c (times sorted). */
  const firstAtCol = (a: Float64Array, c: number, lo: number, hi: number): number => {
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const t = a[mid] as number;
      if (t < t0 || col(t) < c) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const bucket = (a: Float64Array, out: Uint32Array, l: number): number => {
    const a0 = lowerBound(a, t0);
    const b = lastAtOrBeforeCol(a, t1) + 1;
    let max = 0;
    let i = a0;
    for (let c = 0; c < cols && i < b; c++) {
      const j = c === cols - 1 ? b : firstAtCol(a, c + 1, i, b);
      const v = j - i;
      out[l * cols + c] = v;
      if (v > max) max = v;
      i = j;
    }
    return max;
  };
  let max = 0;
  for (let l = 0; l < lanes; l++) {
    max = Math.max(max, bucket(ix.times[l]!, counts, l));
    bucket(ix.drops[l]!, drops, l);
    for (let p = 0; p < lanes; p++) {
      const a = ix.sends[l * lanes + p]!;
      pairs[l * lanes + p] = Math.max(0, lastAtOrBeforeCol(a, t1) + 1 - lowerBound(a, t0));
    }
  }
  return { cols, lanes, counts, pairs, drops, max };
}

/** Deep equality of two JSON values, object keys in the same order (equal values serialize alike). */
function jsonEqual(a: JsonValue, b: JsonValue): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i] as JsonValue, b[i] as JsonValue)) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (let i = 0; i < ka.length; i++) {
    const k = ka[i] as string;
    if (k !== kb[i] || !jsonEqual(a[k] as JsonValue, b[k] as JsonValue)) return false;
  }
  return true;
}

/**
 * `cur` with every part equal to the same part of `prev` (the node's previous published state)
 * replaced by prev's object: successive states of a node mostly repeat (a Raft log grows by
 * appends), so the model holds each repeated part once, and so does the page that receives it
 * (structured clone keeps shared references). The result serializes exactly as `cur` does;
 * nothing in the model is ever mutated. Objects and arrays are compared one level at a time, element by element.
 */
export function shareWith(cur: JsonValue, prev: JsonValue): JsonValue {
  if (cur === null || prev === null || typeof cur !== 'object' || typeof prev !== 'object') return cur;
  if (Array.isArray(cur)) {
    if (!Array.isArray(prev)) return cur;
    if (cur.length === prev.length && jsonEqual(cur, prev)) return prev;
    const out = cur.slice();
    const n = Math.min(cur.length, prev.length);
    for (let i = 0; i < n; i++) out[i] = shareWith(cur[i] as JsonValue, prev[i] as JsonValue);
    return out;
  }
  if (Array.isArray(prev)) return cur;
  if (jsonEqual(cur, prev)) return prev;
  const out: Record<string, JsonValue> = {};
  for (const [k, v] of Object.entries(cur)) out[k] = Object.hasOwn(prev, k) ? shareWith(v, prev[k] as JsonValue) : v;
  return out;
}
