// A merge sort worker (role `server`): sorts a chunk into a run it keeps in memory (lost on a crash),
// serves range slices of its runs, and merges a range: fetch the slice [lo, hi) of every run, k-way
// merge them, report the merged keys. A slice not received after `fetchTries` retries makes it
// report the run as lost (the coordinator re-executes that chunk) and give the merge up.

import type { Io, ProtocolNode } from '../../api/index.ts';
import { kWayMerge, slice } from './keys.ts';
import type { MergeSortMessage, MergeTask, RunRef } from './messages.ts';
import type { SortWorkerState } from './state.ts';

export interface SortWorkerOptions {
  coordinator: string;
  sortTime: number;
  mergeTime: number;
  fetchRetry: number;
  fetchTries: number;
  /** Planted bug: a slice includes keys equal to its upper splitter. */
  splitterOffByOne: boolean;
  /** Planted bug: equal heads of several runs are emitted once. */
  dropEqualKeys: boolean;
}

export type SortWorkerTimer = { name: 'sorted'; key: string; chunk: number; attempt: number; keys: number[] } | { name: 'fetch'; attempt: number; tries: number } | { name: 'merged'; attempt: number };
type WIo = Io<MergeSortMessage, SortWorkerTimer, SortWorkerState>;

export class MergeSortWorker implements ProtocolNode<MergeSortMessage, SortWorkerTimer, SortWorkerState> {
  private readonly runs = new Map<number, { attempt: number; keys: number[] }>();
  private merge: (MergeTask & { got: (number[] | undefined)[] }) | null = null;
  private sorting = 0;

  constructor(private readonly o: SortWorkerOptions) {}

  onStart(io: WIo): void {
    this.publish(io);
  }

  onMessage(io: WIo, from: string, msg: MergeSortMessage): void {
    switch (msg.type) {
      case 'sort':
        // Sort now; the run exists once the sort time has passed.
        this.sorting++;
        io.setTimer({ name: 'sorted', key: String(msg.attempt), chunk: msg.chunk, attempt: msg.attempt, keys: [...msg.keys].sort((a, b) => a - b) }, this.o.sortTime);
        this.publish(io);
        return;
      case 'merge':
        if (this.merge !== null) return; // one merge at a time; the coordinator times the other out
        this.merge = { ...msg, got: msg.runs.map(() => undefined) };
        this.fetch(io, 0);
        this.publish(io);
        return;
      case 'slice': {
        const run = this.runs.get(msg.chunk);
        if (run === undefined || run.attempt !== msg.attempt) io.send(from, { type: 'slice-missing', chunk: msg.chunk, attempt: msg.attempt, merge: msg.merge });
        else io.send(from, { type: 'slice-data', chunk: msg.chunk, attempt: msg.attempt, merge: msg.merge, keys: slice(run.keys, msg.lo, msg.hi, this.o.splitterOffByOne) });
        return;
      }
      case 'slice-data': {
        const m = this.merge;
        if (m === null || m.attempt !== msg.merge) return;
        const i = m.runs.findIndex((r, j) => r.chunk === msg.chunk && r.attempt === msg.attempt && m.got[j] === undefined);
        if (i < 0) return;
        m.got[i] = msg.keys;
        if (m.got.every((g) => g !== undefined)) {
          io.cancelTimer('fetch');
          io.setTimer({ name: 'merged', attempt: m.attempt }, this.o.mergeTime);
        }
        return;
      }
      case 'slice-missing': {
        const m = this.merge;
        if (m === null || m.attempt !== msg.merge) return;
        const run = m.runs.find((r) => r.chunk === msg.chunk && r.attempt === msg.attempt);
        if (run !== undefined) this.fail(io, run);
        return;
      }
      case 'sorted':
      case 'merged':
      case 'merge-failed':
        return;
    }
  }

  onTimer(io: WIo, t: SortWorkerTimer): void {
    const m = this.merge;
    if (t.name === 'sorted') {
      this.runs.set(t.chunk, { attempt: t.attempt, keys: t.keys });
      this.sorting--;
      io.send(this.o.coordinator, { type: 'sorted', chunk: t.chunk, attempt: t.attempt });
    } else if (t.name === 'fetch') {
      if (m === null || m.attempt !== t.attempt) return;
      const missing = m.runs.find((_, i) => m.got[i] === undefined);
      if (t.tries >= this.o.fetchTries && missing !== undefined) this.fail(io, missing);
      else this.fetch(io, t.tries);
    } else {
      if (m === null || m.attempt !== t.attempt) return;
      // The k-way merge of the range's slices of every run.
      io.send(this.o.coordinator, { type: 'merged', range: m.range, attempt: m.attempt, keys: kWayMerge(m.got as number[][], this.o.dropEqualKeys), runs: m.runs });
      this.merge = null;
    }
    this.publish(io);
  }

  private fetch(io: WIo, tries: number): void {
    const m = this.merge as MergeTask & { got: (number[] | undefined)[] };
    m.runs.forEach((r, i) => {
      if (m.got[i] === undefined) io.send(r.worker, { type: 'slice', chunk: r.chunk, attempt: r.attempt, lo: m.lo, hi: m.hi, merge: m.attempt });
    });
    io.setTimer({ name: 'fetch', attempt: m.attempt, tries: tries + 1 }, this.o.fetchRetry);
  }

  private fail(io: WIo, run: RunRef): void {
    const m = this.merge as MergeTask;
    io.send(this.o.coordinator, { type: 'merge-failed', range: m.range, attempt: m.attempt, run });
    io.cancelTimer('fetch');
    this.merge = null;
    this.publish(io);
  }

  private publish(io: WIo): void {
    const task = this.merge !== null ? `merge ${this.merge.range} #${this.merge.attempt}` : this.sorting > 0 ? `sorting ${this.sorting}` : null;
    io.publish({ runs: [...this.runs.keys()].sort((a, b) => a - b), task });
  }
}
