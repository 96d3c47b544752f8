// The events of the event loop (sim/engine/simulation.ts): what the queue holds.
// Plain objects with a numeric kind tag `k` (a small integer switch is the fastest
// dispatch), ordered by the queue on (t, q). Internal to the engine; a driven run
// sees them as `PendingEvent`s.

import type { FaultAction, FaultTrigger } from './config.ts';
import type { Message, Micros, NodeId } from './types.ts';

export const K_DELIVER = 0;
export const K_TIMER = 1;
export const K_FAULT = 2;
export const K_START = 3;

/** A message arriving at node index `to` (indexes into the simulation's node list). */
export interface DeliverEvent {
  t: Micros;
  q: number;
  k: typeof K_DELIVER;
  id: number;
  from: number;
  to: number;
  msg: Message;
}
/** A named timer of node index `node`; `gen` tells a live timer from a re-armed or cancelled one. */
export interface TimerEvent {
  t: Micros;
  q: number;
  k: typeof K_TIMER;
  node: number;
  name: string;
  gen: number;
}
/** A fault of the timeline (or released by a trigger or an `after`). */
export interface FaultEvent {
  t: Micros;
  q: number;
  k: typeof K_FAULT;
  fault: FaultAction;
  /** Index in the timeline of a fault that is scheduled, labelled, triggered or targeted (see FaultEntry). */
  entry?: number;
  /** Arm the entry's trigger instead of firing it. */
  arm?: boolean;
}
/** The first start of node index `node` at time 0. */
export interface StartEvent {
  t: Micros;
  q: number;
  k: typeof K_START;
  node: number;
}
export type SimEvent = DeliverEvent | TimerEvent | FaultEvent | StartEvent;

/** A timeline fault that needs more than "apply at `at`": a label, a trigger, an `after`, or a role/label target. */
export interface FaultEntry {
  index: number;
  fault: FaultAction;
  at: Micros;
  id: string | undefined;
  on: FaultTrigger | undefined;
  after: string | undefined;
  delay: Micros;
  state: 'waiting' | 'armed' | 'scheduled' | 'fired' | 'skipped';
  /** Occurrences of the trigger counted so far. */
  count: number;
  triggerNode: NodeId | undefined;
  /** The node it hit (what `$<id>` resolves to). */
  node: NodeId | undefined;
}

/** A pending event of a driven run (see Simulation.pending). `q` identifies it; `t` is when a seeded run would take it. */
export type PendingEvent =
  | { kind: 'deliver'; q: number; t: Micros; id: number; from: NodeId; to: NodeId; msg: Message }
  | { kind: 'timer'; q: number; t: Micros; node: NodeId; name: string }
  | { kind: 'fault'; q: number; t: Micros; fault: FaultAction }
  | { kind: 'start'; q: number; t: Micros; node: NodeId };
