// The event queue: a binary min-heap ordered by (time, insertion sequence),
// which gives every run a total order of events. Cancelled events are skipped
// lazily by their owners (timers carry a generation number).

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
    super(`virtual time stopped advancing at t=${t}us: ${events} events were scheduled for that same instant, most of them ${culprit}; a zero delay or interval re-arms forever`);
  }
}

export class EventQueue<E extends QueuedEvent> {
  private heap: E[] = [];
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
    if (ev.t <= this.now) {
      // Scheduled for the instant being processed: counts toward the stall bound.
      this.sameInstant++;
      if (this.sameInstant > this.maxPerInstant - 1000) {
        const label = this.describe(ev);
        this.recent ??= new Map();
        this.recent.set(label, (this.recent.get(label) ?? 0) + 1);
      }
    }
    ev.q = this.nextQ++;
    const h = this.heap;
    let i = h.length;
    h.push(ev);
    // Sift up.
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pe = h[p] as E;
      if (pe.t < ev.t || (pe.t === ev.t && pe.q < ev.q)) break;
      h[i] = pe;
      i = p;
    }
    h[i] = ev;
  }

  peek(): E | undefined {
    return this.heap[0];
  }

  /** The earliest event; throws TimeStalledError when virtual time stopped advancing (see MAX_EVENTS_PER_INSTANT). */
  pop(): E | undefined {
    const h = this.heap;
    const n = h.length;
    if (n === 0) return undefined;
    const top = h[0] as E;
    if (top.t !== this.now) {
      this.now = top.t;
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
    if (n > 1) {
      // Sift down.
      const size = n - 1;
      let i = 0;
      while (true) {
        const l = 2 * i + 1;
        if (l >= size) break;
        const r = l + 1;
        let c = l;
        let ce = h[l] as E;
        if (r < size) {
          const re = h[r] as E;
          if (re.t < ce.t || (re.t === ce.t && re.q < ce.q)) {
            c = r;
            ce = re;
          }
        }
        if (last.t < ce.t || (last.t === ce.t && last.q < ce.q)) break;
        h[i] = ce;
        i = c;
      }
      h[i] = last;
    }
    return top;
  }

  /** All queued events, in no particular order (for stats at the end of a run). */
  items(): readonly E[] {
    return this.heap;
  }
}
