// The MapReduce master (`m`, role `coordinator`): Dean & Ghemawat 2004, sections 3.2-3.6.
// - 3.2: for each task, its state (idle, in-progress, completed) and the worker of each attempt;
//   for each completed map task, where its R output regions live, pushed to in-progress reduces.
// - 3.3 Worker failure: a worker not heard from for `workerTimeout` (or heard from with a new
//   incarnation: it restarted) has failed; its in-progress tasks go back to idle, and so do its
//   COMPLETED map tasks, whose output was on its local disk. Completed reduce tasks are not redone
//   (their output is in the global file system: here, committed at the coordinator).
// - 3.3 Semantics: a task's completion is committed once; a completion of a task already completed
//   (a backup, or a re-execution after a false suspicion) is ignored.
// - 3.6 Backup tasks: when no idle task is left in a phase, an idle worker gets a backup attempt of
//   the in-progress task that has run longest (once it ran longer than one task time); the first
//   completion wins.
// Reduces are assigned once every map is completed. The job is done when every reduce committed.

import { atOrFail, type Io, type OpRef, type ProtocolNode } from '../../api/index.ts';
import type { Counts } from './job.ts';
import type { Assignment, MapReduceMessage, Report } from './messages.ts';
import type { CoordinatorState, TaskView } from './state.ts';

export interface CoordinatorOptions {
  workers: string[];
  docs: string[][];
  reduces: number;
  heartbeat: number;
  workerTimeout: number;
  mapTime: number;
  reduceTime: number;
  backupTasks: boolean;
  /** Planted bug: a reduce completion is committed again if it arrives after one was (counted twice). */
  acceptDuplicateCompletions: boolean;
  /** Planted bug: a failed worker's completed map tasks are left completed (their lost output is never recomputed). */
  keepCompletedMapsOfFailedWorker: boolean;
  /** Planted bug: the job is declared done once every reduce task has been handed out, before each reported. */
  finishEarly: boolean;
}

export type CoordinatorTimer = { name: 'check' };
type CoordIo = Io<MapReduceMessage, CoordinatorTimer, CoordinatorState>;

interface Attempt {
  id: number;
  worker: string;
  inc: number;
  /** Local start time. */
  at: number;
}

interface Task {
  kind: 'map' | 'reduce';
  index: number;
  running: Attempt[];
  /** The committed completion: for a map, where its output lives. */
  done: { worker: string; inc: number; attempt: number } | null;
  attempts: number;
}

export class MapReduceCoordinator implements ProtocolNode<MapReduceMessage, CoordinatorTimer, CoordinatorState> {
  private readonly maps: Task[];
  private readonly reduces: Task[];
  private readonly commits: number[];
  private readonly output: Counts = {};
  /** worker -> what the coordinator knows of it. */
  private readonly seen = new Map<string, { inc: number; last: number; alive: boolean }>();
  private nextAttempt = 1;
  private readonly issued = new Set<number>();
  private reexecuted = 0;
  private backups = 0;
  private doneAt: number | null = null;
  /** The job as a client operation in the history (invoked at start, ok with the output when done). */
  private job: OpRef | null = null;

  constructor(private readonly o: CoordinatorOptions) {
    this.maps = o.docs.map((_, i) => ({ kind: 'map', index: i, running: [], done: null, attempts: 0 }));
    this.reduces = Array.from({ length: o.reduces }, (_, i) => ({ kind: 'reduce', index: i, running: [], done: null, attempts: 0 }));
    this.commits = this.reduces.map(() => 0);
  }

  onStart(io: CoordIo): void {
    // Attempt ids must not repeat across a restart of the coordinator (a worker may still report an
    // attempt of the previous incarnation): start from a random epoch.
    this.nextAttempt = io.rng.int(1, 2 ** 20) * 1_000_000 + 1;
    this.job = io.invoke({ process: io.id, f: 'job', value: this.o.docs.length });
    io.setTimer({ name: 'check' }, this.o.heartbeat);
    this.publish(io);
  }

  onMessage(io: CoordIo, from: string, msg: MapReduceMessage): void {
    if (msg.type === 'heartbeat') this.heartbeat(io, from, msg.inc, msg.running, msg.free, msg.reports);
    else if (msg.type === 'fetch-failed') {
      // The reduce could not read a map output. Re-execution is decided by worker failure detection
      // (section 3.3); here the reduce only learns where the map's output is now, if it moved.
      const t = this.maps[msg.map];
      if (t?.done && t.done.attempt !== msg.attempt) io.send(from, { type: 'location', reduceAttempt: msg.reduceAttempt, map: msg.map, worker: t.done.worker, attempt: t.done.attempt });
    }
  }

  onTimer(io: CoordIo, _timer: CoordinatorTimer): void {
    // Section 3.3: "If no response is received from a worker in a certain amount of time, the master marks the worker as failed."
    const now = io.now();
    let changed = false;
    for (const [w, s] of this.seen) {
      if (s.alive && now - s.last > this.o.workerTimeout) {
        s.alive = false;
        this.failed(io, w, s.inc);
        changed = true;
      }
    }
    if (changed) this.publish(io);
    io.setTimer({ name: 'check' }, this.o.heartbeat);
  }

  private heartbeat(io: CoordIo, w: string, inc: number, running: number[], free: { map: boolean; reduce: boolean }, reports: Report[]): void {
    const s = this.seen.get(w);
    if (s !== undefined && s.inc !== inc && s.alive) this.failed(io, w, s.inc); // it restarted: the old incarnation is gone
    this.seen.set(w, { inc, last: io.now(), alive: true });
    const acked: number[] = [];
    for (const r of reports) {
      // A report of an attempt this incarnation never handed out (from before a coordinator restart) is dropped.
      if (this.issued.has(r.attempt)) this.report(io, w, inc, r);
      acked.push(r.attempt);
    }
    // An attempt the coordinator thinks runs on w that w neither runs nor reported, a failure timeout
    // after it was handed out (a heartbeat crossing the assignment on the wire is not enough): the
    // assignment was lost.
    const now = io.now();
    for (const t of [...this.maps, ...this.reduces]) {
      const lost = t.running.filter((a) => a.worker === w && a.inc === inc && !running.includes(a.id) && !acked.includes(a.id) && now - a.at > this.o.workerTimeout);
      if (lost.length > 0) {
        t.running = t.running.filter((a) => !lost.includes(a));
      }
    }
    let assign: Assignment | null = null;
    if (this.doneAt === null) assign = this.assign(io, w, inc, free, running);
    io.send(w, { type: 'hb-ack', acked, assign });
    this.maybeDone(io);
    this.publish(io);
  }

  private report(io: CoordIo, w: string, inc: number, r: Report): void {
    const t = r.kind === 'map' ? this.maps[r.task] : this.reduces[r.task];
    if (t === undefined) return;
    t.running = t.running.filter((a) => a.id !== r.attempt);
    if (r.kind === 'reduce') {
      // Section 3.3: a completion is committed once; later ones (a backup, a re-execution, a resent
      // report) are ignored. The planted bug commits every completion it hears of.
      if (t.done !== null && !this.o.acceptDuplicateCompletions) return;
      t.done ??= { worker: w, inc, attempt: r.attempt };
      this.commits[r.task] = (this.commits[r.task] ?? 0) + 1;
      for (const word of Object.keys(r.output).sort()) this.output[word] = (this.output[word] ?? 0) + (r.output[word] as number);
      return;
    }
    if (t.done !== null) return; // a duplicate map completion: the first one's output is used
    t.done = { worker: w, inc, attempt: r.attempt };
    // Section 3.3: reduce workers are notified of where the (re-)executed map's output now is.
    for (const rt of this.reduces) for (const a of rt.running) io.send(a.worker, { type: 'location', reduceAttempt: a.id, map: r.task, worker: w, attempt: r.attempt });
  }

  /** Section 3.3, worker failure: its in-progress attempts are dropped, and its completed maps reset to idle. */
  private failed(io: CoordIo, w: string, inc: number): void {
    io.log(`worker ${w} (incarnation ${inc}) failed`);
    for (const t of [...this.maps, ...this.reduces]) {
      t.running = t.running.filter((a) => !(a.worker === w && a.inc === inc));
      if (t.kind === 'map' && t.done !== null && t.done.worker === w && t.done.inc === inc && !this.o.keepCompletedMapsOfFailedWorker) {
        t.done = null;
        this.reexecuted++;
      }
    }
  }

  private phase(): 'map' | 'reduce' | 'done' {
    if (this.doneAt !== null) return 'done';
    return this.maps.every((t) => t.done !== null) ? 'reduce' : 'map';
  }

  /** A task for a worker's free slot: an idle task of the current phase, else (section 3.6) a backup attempt. */
  private assign(io: CoordIo, w: string, inc: number, free: { map: boolean; reduce: boolean }, running: number[]): Assignment | null {
    const phase = this.phase();
    if (phase === 'done' || !free[phase]) return null;
    const tasks = phase === 'map' ? this.maps : this.reduces;
    // An assignment to this slot still on its way (the heartbeat crossed it): the slot is not free.
    if (tasks.some((t) => t.running.some((a) => a.worker === w && a.inc === inc && !running.includes(a.id)))) return null;
    const now = io.now();
    let pick = tasks.find((t) => t.done === null && t.running.length === 0);
    if (pick === undefined && this.o.backupTasks) {
      const time = phase === 'map' ? this.o.mapTime : this.o.reduceTime;
      let oldest: Task | undefined;
      for (const t of tasks) {
        const a = t.running[0];
        if (t.done !== null || t.running.length !== 1 || a === undefined || a.worker === w || now - a.at < time) continue;
        if (oldest === undefined || a.at < atOrFail(oldest.running, 0, 'running attempts').at) oldest = t;
      }
      if (oldest !== undefined) {
        pick = oldest;
        this.backups++;
      }
    }
    if (pick === undefined) return null;
    const id = this.nextAttempt++;
    this.issued.add(id);
    pick.running.push({ id, worker: w, inc, at: now });
    pick.attempts++;
    if (pick.kind === 'map') return { kind: 'map', task: pick.index, attempt: id, doc: atOrFail(this.o.docs, pick.index, 'documents'), reduces: this.o.reduces };
    return { kind: 'reduce', task: pick.index, attempt: id, locations: this.maps.map((m) => (m.done === null ? null : { worker: m.done.worker, attempt: m.done.attempt })) };
  }

  private maybeDone(io: CoordIo): void {
    if (this.doneAt !== null) return;
    // The job is done when every reduce task has committed. The planted bug stops counting at "handed out".
    const done = this.o.finishEarly ? this.phase() === 'reduce' && this.reduces.every((t) => t.done !== null || t.running.length > 0) : this.reduces.every((t) => t.done !== null);
    if (done) {
      this.doneAt = io.now();
      io.log('job done');
      if (this.job !== null) io.complete(this.job, 'ok', { ...this.output });
      this.job = null;
    }
  }

  private view(t: Task): TaskView {
    const state = t.done !== null ? 'done' : t.running.length > 0 ? 'running' : 'idle';
    const workers = t.running.length > 0 ? t.running.map((a) => a.worker) : t.done !== null && t.kind === 'map' ? [t.done.worker] : [];
    return { state, workers, attempts: t.attempts };
  }

  private publish(io: CoordIo): void {
    io.publish({
      phase: this.phase(),
      maps: this.maps.map((t) => this.view(t)),
      reduces: this.reduces.map((t) => this.view(t)),
      commits: [...this.commits],
      reexecuted: this.reexecuted,
      backups: this.backups,
      output: this.doneAt === null ? null : { ...this.output },
      doneAt: this.doneAt,
    });
  }
}
