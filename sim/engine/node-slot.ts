// The engine's record of one node: its live behaviour (undefined while down), whether
// it is up, paused or ever started, its armed timers, the events held while it is
// paused, what it last published, its clock, disk and random stream, and its context.

import type { NodeClock } from './clocks.ts';
import { SimDisk } from './disk.ts';
import type { SimEvent } from './events.ts';
import type { Rng } from './random.ts';
import type { JsonValue, Message, NodeBehaviour, NodeContext, NodeSpec } from './types.ts';

export class NodeSlot {
  behaviour: NodeBehaviour<Message> | undefined;
  up = false;
  paused = false;
  started = false;
  /** Armed timers: name -> generation of the live TimerEvent (older generations are stale). */
  readonly timers = new Map<string, number>();
  timerGen = 0;
  /** Events that fell due while paused, in order (bounded by EngineLimits.pausedEvents). */
  pausedQueue: SimEvent[] = [];
  published: JsonValue | undefined;
  readonly disk: SimDisk;
  ctx!: NodeContext<Message>;
  constructor(
    /** Index in the simulation's node list. */
    readonly idx: number,
    readonly spec: NodeSpec,
    readonly rng: Rng,
    readonly clock: NodeClock,
    /** Bound on the keys of its disk (EngineLimits.diskKeys) and what to throw past it. */
    maxDiskKeys = Number.POSITIVE_INFINITY,
    tooManyKeys?: (bound: number) => never,
  ) {
    this.disk = new SimDisk(maxDiskKeys, tooManyKeys);
  }
}
