// The schedule that replays a trace's prefix through the stepping engine (see drive.ts), apart from the
// engine itself: the page's step mode computes it at the cursor without loading the engine and the
// protocols (they come with the live worker; issue 15, the page's first script). Pure.

import type { TraceEvent } from '../../../sim/engine/types.ts';
import { labelOf } from '../../../sim/explore/label.ts';

/** A trace event the stepping engine has no choice for: step mode cannot start after it. */
export class ScheduleGap extends Error {
  override name = 'ScheduleGap';
  constructor(
    readonly seq: number,
    what: string,
  ) {
    super(`event #${seq} (${what}) has no choice in the stepping engine: step mode and message faults start before it`);
  }
}

/**
 * The schedule that replays `events[0..upTo]` through the driver: one label per
 * delivery (a delivery to a crashed node included: the driver drops it the
 * same way), loss, timer firing, crash and restart. Node starts are implicit
 * (the driver starts every node first). Throws ScheduleGap at the first event
 * the driver cannot take.
 */
export function scheduleOf(events: readonly TraceEvent[], upTo: number): string[] {
  const types = new Map<number, string>();
  const out: string[] = [];
  for (let s = 0; s <= upTo && s < events.length; s++) {
    const ev = events[s] as TraceEvent;
    switch (ev.type) {
      case 'send':
        types.set(ev.id, (ev.msg as { type?: unknown }).type as string);
        break;
      case 'deliver':
      case 'drop': {
        if (ev.type === 'drop' && ev.reason !== 'loss' && ev.reason !== 'crashed') throw new ScheduleGap(ev.seq, `a message dropped by ${ev.reason}`);
        const type = types.get(ev.id);
        if (type === undefined) throw new ScheduleGap(ev.seq, `message #${ev.id} was not sent in this trace`);
        const p = { kind: 'deliver' as const, q: 0, t: ev.t, id: ev.id, from: ev.from, to: ev.to, msg: { type } };
        out.push(labelOf(p, ev.type === 'drop' && ev.reason === 'loss' ? 'drop' : 'deliver'));
        break;
      }
      case 'timer':
        out.push(labelOf({ kind: 'timer', q: 0, t: ev.t, node: ev.node, name: ev.name }));
        break;
      case 'crash':
      case 'restart':
        out.push(`${ev.type} ${ev.node}`);
        break;
      case 'duplicate':
      case 'pause':
      case 'resume':
      case 'partition':
      case 'heal':
      case 'network':
      case 'clock':
        throw new ScheduleGap(ev.seq, ev.type);
      case 'disk':
        if (ev.op === 'corrupt') throw new ScheduleGap(ev.seq, 'disk corruption');
        break;
      default:
        break;
    }
  }
  return out;
}
