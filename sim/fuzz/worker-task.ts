// The piscina task: run one fuzz batch, counting runs and violations in a
// shared array the main thread reads for its progress bar.

import type { WorkloadArb } from './arbitraries.ts';
import { runBatch, type BatchJob, type BatchResult } from './campaign.ts';

export interface WorkerJob extends BatchJob {
  /** Int32Array over a SharedArrayBuffer: [runs done, violations, shrinking runs in progress, shrink budget, most states a running batch reached]. */
  progress?: Int32Array;
  /** Int32Array over a SharedArrayBuffer of this job alone: [runs of the batch started, simulation seed of the last one] (read if the worker dies). */
  current?: Int32Array;
  /** Int32Array over a SharedArrayBuffer: [1 when the campaign is over (time up, Ctrl-C)]; the batch ends before its next run. */
  stop?: Int32Array;
}

const workloads = new Map<string, Promise<WorkloadArb>>();

/** A workload module's default export, checked to be a fast-check arbitrary (duck-typed: a module may resolve its own copy of fast-check). */
function asWorkload(value: unknown): WorkloadArb {
  const a = value as { generate?: unknown; shrink?: unknown } | undefined;
  if (typeof a?.generate !== 'function' || typeof a.shrink !== 'function') throw new TypeError('expected a default export that is a fast-check arbitrary of config patches, e.g. fc.record({...})');
  return value as WorkloadArb;
}

/** The default export of a workload module, checked to be a fast-check arbitrary; loaded once per thread. */
export function loadWorkload(url: string): Promise<WorkloadArb> {
  let p = workloads.get(url);
  if (!p) {
    p = import(url).then((mod: { default?: unknown }) => asWorkload(mod.default));
    workloads.set(url, p);
  }
  return p;
}

/**
 * Record a workload module's default export, imported by the caller (a TypeScript module goes through the
 * CLI's user-module loader, on the main thread and in each worker's entry), so loadWorkload(url) uses it.
 */
export function preloadWorkload(url: string, value: unknown): void {
  const p = Promise.resolve().then(() => asWorkload(value));
  p.catch(() => undefined); // reported when loadWorkload(url) is awaited
  workloads.set(url, p);
}

export default async function task(job: WorkerJob): Promise<BatchResult> {
  const counters = job.progress;
  const current = job.current;
  const stop = job.stop;
  const workload = job.workloadModule !== undefined ? await loadWorkload(job.workloadModule) : undefined;
  const plainWorkload = job.plainWorkloadModule !== undefined ? await loadWorkload(job.plainWorkloadModule) : undefined;
  let shrinkUsed = 0;
  const endShrink = (): void => {
    if (counters && shrinkUsed > 0) Atomics.sub(counters, 2, shrinkUsed);
    shrinkUsed = 0;
  };
  try {
    return runBatch(
      job,
      {
        onRun: (violated, states) => {
          endShrink();
          if (!counters) return;
          Atomics.add(counters, 0, 1);
          if (violated) Atomics.add(counters, 1, 1);
          // A running maximum for the progress line (a race between threads only delays a larger value).
          if (counters.length > 4 && states > Atomics.load(counters, 4)) Atomics.store(counters, 4, states);
        },
        onRunStart: (run, seed) => {
          endShrink();
          if (!current) return;
          Atomics.store(current, 0, run + 1);
          Atomics.store(current, 1, Number(seed) | 0);
        },
        ...(stop ? { stop: () => Atomics.load(stop, 0) !== 0 } : {}),
        onShrink: (used, budget) => {
          if (!counters) return;
          Atomics.add(counters, 2, used - shrinkUsed);
          Atomics.store(counters, 3, budget);
          shrinkUsed = used;
        },
      },
      workload,
      plainWorkload,
    );
  } finally {
    endShrink();
  }
}
