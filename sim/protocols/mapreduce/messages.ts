// MapReduce messages. Attempt ids are unique per coordinator: one execution of one task.

import type { Counts } from './job.ts';

/** A finished attempt, resent with every heartbeat until the coordinator acknowledges it. */
export type Report =
  | { kind: 'map'; task: number; attempt: number }
  | { kind: 'reduce'; task: number; attempt: number; output: Counts; sources: { map: number; attempt: number }[] };

/** Worker -> coordinator, every heartbeat interval (section 3.3: "the master pings every worker periodically"). */
export interface Heartbeat {
  type: 'heartbeat';
  inc: number;
  /** Attempts it runs now. */
  running: number[];
  /** Its free slots: a worker runs at most one map and one reduce at a time (Hadoop's map and reduce slots), so a reduce waiting for a re-executed map never keeps that map from running. */
  free: { map: boolean; reduce: boolean };
  reports: Report[];
}
export type Assignment =
  | { kind: 'map'; task: number; attempt: number; doc: string[]; reduces: number }
  | { kind: 'reduce'; task: number; attempt: number; locations: ({ worker: string; attempt: number } | null)[] };
/** Coordinator -> worker: reports acknowledged, and maybe a task. */
export interface HeartbeatAck { type: 'hb-ack'; acked: number[]; assign: Assignment | null }
/** Coordinator -> reduce worker: map `map` now lives at `worker` (attempt): section 3.3, reduce workers are notified of a re-execution. */
export interface Location { type: 'location'; reduceAttempt: number; map: number; worker: string; attempt: number }
/** Reduce worker -> map worker: the partition `part` of map attempt `attempt`. */
export interface Fetch { type: 'fetch'; map: number; attempt: number; part: number }
export interface MapData { type: 'map-data'; map: number; attempt: number; part: number; data: Counts }
/** The map worker does not hold that output (it restarted: its local disk is gone). */
export interface MapMissing { type: 'map-missing'; map: number; attempt: number; part: number }
/** Reduce worker -> coordinator: could not fetch map `map` from attempt `attempt`. */
export interface FetchFailed { type: 'fetch-failed'; reduceAttempt: number; map: number; attempt: number }

export type MapReduceMessage = Heartbeat | HeartbeatAck | Location | Fetch | MapData | MapMissing | FetchFailed;
