// The event queue: a binary min-heap ordered by (time, insertion sequence),
// which gives every run a total order of events. Cancelled events are skipped
// lazily by their owners (timers carry a generation number).

import { formatDuration } from './time.ts';
import type { Micros } from './types.ts';

export interface QueuedEvent {
  t: Micros;
  /** Insertion sequence: breaks ties between events at the same time. */
  q: number;
}

/**
 * Default bound on events scheduled for the instant they were scheduled at (zero-delay
 * timers, zero-latency messages, held events released by a resume) within one virtual
 * instant. Legitimate runs stay far below it (a resume releases what one node held);
 * a zero-delay timer re-armed forever reaches it in well under a second, before the
 * queue grows large, instead of hanging with virtual time stopped.
 */
export const MAX_EVENTS_PER_INSTANT = 100_000;

/**
 * Thrown by EventQueue.pop when virtual time stopped advancing: more than the bound of
 * events were scheduled for the current instant from within it. Not a protocol
 * violation but a run that cannot end (a zero interval in a config, a zero-latency
 * message loop); the scenario layer reports it as bad input.
 */
export class TimeStalledError extends Error {
  override name = 'TimeStalledError';
  constructor(
    /** The virtual time (µs) that stopped advancing. */
    readonly t: Micros,
    /** Zero-delay events scheduled at t. */
    readonly events: number,
    /** The most frequent of the last scheduled events, as the queue's describe() names it ("timer heartbeat at n1"), with its count among them. */
    readonly culprit: string,
  ) {
    super(`virtual time stopped advancing at t=${formatDuration(t)}: ${events} events were scheduled for that same instant, most of them ${culprit}; a zero delay or interval re-arms forever`);
  }
}

export class EventQueue<E extends QueuedEvent> {
  // The heap keeps each event's key (t, q) in number arrays beside it and compares only those: the
  // event objects have several shapes (a delivery, a timer, a fault, a start), so reading their
  // fields in the sift loops would be megamorphic loads that box every time read as a heap number.
  private heap: E[] = [];
  private ts: number[] = [];
  private qs: number[] = [];
  private nextQ = 0;
  /** Time of the last popped event: the current instant. */
  private now = -1;
  /** Events pushed for the current instant while at it. */
  private sameInstant = 0;
  /** Labels of the last pushes before the bound, to name the culprit. */
  private recent: Map<string, number> | undefined;

  /**
   * @param describe names an event for the TimeStalledError report ("timer heartbeat at n1")
   * @param maxPerInstant bound on events pushed for the current instant from within it
   */
  constructor(
    private readonly describe: (ev: E) => string = () => 'events',
    private readonly maxPerInstant: number = MAX_EVENTS_PER_INSTANT,
  ) {}

  get size(): number {
    return this.heap.length;
  }

  /** Stamp the event with the next insertion sequence and insert it. */
  push(ev: E): void {
    const t = ev.t;
    if (t <= this.now) {
      // Scheduled for the instant being processed: counts toward the stall bound.
      this.sameInstant++;
      if (this.sameInstant > this.maxPerInstant - 1000) {
        const label = this.describe(ev);
        this.recent ??= new Map();
        this.recent.set(label, (this.recent.get(label) ?? 0) + 1);
      }
    }
    const q = this.nextQ++;
    ev.q = q;
    const h = this.heap;
    const ts = this.ts;
    const qs = this.qs;
    let i = h.length;
    h.push(ev);
    ts.push(t);
    qs.push(q);
    // Sift up.
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pt = ts[p] as number;
      if (pt < t || (pt === t && (qs[p] as number) < q)) break;
      h[i] = h[p] as E;
      ts[i] = pt;
      qs[i] = qs[p] as number;
      i = p;
    }
    h[i] = ev;
    ts[i] = t;
    qs[i] = q;
  }

  peek(): E | undefined {
    return this.heap[0];
  }

  /** Time of the earliest event (Infinity when empty). */
  peekTime(): Micros {
    return this.ts.length > 0 ? (this.ts[0] as number) : Number.POSITIVE_INFINITY;
  }

  /** The earliest event; throws TimeStalledError when virtual time stopped advancing (see MAX_EVENTS_PER_INSTANT). */
  pop(): E | undefined {
    const h = this.heap;
    const ts = this.ts;
    const qs = this.qs;
    const n = h.length;
    if (n === 0) return undefined;
    const top = h[0] as E;
    const topT = ts[0] as number;
    if (topT !== this.now) {
      this.now = topT;
      this.sameInstant = 0;
      this.recent = undefined;
    } else if (this.sameInstant > this.maxPerInstant) {
      let culprit = 'events';
      let most = 0;
      let seen = 0;
      for (const [label, count] of this.recent ?? []) {
        seen += count;
        if (count > most) {
          most = count;
          culprit = label;
        }
      }
      throw new TimeStalledError(this.now, this.sameInstant, `${culprit} (${most} of the last ${seen})`);
    }
    const last = h.pop() as E;
    const lt = ts.pop() as number;
    const lq = qs.pop() as number;
    if (n > 1) {
      // Sift down.
      const size = n - 1;
      let i = 0;
      while (true) {
        const l = 2 * i + 1;
        if (l >= size) break;
        const r = l + 1;
        let c = l;
        let ct = ts[l] as number;
        let cq = qs[l] as number;
        if (r < size) {
          const rt = ts[r] as number;
          const rq = qs[r] as number;
          if (rt < ct || (rt === ct && rq < cq)) {
            c = r;
            ct = rt;
            cq = rq;
          }
        }
        if (lt < ct || (lt === ct && lq < cq)) break;
        h[i] = h[c] as E;
        ts[i] = ct;
        qs[i] = cq;
        i = c;
      }
      h[i] = last;
      ts[i] = lt;
      qs[i] = lq;
    }
    return top;
  }

  /** All queued events, in no particular order (for stats at the end of a run). */
  items(): readonly E[] {
    return this.heap;
  }
}
