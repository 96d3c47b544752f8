// The piscina task: run one fuzz batch, counting runs and violations in a
// shared array the main thread reads for its progress bar.

import { runBatch, type BatchJob, type BatchResult } from './campaign.ts';

export interface WorkerJob extends BatchJob {
  /** Int32Array over a SharedArrayBuffer: [runs done, violations]. */
  progress?: Int32Array;
}

export default function task(job: WorkerJob): BatchResult {
  const counters = job.progress;
  return runBatch(job, (violated) => {
    if (!counters) return;
    Atomics.add(counters, 0, 1);
    if (violated) Atomics.add(counters, 1, 1);
  });
}
