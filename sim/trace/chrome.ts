// Export a trace in the Chrome trace event format (the JSON Object Format that
// chrome://tracing, Perfetto and speedscope read). One process, one thread
// (track) per node plus a "network" track for partitions and violations.
// Messages become flow arrows between 1µs slices at send and delivery;
// crashes and pauses become slices as long as the outage. Timestamps are µs,
// the unit of the format, so virtual time maps one to one.
// Format: https://docs.google.com/document/d/1CvAClvFfyA5R-PhYUmn5OOQtYMH4h6I0nSsKchNAySU

import type { JsonValue, TraceEvent } from '../engine/types.ts';
import type { TraceModel } from './model.ts';

export interface ChromeEvent {
  name: string;
  ph: 'X' | 'i' | 's' | 'f' | 'M' | 'C';
  ts: number;
  pid: number;
  tid: number;
  dur?: number;
  cat?: string;
  id?: number;
  bp?: 'e';
  s?: 'g' | 'p' | 't';
  args?: Record<string, JsonValue>;
}

export interface ChromeTrace {
  traceEvents: ChromeEvent[];
  displayTimeUnit: 'ms';
  otherData: Record<string, JsonValue>;
}

const PID = 1;
const NETWORK_TID = 0;

/**
 * Short one-line description of an event, shared by the viewer's lists and the export.
 * `arrow` joins a message's two ends ("→"; the viewer's search index writes it as one byte).
 */
export function describeEvent(ev: TraceEvent, arrow = '→'): string {
  switch (ev.type) {
    case 'send':
      return `${ev.from} ${arrow} ${ev.to} send #${ev.id} ${JSON.stringify(ev.msg)}`;
    case 'deliver':
      return `${ev.from} ${arrow} ${ev.to} deliver #${ev.id}`;
    case 'drop':
      return `${ev.from} ${arrow} ${ev.to} drop #${ev.id} (${ev.reason})`;
    case 'duplicate':
      return `${ev.from} ${arrow} ${ev.to} duplicate #${ev.id} of #${ev.of}`;
    case 'timer':
      return `${ev.node} timer ${ev.name}`;
    case 'start':
    case 'restart':
    case 'pause':
      return `${ev.node} ${ev.type}`;
    case 'crash':
      return `${ev.node} crash (${ev.lostWrites} unsynced writes lost)`;
    case 'resume':
      return `${ev.node} resume (${ev.queued} queued)`;
    case 'partition':
      return `partition ${ev.label}`;
    case 'heal':
      return `heal (${ev.blocked.length} blocked links)`;
    case 'network':
      return `network loss ${ev.loss}${ev.duplicate > 0 ? ` duplicate ${ev.duplicate}` : ''}`;
    case 'slow':
      // As describeFault (sim/engine/targets.ts) and the fuzz summary describe the fault.
      return `slow ${ev.node}${ev.to !== undefined ? ` -> ${ev.to}` : ''} x${ev.factor}`;
    case 'clock':
      return `${ev.node} clock offset ${ev.offset}µs drift ${ev.drift}`;
    case 'disk':
      return `${ev.node} disk ${ev.op} ${ev.key}`;
    case 'state':
      return `${ev.node} state ${JSON.stringify(ev.state)}`;
    case 'invoke':
      return `${ev.node} invoke op ${ev.op} ${ev.process} ${ev.f}${ev.key !== undefined ? ` ${ev.key}` : ''}${ev.value !== undefined ? ` ${JSON.stringify(ev.value)}` : ''}`;
    case 'return':
      return `${ev.node} return op ${ev.op} ${ev.process} ${ev.outcome}${ev.value !== undefined ? ` ${JSON.stringify(ev.value)}` : ''}`;
    case 'log':
      return `${ev.node} log ${ev.text}`;
    case 'violation':
      return `VIOLATION ${ev.invariant}: ${ev.message} (caused by #${ev.cause})`;
  }
}

/** The node an event belongs on (the sender for sends, the receiver for deliveries), or undefined for cluster-wide events. */
export function eventNode(ev: TraceEvent): string | undefined {
  switch (ev.type) {
    case 'send':
    case 'duplicate':
      return ev.from;
    case 'deliver':
    case 'drop':
      return ev.to;
    case 'partition':
    case 'heal':
    case 'network':
    case 'violation':
      return undefined;
    default:
      return ev.node === '*' ? undefined : ev.node;
  }
}

export function toChromeTrace(model: TraceModel): ChromeTrace {
  const out: ChromeEvent[] = [];
  const tid = (node: string | undefined): number => (node === undefined ? NETWORK_TID : (model.laneOf.get(node) ?? -1) + 1);
  const h = model.header;
  out.push({ name: 'process_name', ph: 'M', ts: 0, pid: PID, tid: NETWORK_TID, args: { name: `${h.scenario} (${h.protocol}, seed ${h.seed})` } });
  out.push({ name: 'thread_name', ph: 'M', ts: 0, pid: PID, tid: NETWORK_TID, args: { name: 'network' } });
  model.nodes.forEach((id, i) => {
    out.push({ name: 'thread_name', ph: 'M', ts: 0, pid: PID, tid: i + 1, args: { name: `${id} (${model.roles.get(id) ?? '?'})` } });
    out.push({ name: 'thread_sort_index', ph: 'M', ts: 0, pid: PID, tid: i + 1, args: { sort_index: i + 1 } });
  });

  // Plain object literals, not spreads: spreading a shared base object is ~20x slower in V8 here.
  for (const ev of model.events) {
    const tidOf = tid(eventNode(ev));
    const ts = ev.t;
    switch (ev.type) {
      case 'send':
      case 'duplicate': {
        const m = model.messages[model.messageOfEvent[ev.seq] ?? -1];
        const name = `${ev.type === 'send' ? 'send' : 'dup'} ${m?.type ?? '?'} → ${ev.to}`;
        const args: Record<string, JsonValue> = ev.type === 'send' ? { seq: ev.seq, id: ev.id, msg: ev.msg } : { seq: ev.seq, id: ev.id, of: ev.of };
        out.push({ name, ph: 'X', ts, dur: 1, pid: PID, tid: tidOf, cat: 'message', args });
        if (m && m.outcome === 'delivered') out.push({ name: m.type, ph: 's', ts, pid: PID, tid: tidOf, cat: 'message', id: ev.id });
        break;
      }
      case 'deliver': {
        const m = model.messages[model.messageOfEvent[ev.seq] ?? -1];
        out.push({ name: `recv ${m?.type ?? '?'} ← ${ev.from}`, ph: 'X', ts, dur: 1, pid: PID, tid: tidOf, cat: 'message', args: { seq: ev.seq, id: ev.id } });
        out.push({ name: m?.type ?? '?', ph: 'f', bp: 'e', ts, pid: PID, tid: tidOf, cat: 'message', id: ev.id });
        break;
      }
      case 'drop':
        out.push({ name: `drop #${ev.id} (${ev.reason})`, ph: 'i', s: 't', ts, pid: PID, tid: tidOf, cat: 'drop', args: { seq: ev.seq, from: ev.from, reason: ev.reason } });
        break;
      case 'violation':
        out.push({ name: `violation: ${ev.invariant}`, ph: 'i', s: 'g', ts, pid: PID, tid: tidOf, cat: 'violation', args: { seq: ev.seq, message: ev.message, cause: ev.cause } });
        break;
      case 'crash':
      case 'restart':
      case 'pause':
      case 'resume':
      case 'partition':
      case 'heal':
        break; // drawn as slices below
      default:
        out.push({ name: ev.type === 'timer' ? `timer ${ev.name}` : ev.type, ph: 'i', s: 't', ts, pid: PID, tid: tidOf, cat: ev.type, args: { seq: ev.seq, text: describeEvent(ev) } });
    }
  }

  for (const iv of model.intervals) {
    const to = iv.toT ?? model.endT;
    out.push({ name: iv.kind === 'down' ? 'crashed' : 'paused', ph: 'X', ts: iv.fromT, dur: Math.max(1, to - iv.fromT), pid: PID, tid: tid(iv.node), cat: 'fault', args: { fromSeq: iv.fromSeq, toSeq: iv.toSeq ?? null } });
  }
  for (const b of model.partitions) {
    const to = b.toT ?? model.endT;
    out.push({ name: `partition ${b.label}`, ph: 'X', ts: b.fromT, dur: Math.max(1, to - b.fromT), pid: PID, tid: NETWORK_TID, cat: 'fault', args: { blocked: b.blocked.length, fromSeq: b.fromSeq } });
  }
  // Viewers want events sorted by time; metadata first. Stable sort keeps trace order within a timestamp.
  out.sort((a, b) => (a.ph === 'M' ? -1 : 0) - (b.ph === 'M' ? -1 : 0) || a.ts - b.ts);
  return {
    traceEvents: out,
    displayTimeUnit: 'ms',
    otherData: { scenario: h.scenario, protocol: h.protocol, seed: h.seed, generator: 'faultline' },
  };
}
