// Bounds on everything the engine keeps that can grow during a run (TigerBeetle's
// "put a limit on everything"): the event queue, the events held for a paused node,
// a node's named timers, the keys of a node's disk, the client history, the violations and warnings, and the number of steps. Exceeding one
// is a clear error naming the bound (EngineLimitError), never an out-of-memory crash
// minutes later. The defaults are far above what any scenario in this repository
// reaches; a run that hits one is a workload or fault mix that cannot be simulated
// in memory (a node paused for hours under heavy traffic, a timer name per request).

import { formatDuration } from './time.ts';
import type { Micros } from './types.ts';

export interface EngineLimits {
  /** Events in the event queue at once (messages in flight, armed timers, scheduled faults). */
  queuedEvents: number;
  /** Events held for one paused node (delivered when it resumes). */
  pausedEvents: number;
  /** Distinct named timers armed on one node at once (re-arming a name replaces it). */
  timersPerNode: number;
  /** Keys on one node's disk (durable and unsynced; a protocol writing a new key per step without deleting old ones). */
  diskKeys: number;
  /** Client history events (invoke and return) of one run. */
  historyEvents: number;
  /** Violations and warnings of one run, each (a handler that throws at every step of a run that does not stop on a violation). */
  reports: number;
  /** Steps (events that did something) of one run; reaching it ends the run with `end: 'max-steps'`. */
  steps: number;
}

/** Default step limit of a Simulation (the scenario layer refuses a run that reaches it before its duration). */
export const DEFAULT_MAX_STEPS = 100_000_000;

export const DEFAULT_LIMITS: Readonly<EngineLimits> = Object.freeze({
  queuedEvents: 5_000_000,
  pausedEvents: 1_000_000,
  timersPerNode: 10_000,
  diskKeys: 10_000_000,
  historyEvents: 5_000_000,
  reports: 100_000,
  steps: DEFAULT_MAX_STEPS,
});

/**
 * A bound of EngineLimits was exceeded. Not a protocol violation: the run cannot be
 * simulated in bounded memory (the scenario layer reports it as a refused run, exit 2).
 */
export class EngineLimitError extends Error {
  override name = 'EngineLimitError';
  constructor(
    /** Which bound (a key of EngineLimits). */
    readonly limit: keyof EngineLimits,
    /** Its value. */
    readonly bound: number,
    /** Virtual time (µs) at which it was exceeded. */
    readonly t: Micros,
    /** What exceeded it, in words ("node n1 paused"). */
    what: string,
  ) {
    super(`${what} exceeded the engine's bound of ${bound} (${limit}) at t=${formatDuration(t)}; shorten the run or the fault, or slow the workload`);
  }
}
