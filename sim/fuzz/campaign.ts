// A long fuzz campaign as deterministic batches: batch b is one fuzz() call
// with its own fast-check seed derived from (campaign seed, b). Batches are
// independent, so they run on any number of worker threads in any order, and
// `--shard i/n` gives machine i the batches b with b mod n = i-1: n machines
// together run exactly the batches one machine would.

import type { Scenario } from '../scenario/schema.ts';
import type { FaultGenOptions, WorkloadArb } from './arbitraries.ts';
import { fuzzSteps, DEFAULT_FUZZ_SEED, type FuzzReport, type FuzzStrategy } from './fuzz.ts';

/**
 * Default runs per batch of each strategy. A guided batch keeps its own corpus (batches stay independent,
 * shardable and pure functions of their seed), so it needs room to grow: rare states found early in a
 * batch are mutated for the rest of it. Random and targeted batches are small, for a tight `--time`.
 */
export const DEFAULT_BATCH = { guided: 400, targeted: 25, random: 25 } as const;

export interface Shard {
  /** 1-based, as in CI matrices and `--shard 2/4`. */
  index: number;
  count: number;
}

export const WHOLE: Shard = { index: 1, count: 1 };

/** "i/n" with 1 <= i <= n; undefined when the text is not one. */
export function parseShard(text: string): Shard | undefined {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!m) return undefined;
  const index = Number(m[1]);
  const count = Number(m[2]);
  return count >= 1 && index >= 1 && index <= count ? { index, count } : undefined;
}

/** A 31-bit fast-check seed for batch `batch` of a campaign seeded with `seed` (a murmur3 finaliser: close inputs give unrelated seeds). */
export function batchSeed(seed: number, batch: number): number {
  let h = (Math.imul(seed | 0, 0x9e3779b1) ^ Math.imul(batch + 1, 0x85ebca6b)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return h & 0x7fffffff;
}

export interface BatchTask {
  batch: number;
  /** fast-check seed of the batch. */
  seed: number;
  runs: number;
}

/**
 * The batches this shard runs, in order. With a run budget, the campaign is
 * ceil(runs / batchSize) batches (the last one possibly smaller); without one
 * (a time budget) the sequence never ends and the caller stops taking.
 */
export function* planBatches(opts: { runs: number | undefined; batchSize: number; seed?: number; shard?: Shard }): Generator<BatchTask> {
  const shard = opts.shard ?? WHOLE;
  const seed = opts.seed ?? DEFAULT_FUZZ_SEED;
  const size = opts.batchSize;
  if (!(Number.isInteger(size) && size >= 1)) throw new RangeError(`batch size must be a positive integer (got ${size})`);
  const total = opts.runs === undefined ? Number.POSITIVE_INFINITY : Math.ceil(opts.runs / size);
  for (let b = shard.index - 1; b < total; b += shard.count) {
    const runs = opts.runs === undefined ? size : Math.min(size, opts.runs - b * size);
    yield { batch: b, seed: batchSeed(seed, b), runs };
  }
}

/** Everything a worker needs to run one batch: plain data, so it crosses threads. */
export interface BatchJob {
  scenario: Scenario;
  task: BatchTask;
  faults?: FaultGenOptions;
  keepFaults?: boolean;
  shrink?: boolean;
  shrinkBudget?: number;
  traceDir?: string;
  /** URL of a module whose default export is the workload arbitrary (arbitraries do not cross threads; modules do). */
  workloadModule?: string;
  /** Guided: URL of the workload module of its plain draws (FuzzOptions.plainWorkload; default the workload). */
  plainWorkloadModule?: string;
  /** Search strategy (fuzz()'s default when absent: guided). */
  strategy?: FuzzStrategy;
  /** Failures this batch shrinks and reports (default 1). */
  maxFailures?: number;
  /** Run the batch's whole budget even after maxFailures failures (later violations are counted, not shrunk). */
  keepGoing?: boolean;
  /** Invariants the campaign already has a shrunk counterexample of: their failing runs are repeats, not shrunk (FuzzOptions.shrunkInvariants). */
  shrunkInvariants?: string[];
}

/** What a batch reports while it runs (the CLI's progress line and worker-death report read it). */
export interface BatchHooks {
  /** After each run of the budget. */
  onRun?: (violated: boolean, states: number) => void;
  /** Before each run of the budget: its 0-based index in the batch and simulation seed. */
  onRunStart?: (run: number, seed: string) => void;
  /** After each shrinking run. */
  onShrink?: (used: number, budget: number) => void;
  /** Before each run of the budget: true ends the batch there (a campaign's time is up); see `FuzzOptions.stop`. */
  stop?: () => boolean;
}

export interface BatchResult extends FuzzReport {
  batch: number;
  seed: number;
}

export function runBatch(job: BatchJob, hooks: BatchHooks | ((violated: boolean) => void) = {}, workload?: WorkloadArb, plainWorkload?: WorkloadArb): BatchResult {
  const steps = batchSteps(job, hooks, workload, plainWorkload);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/**
 * `runBatch` one run at a time (fuzzSteps): yields after each run of the budget. The CLI's one-worker campaign
 * drives it and lets its event loop turn between runs, so a Ctrl-C stops the batch after the current run.
 */
export function* batchSteps(job: BatchJob, hooks: BatchHooks | ((violated: boolean) => void) = {}, workload?: WorkloadArb, plainWorkload?: WorkloadArb): Generator<number, BatchResult, void> {
  const h: BatchHooks = typeof hooks === 'function' ? { onRun: hooks } : hooks;
  let seen = 0;
  const report = yield* fuzzSteps({
    scenario: job.scenario,
    runs: job.task.runs,
    seed: job.task.seed,
    ...(job.faults ? { faults: job.faults } : {}),
    ...(job.keepFaults !== undefined ? { keepFaults: job.keepFaults } : {}),
    ...(job.shrink !== undefined ? { shrink: job.shrink } : {}),
    ...(job.shrinkBudget !== undefined ? { shrinkBudget: job.shrinkBudget } : {}),
    ...(job.traceDir !== undefined ? { traceDir: job.traceDir } : {}),
    ...(job.strategy !== undefined ? { strategy: job.strategy } : {}),
    ...(job.maxFailures !== undefined ? { maxFailures: job.maxFailures } : {}),
    ...(job.keepGoing !== undefined ? { keepGoing: job.keepGoing } : {}),
    ...(job.shrunkInvariants !== undefined ? { shrunkInvariants: job.shrunkInvariants } : {}),
    ...(workload ? { workload } : {}),
    ...(plainWorkload ? { plainWorkload } : {}),
    ...(h.onShrink ? { onShrink: h.onShrink } : {}),
    ...(h.onRunStart ? { onRunStart: h.onRunStart } : {}),
    ...(h.stop ? { stop: h.stop } : {}),
    onProgress: (_done, violations, states) => {
      h.onRun?.(violations > seen, states);
      seen = violations;
    },
  });
  return { ...report, batch: job.task.batch, seed: job.task.seed };
}
