// The piscina task: run one fuzz batch, counting runs and violations in a
// shared array the main thread reads for its progress bar.

import type { WorkloadArb } from './arbitraries.ts';
import { runBatch, type BatchJob, type BatchResult } from './campaign.ts';

export interface WorkerJob extends BatchJob {
  /** Int32Array over a SharedArrayBuffer: [runs done, violations]. */
  progress?: Int32Array;
}

const workloads = new Map<string, Promise<WorkloadArb>>();

/** The default export of a workload module, checked to be a fast-check arbitrary; loaded once per thread. */
export function loadWorkload(url: string): Promise<WorkloadArb> {
  let p = workloads.get(url);
  if (!p) {
    p = import(url).then((mod: { default?: unknown }) => {
      // Duck-typed: a module may resolve its own copy of fast-check, and instanceof would then say no.
      const a = mod.default as { generate?: unknown; shrink?: unknown } | undefined;
      if (typeof a?.generate !== 'function' || typeof a.shrink !== 'function') throw new TypeError('expected a default export that is a fast-check arbitrary of config patches, e.g. fc.record({...})');
      return mod.default as WorkloadArb;
    });
    workloads.set(url, p);
  }
  return p;
}

export default async function task(job: WorkerJob): Promise<BatchResult> {
  const counters = job.progress;
  const workload = job.workloadModule !== undefined ? await loadWorkload(job.workloadModule) : undefined;
  return runBatch(
    job,
    (violated) => {
      if (!counters) return;
      Atomics.add(counters, 0, 1);
      if (violated) Atomics.add(counters, 1, 1);
    },
    workload,
  );
}
