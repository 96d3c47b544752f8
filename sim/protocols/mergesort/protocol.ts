// Distributed merge sort: a coordinator `m` (role `coordinator`) and workers w1..wN (role `server`)
// sorting `chunks` chunks of random integer keys: local sorts, then a k-way merge per key range
// between splitters, with re-execution of lost or late tasks. Planted bugs (all off) prove the checkers.

import { z } from 'zod';
import { durationText } from '../../api/durations.ts';
import { defineProtocol, nodeSpec, positiveDuration, WHEN_VALID, type NodeSpec } from '../../api/index.ts';
import { permutationChecker, sortCompletesChecker, sortedChecker } from './checkers.ts';
import { MergeSortCoordinator } from './coordinator.ts';
import { mergesortAbstractState } from './coverage.ts';
import { mergesortFuzzWorkload } from './fuzz-workload.ts';
import { generateChunks } from './keys.ts';
import { mergesortTargets } from './targets.ts';
import { MergeSortWorker } from './worker.ts';

export const SORT_COORDINATOR = 'm';

export const mergesortConfig = z
  .object({
    workers: z.number().int().min(1).max(32).default(4),
    chunks: z.number().int().min(1).max(64).default(8),
    /** Keys per chunk. */
    size: z.number().int().min(0).max(10_000).default(50),
    /** Keys are drawn from [0, keyRange): a small range makes many equal keys. */
    keyRange: z.number().int().min(1).max(1_000_000_000).default(200),
    /** Merge ranges (R - 1 splitters). */
    ranges: z.number().int().min(1).max(16).default(3),
    sortTime: positiveDuration.default(100_000),
    mergeTime: positiveDuration.default(100_000),
    /** An attempt not answered this long is run again on another worker. */
    taskTimeout: positiveDuration.default(400_000),
    fetchRetry: positiveDuration.default(50_000),
    /** Slice requests sent before a merge reports the run lost. */
    fetchTries: z.number().int().min(1).max(100).default(4),
    /** Slack of the sort-completes bound. */
    grace: positiveDuration.default(1_000_000),
    bugs: z
      .object({
        /** k-way merge: equal heads of several runs are emitted once (keys dropped at merge boundaries). */
        dropEqualKeys: z.boolean().default(false),
        /** A range slice is [lo, hi] instead of [lo, hi): keys equal to a splitter land in two ranges. */
        splitterOffByOne: z.boolean().default(false),
        /** A re-executed chunk's late original completion is merged as well as the re-execution's run. */
        mergeReexecutedTwice: z.boolean().default(false),
        /** The ranges are concatenated in the order they finished, not in key order. */
        concatInCommitOrder: z.boolean().default(false),
        /** Attempts are never timed out: a task handed to a worker that crashed is never run again. */
        noTimeouts: z.boolean().default(false),
      })
      .strict()
      .default({ dropEqualKeys: false, splitterOffByOne: false, mergeReexecutedTwice: false, concatInCommitOrder: false, noTimeouts: false }),
  })
  .strict()
  .superRefine((c, ctx) => {
    // An attempt must be able to finish (and a merge to give up on a run) before it is timed out.
    const need = Math.max(c.sortTime, c.mergeTime + c.fetchRetry * c.fetchTries);
    if (c.taskTimeout <= need) ctx.addIssue({ code: 'custom', path: ['taskTimeout'], message: `expected more than the longest attempt (sortTime, or mergeTime + fetchRetry × fetchTries: ${durationText(need)}), got ${durationText(c.taskTimeout)}` });
  }, WHEN_VALID);

export type MergeSortConfig = z.output<typeof mergesortConfig>;

export const sortWorkerIds = (n: number): string[] => Array.from({ length: n }, (_, i) => `w${i + 1}`);

/** How long a fault-free sort may take after the faults stop: grace + a timed-out attempt of each phase + the waves of each phase. */
export function sortBound(c: MergeSortConfig): number {
  const wave = (n: number, t: number): number => Math.ceil(n / c.workers) * t;
  return c.grace + 2 * c.taskTimeout + wave(c.chunks, c.sortTime) + wave(c.ranges, c.mergeTime + c.fetchRetry * c.fetchTries);
}

export function mergesortNodes(c: MergeSortConfig, chunks: number[][]): NodeSpec[] {
  const workers = sortWorkerIds(c.workers);
  const nodes: NodeSpec[] = [
    nodeSpec(SORT_COORDINATOR, 'coordinator', () => new MergeSortCoordinator({ workers, chunks, ranges: c.ranges, taskTimeout: c.taskTimeout, mergeReexecutedTwice: c.bugs.mergeReexecutedTwice, concatInCommitOrder: c.bugs.concatInCommitOrder, noTimeouts: c.bugs.noTimeouts })),
  ];
  const opts = { coordinator: SORT_COORDINATOR, sortTime: c.sortTime, mergeTime: c.mergeTime, fetchRetry: c.fetchRetry, fetchTries: c.fetchTries, splitterOffByOne: c.bugs.splitterOffByOne, dropEqualKeys: c.bugs.dropEqualKeys };
  for (const w of workers) nodes.push(nodeSpec(w, 'server', () => new MergeSortWorker(opts)));
  return nodes;
}

export const mergesort = defineProtocol({
  name: 'mergesort',
  description: 'Distributed merge sort: local sorts, splitters, a k-way merge per range, re-execution of lost or late tasks',
  configSchema: mergesortConfig,
  fuzzWorkload: mergesortFuzzWorkload,
  ...mergesortTargets,
  abstractState: mergesortAbstractState,
  build(config, ctx) {
    const chunks = generateChunks(ctx.stream('keys'), config.chunks, config.size, config.keyRange);
    return {
      nodes: mergesortNodes(config, chunks),
      checkers: [sortedChecker(SORT_COORDINATOR), permutationChecker(SORT_COORDINATOR, chunks.flat()), sortCompletesChecker(SORT_COORDINATOR, [SORT_COORDINATOR, ...sortWorkerIds(config.workers)], sortBound(config))],
    };
  },
});

declare module '../../api/protocol.ts' {
  interface ProtocolConfigMap {
    mergesort: z.input<typeof mergesortConfig>;
  }
}
