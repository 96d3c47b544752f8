// The merge sort coordinator (`m`, role `coordinator`): a sample sort with a k-way merge per range.
// 1. Sort phase: each chunk goes to a worker, which sorts it into a run it holds in memory.
// 2. Merge phase: the key space is split at R-1 splitters (quantiles of the input) into ranges
//    [s(r-1), s(r)); each range goes to a worker, which fetches that slice of every run and k-way
//    merges them. The output is the ranges' keys in range order.
// Faults are handled by re-execution (as MapReduce's master, Dean & Ghemawat 2004, section 3.3): an
// attempt unanswered for `taskTimeout` is started again on another worker; a run a merge could not
// read is re-sorted (its chunk goes back to idle) and the merge re-issued. A task's result is taken
// once: the first completion of a chunk is its run, the first merge of a range is its keys.

import { atOrFail, type Io, type OpRef, type ProtocolNode } from '../../api/index.ts';
import { rangeOf, splitters } from './keys.ts';
import type { MergeSortMessage, RunRef } from './messages.ts';
import type { SortCoordinatorState, SortTaskView } from './state.ts';

export interface SortCoordinatorOptions {
  workers: string[];
  chunks: number[][];
  ranges: number;
  taskTimeout: number;
  /** Planted bug: a second completion of a chunk (a late original after its re-execution) is added as another run to merge. */
  mergeReexecutedTwice: boolean;
  /** Planted bug: the output concatenates the ranges in the order they were merged, not in key order. */
  concatInCommitOrder: boolean;
  /** Planted bug: attempts are never timed out, so a task handed to a worker that crashed is never run again. */
  noTimeouts: boolean;
}

export type SortCoordinatorTimer = { name: 'tick' };
type CIo = Io<MergeSortMessage, SortCoordinatorTimer, SortCoordinatorState>;

interface Attempt { id: number; worker: string; at: number }
interface Task {
  running: Attempt | null;
  attempts: number;
  /** Chunks: the runs to merge (one; two or more only with the planted bug). Ranges: unused. */
  runs: RunRef[];
  /** Ranges: the merged keys, once. */
  keys: number[] | null;
}

export class MergeSortCoordinator implements ProtocolNode<MergeSortMessage, SortCoordinatorTimer, SortCoordinatorState> {
  private readonly chunks: Task[];
  private readonly ranges: Task[];
  private readonly split: number[];
  private readonly commitOrder: number[] = [];
  private nextAttempt = 1;
  private nextWorker = 0;
  private reexecuted = 0;
  private doneAt: number | null = null;
  /** The sort job as a client operation in the history (invoked at start, ok with the key count when done). */
  private job: OpRef | null = null;

  constructor(private readonly o: SortCoordinatorOptions) {
    this.chunks = o.chunks.map(() => ({ running: null, attempts: 0, runs: [], keys: null }));
    this.split = splitters(o.chunks, o.ranges);
    this.ranges = Array.from({ length: this.split.length + 1 }, () => ({ running: null, attempts: 0, runs: [], keys: null }));
  }

  onStart(io: CIo): void {
    // Attempt ids must not repeat across a restart of the coordinator: start from a random epoch.
    this.nextAttempt = io.rng.int(1, 2 ** 20) * 1_000_000 + 1;
    this.job = io.invoke({ process: io.id, f: 'sort', value: this.o.chunks.reduce((n, c) => n + c.length, 0) });
    this.schedule(io);
    io.setTimer({ name: 'tick' }, Math.max(1, Math.floor(this.o.taskTimeout / 4)));
    this.publish(io);
  }

  onMessage(io: CIo, from: string, msg: MergeSortMessage): void {
    switch (msg.type) {
      case 'sorted': {
        const t = this.chunks[msg.chunk];
        if (t === undefined) return;
        if (t.running?.id === msg.attempt) t.running = null;
        // The first completion is the chunk's run; a late one (its attempt was timed out and re-run) is ignored.
        if (t.runs.length === 0 || (this.o.mergeReexecutedTwice && !t.runs.some((r) => r.attempt === msg.attempt))) t.runs.push({ chunk: msg.chunk, worker: from, attempt: msg.attempt });
        break;
      }
      case 'merged': {
        const t = this.ranges[msg.range];
        if (t === undefined) return;
        if (t.running?.id === msg.attempt) t.running = null;
        if (t.keys === null) {
          t.keys = msg.keys;
          this.commitOrder.push(msg.range);
        }
        break;
      }
      case 'merge-failed': {
        const t = this.ranges[msg.range];
        if (t?.running?.id === msg.attempt) t.running = null;
        // The run is gone (its holder crashed) or unreachable: sort that chunk again.
        const c = this.chunks[msg.run.chunk];
        if (c !== undefined && c.runs.some((r) => r.attempt === msg.run.attempt)) {
          c.runs = c.runs.filter((r) => r.attempt !== msg.run.attempt);
          this.reexecuted++;
        }
        break;
      }
      default:
        return;
    }
    this.schedule(io);
    this.publish(io);
  }

  onTimer(io: CIo, _t: SortCoordinatorTimer): void {
    const now = io.now();
    for (const t of [...this.chunks, ...this.ranges]) {
      // No answer within the timeout: lost, crashed or a straggler; run it again elsewhere.
      if (t.running !== null && now - t.running.at > this.o.taskTimeout && !this.o.noTimeouts) t.running = null;
    }
    this.schedule(io);
    this.publish(io);
    io.setTimer({ name: 'tick' }, Math.max(1, Math.floor(this.o.taskTimeout / 4)));
  }

  private pickWorker(avoid: string | undefined): string {
    const ws = this.o.workers;
    let w = atOrFail(ws, this.nextWorker % ws.length, 'workers');
    if (w === avoid && ws.length > 1) w = atOrFail(ws, ++this.nextWorker % ws.length, 'workers');
    this.nextWorker++;
    return w;
  }

  /** Hand out every idle task of the current phase. */
  private schedule(io: CIo): void {
    if (this.doneAt !== null) return;
    const now = io.now();
    const sortPhase = this.chunks.some((c) => c.runs.length === 0);
    if (sortPhase) {
      this.chunks.forEach((c, i) => {
        if (c.runs.length > 0 || c.running !== null) return;
        const w = this.pickWorker(undefined);
        c.running = { id: this.nextAttempt++, worker: w, at: now };
        c.attempts++;
        io.send(w, { type: 'sort', chunk: i, attempt: c.running.id, keys: atOrFail(this.o.chunks, i, 'chunks') });
      });
      return;
    }
    if (this.ranges.every((r) => r.keys !== null)) {
      this.doneAt = now;
      io.log('sort done');
      if (this.job !== null) io.complete(this.job, 'ok', this.ranges.reduce((n, r) => n + (r.keys?.length ?? 0), 0));
      this.job = null;
      return;
    }
    const runs = this.chunks.flatMap((c) => c.runs);
    this.ranges.forEach((r, i) => {
      if (r.keys !== null || r.running !== null) return;
      const w = this.pickWorker(undefined);
      r.running = { id: this.nextAttempt++, worker: w, at: now };
      r.attempts++;
      const { lo, hi } = rangeOf(this.split, i);
      io.send(w, { type: 'merge', range: i, attempt: r.running.id, lo, hi, runs });
    });
  }

  private output(): number[] | null {
    if (this.doneAt === null) return null;
    const order = this.o.concatInCommitOrder ? this.commitOrder : this.ranges.map((_, i) => i);
    return order.flatMap((i) => this.ranges[i]?.keys ?? []);
  }

  private publish(io: CIo): void {
    const view = (t: Task, kind: 'chunk' | 'range'): SortTaskView => ({
      state: (kind === 'chunk' ? t.runs.length > 0 : t.keys !== null) ? 'done' : t.running !== null ? 'running' : 'idle',
      worker: t.running?.worker ?? (kind === 'chunk' ? (t.runs[0]?.worker ?? null) : null),
      attempts: t.attempts,
    });
    io.publish({
      phase: this.doneAt !== null ? 'done' : this.chunks.some((c) => c.runs.length === 0) ? 'sort' : 'merge',
      chunks: this.chunks.map((t) => view(t, 'chunk')),
      ranges: this.ranges.map((t) => view(t, 'range')),
      splitters: this.split,
      reexecuted: this.reexecuted,
      output: this.output(),
      doneAt: this.doneAt,
    });
  }
}
