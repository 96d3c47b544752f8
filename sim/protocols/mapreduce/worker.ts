// A MapReduce worker (role `server`, `w1..wN`): Dean & Ghemawat 2004, section 3.1. It heartbeats the
// coordinator with its incarnation, the attempt it runs and its finished attempts not yet acknowledged;
// runs at most one map and one reduce at a time; keeps map output on its local disk (volatile here: a crash loses it, section
// 3.3 "their output is stored on the local disk(s) of the failed machine and is therefore
// inaccessible"); serves it to reduce workers; and for a reduce fetches every map's partition, then
// reports the output with the map attempts it was computed from.
// A task takes `taskTime × slowness` of local time (a straggler is a slow worker, section 3.6).

import { atOrFail, type Io, type ProtocolNode } from '../../api/index.ts';
import { mapDocument, reduceCounts, type Counts } from './job.ts';
import type { Assignment, MapReduceMessage, Report } from './messages.ts';
import type { WorkerState } from './state.ts';

export interface WorkerOptions {
  coordinator: string;
  heartbeat: number;
  mapTime: number;
  reduceTime: number;
  /** Re-send fetches for missing map outputs this often. */
  fetchRetry: number;
  /** Task time multiplier (1: normal; 10: a straggler). */
  slowness: number;
  /** Planted bug: a map output the holder no longer has is taken as empty. */
  reduceSkipsMissing: boolean;
}

export type WorkerTimer = { name: 'heartbeat' } | { name: 'work'; key: string; attempt: number } | { name: 'fetch'; attempt: number };
type WorkerIo = Io<MapReduceMessage, WorkerTimer, WorkerState>;

interface ReduceRun {
  task: number;
  attempt: number;
  locations: ({ worker: string; attempt: number } | null)[];
  got: (Counts | undefined)[];
  sources: { map: number; attempt: number }[];
}

export class MapReduceWorker implements ProtocolNode<MapReduceMessage, WorkerTimer, WorkerState> {
  private inc = 0;
  /** The map attempt running now (map slot) and the reduce attempt (reduce slot). */
  private mapRun: (Assignment & { kind: 'map' }) | null = null;
  private reduce: ReduceRun | null = null;
  /** map task -> { attempt, partitions } held on the local disk. */
  private readonly outputs = new Map<number, { attempt: number; parts: Counts[] }>();
  private readonly reports: Report[] = [];
  private finished = 0;

  constructor(private readonly o: WorkerOptions) {}

  onStart(io: WorkerIo): void {
    this.inc = io.rng.int(1, 2 ** 31);
    this.beat(io);
    this.publish(io);
  }

  onMessage(io: WorkerIo, from: string, msg: MapReduceMessage): void {
    switch (msg.type) {
      case 'hb-ack': {
        const acked = new Set(msg.acked);
        for (let i = this.reports.length - 1; i >= 0; i--) if (acked.has(atOrFail(this.reports, i, 'reports').attempt)) this.reports.splice(i, 1);
        const a = msg.assign;
        if (a !== null && (a.kind === 'map' ? this.mapRun === null : this.reduce === null)) this.start(io, a);
        return;
      }
      case 'location': {
        const r = this.reduce;
        if (r === null || r.attempt !== msg.reduceAttempt || r.got[msg.map] !== undefined) return;
        r.locations[msg.map] = { worker: msg.worker, attempt: msg.attempt };
        io.send(msg.worker, { type: 'fetch', map: msg.map, attempt: msg.attempt, part: r.task });
        return;
      }
      case 'fetch': {
        const out = this.outputs.get(msg.map);
        if (out !== undefined && out.attempt === msg.attempt) io.send(from, { type: 'map-data', map: msg.map, attempt: msg.attempt, part: msg.part, data: out.parts[msg.part] ?? {} });
        else io.send(from, { type: 'map-missing', map: msg.map, attempt: msg.attempt, part: msg.part });
        return;
      }
      case 'map-data': {
        const r = this.reduce;
        if (r === null || r.task !== msg.part || r.got[msg.map] !== undefined) return;
        const loc = r.locations[msg.map];
        if (loc === null || loc === undefined || loc.attempt !== msg.attempt) return;
        r.got[msg.map] = msg.data;
        r.sources.push({ map: msg.map, attempt: msg.attempt });
        this.maybeReduce(io);
        return;
      }
      case 'map-missing': {
        const r = this.reduce;
        if (r === null || r.task !== msg.part || r.got[msg.map] !== undefined) return;
        if (this.o.reduceSkipsMissing) {
          // The planted bug: read the lost output as empty and go on.
          r.got[msg.map] = {};
          this.maybeReduce(io);
          return;
        }
        // Tell the coordinator; it answers with the map's current location once it has one.
        io.send(this.o.coordinator, { type: 'fetch-failed', reduceAttempt: r.attempt, map: msg.map, attempt: msg.attempt });
        return;
      }
      case 'heartbeat':
      case 'fetch-failed':
        return;
    }
  }

  onTimer(io: WorkerIo, timer: WorkerTimer): void {
    switch (timer.name) {
      case 'heartbeat':
        this.beat(io);
        return;
      case 'work':
        this.finish(io, timer.attempt);
        return;
      case 'fetch': {
        const r = this.reduce;
        if (r === null || r.attempt !== timer.attempt) return;
        this.fetchMissing(io, r);
        return;
      }
    }
  }

  private beat(io: WorkerIo): void {
    const running = [this.mapRun?.attempt, this.reduce?.attempt].filter((a): a is number => a !== undefined);
    io.send(this.o.coordinator, { type: 'heartbeat', inc: this.inc, running, free: { map: this.mapRun === null, reduce: this.reduce === null }, reports: this.reports });
    io.setTimer({ name: 'heartbeat' }, this.o.heartbeat);
  }

  private start(io: WorkerIo, a: Assignment): void {
    if (a.kind === 'map') {
      // Section 3.1 step 4: the map output, partitioned into R regions, buffered to the local disk.
      this.mapRun = a;
      io.setTimer({ name: 'work', key: String(a.attempt), attempt: a.attempt }, this.o.mapTime * this.o.slowness);
    } else {
      // Step 5: read every map's region for this partition from the map workers' local disks.
      this.reduce = { task: a.task, attempt: a.attempt, locations: [...a.locations], got: a.locations.map(() => undefined), sources: [] };
      this.fetchMissing(io, this.reduce);
      this.maybeReduce(io);
    }
    this.publish(io);
  }

  private fetchMissing(io: WorkerIo, r: ReduceRun): void {
    r.locations.forEach((loc, map) => {
      if (r.got[map] === undefined && loc !== null) io.send(loc.worker, { type: 'fetch', map, attempt: loc.attempt, part: r.task });
    });
    io.setTimer({ name: 'fetch', attempt: r.attempt }, this.o.fetchRetry);
  }

  private maybeReduce(io: WorkerIo): void {
    const r = this.reduce;
    if (r === null || r.got.some((g) => g === undefined)) return;
    io.cancelTimer('fetch');
    // Step 6: iterate over the sorted intermediate data and run reduce; the output goes to the
    // global file system when the work time has passed.
    io.setTimer({ name: 'work', key: String(r.attempt), attempt: r.attempt }, this.o.reduceTime * this.o.slowness);
  }

  private finish(io: WorkerIo, attempt: number): void {
    if (this.mapRun !== null && this.mapRun.attempt === attempt) {
      const a = this.mapRun;
      this.outputs.set(a.task, { attempt: a.attempt, parts: mapDocument(a.doc, a.reduces) });
      this.reports.push({ kind: 'map', task: a.task, attempt: a.attempt });
      this.mapRun = null;
    } else if (this.reduce !== null && this.reduce.attempt === attempt) {
      const r = this.reduce;
      this.reports.push({ kind: 'reduce', task: r.task, attempt: r.attempt, output: reduceCounts(r.got as Counts[]), sources: r.sources });
      this.reduce = null;
    } else return;
    this.finished++;
    // Step 7 (and section 3.3): tell the master at once; the report rides on every heartbeat until acknowledged.
    this.beat(io);
    this.publish(io);
  }

  private publish(io: WorkerIo): void {
    const tasks = [this.mapRun && `map ${this.mapRun.task} #${this.mapRun.attempt}`, this.reduce && `reduce ${this.reduce.task} #${this.reduce.attempt}`].filter((t) => t);
    io.publish({ inc: this.inc, task: tasks.length === 0 ? null : tasks.join(', '), outputs: [...this.outputs.keys()].sort((x, y) => x - y), finished: this.finished });
  }
}
