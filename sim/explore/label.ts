// The labels of the stepping engine's choices (driver.ts), alone in a module of their own: the viewer's
// page names choices and builds schedules with them without loading the engine and every protocol
// (ui/src/live/schedule.ts; issue 15, the page's first script).

import type { PendingEvent } from '../engine/simulation.ts';

/** A label names a choice so that a person can read it and a replay can find it again: `deliver n1->n2 append-req #7`. */
export function labelOf(p: PendingEvent, how: 'deliver' | 'drop' | 'duplicate' = 'deliver'): string {
  switch (p.kind) {
    case 'deliver':
      return `${how} ${p.from}->${p.to} ${p.msg.type} #${p.id}`;
    case 'timer':
      return `timer ${p.node} ${p.name}`;
    case 'start':
      return `start ${p.node}`;
    case 'fault':
      return `fault ${p.fault.kind}`;
  }
}
