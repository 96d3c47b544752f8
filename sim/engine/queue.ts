// The event queue: a binary min-heap ordered by (time, insertion sequence),
// which gives every run a total order of events. Cancelled events are skipped
// lazily by their owners (timers carry a generation number).

import type { Micros } from './types.ts';

export interface QueuedEvent {
  t: Micros;
  /** Insertion sequence: breaks ties between events at the same time. */
  q: number;
}

export class EventQueue<E extends QueuedEvent> {
  private heap: E[] = [];
  private nextQ = 0;

  get size(): number {
    return this.heap.length;
  }

  /** Stamp the event with the next insertion sequence and insert it. */
  push(ev: E): void {
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

  pop(): E | undefined {
    const h = this.heap;
    const n = h.length;
    if (n === 0) return undefined;
    const top = h[0] as E;
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
