// Test helper: feed recorded trace events to a checker as the engine does while it runs: onInstant at
// the first event of each later instant, then the typed hooks of the event (callHooks), then observe()
// when the checker declares the event's type (all types when it declares none).

import { callHooks } from '../../sim/engine/hooks.ts';
import type { Checker, SimView, TraceEvent } from '../../sim/engine/types.ts';

export function feedEvents(c: Checker, events: readonly TraceEvent[], view: SimView = {} as SimView): void {
  let last = -1;
  for (const ev of events) {
    if (ev.t !== last) {
      last = ev.t;
      c.onInstant?.(ev.t, view);
    }
    if (c.on) callHooks(c.on, ev);
    if (c.observe && (c.observes === undefined || c.observes.includes(ev.type))) c.observe(ev, view);
  }
}
