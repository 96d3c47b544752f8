// MapReduce / scatter-gather: a coordinator `m` (role `coordinator`: the default nemesis leaves it
// alone, as the paper's master, whose failure aborts the job) and workers w1..wN (role `server`)
// running one word-count job over `maps` generated documents with `reduces` reduce partitions.
// Planted bugs (all off) prove the checkers.

import { z } from 'zod';
import { durationText } from '../../api/durations.ts';
import { defineProtocol, nodeSpec, positiveDuration, WHEN_VALID, type NodeSpec } from '../../api/index.ts';
import { exactlyOnceChecker, jobCompletesChecker, noLostInputChecker, outputCorrectChecker } from './checkers.ts';
import { MapReduceCoordinator } from './coordinator.ts';
import { mapreduceAbstractState } from './coverage.ts';
import { mapreduceFuzzWorkload } from './fuzz-workload.ts';
import { generateDocuments, sequentialCount } from './job.ts';
import { mapreduceTargets } from './targets.ts';
import { MapReduceWorker } from './worker.ts';

export const COORDINATOR = 'm';

export const mapreduceConfig = z
  .object({
    workers: z.number().int().min(1).max(32).default(4),
    /** Map tasks (one generated document each). */
    maps: z.number().int().min(1).max(64).default(12),
    /** Reduce tasks (partitions of the word space, hash(word) mod R). */
    reduces: z.number().int().min(1).max(16).default(4),
    /** Words per document. */
    words: z.number().int().min(0).max(1000).default(40),
    /** Distinct words (at most 26). */
    vocabulary: z.number().int().min(1).max(26).default(20),
    /** Work time of a map task, and of a reduce task once its input is fetched (local clock). */
    mapTime: positiveDuration.default(150_000),
    reduceTime: positiveDuration.default(150_000),
    /** Worker heartbeat interval (and the coordinator's failure check interval). */
    heartbeat: positiveDuration.default(20_000),
    /** A worker not heard from this long is failed (section 3.3). */
    workerTimeout: positiveDuration.default(150_000),
    /** A reduce re-sends its fetches for missing map outputs this often. */
    fetchRetry: positiveDuration.default(50_000),
    /** Backup tasks near the end of each phase (section 3.6). */
    backupTasks: z.boolean().default(true),
    /** Stragglers: worker -> task time multiplier (`{ w1: 10 }`: w1 takes ten times as long). */
    slow: z.record(z.string(), z.number().int().min(1).max(1000)).default({}),
    /** Slack of the job-completes bound (see completionBound): the job must be done this long after the faults stop, plus the time its tasks take. */
    grace: positiveDuration.default(1_000_000),
    bugs: z
      .object({
        /** Commit every completion of a reduce task (a backup's or a re-execution's too): its counts are added twice. */
        acceptDuplicateCompletions: z.boolean().default(false),
        /** On a worker failure, leave its completed map tasks completed: their output died with its disk and is never recomputed. */
        keepCompletedMapsOfFailedWorker: z.boolean().default(false),
        /** Declare the job done once every reduce task is handed out, before each reported. */
        finishEarly: z.boolean().default(false),
        /** A reduce that finds a map output gone reads it as empty instead of waiting for its re-execution. */
        reduceSkipsMissing: z.boolean().default(false),
      })
      .strict()
      .default({ acceptDuplicateCompletions: false, keepCompletedMapsOfFailedWorker: false, finishEarly: false, reduceSkipsMissing: false }),
  })
  .strict()
  .superRefine((c, ctx) => {
    const ids = workerIds(c.workers);
    for (const w of Object.keys(c.slow)) if (!ids.includes(w)) ctx.addIssue({ code: 'custom', path: ['slow', w], message: `expected a worker (${ids.join(', ')})` });
    // A worker that heartbeats must not be declared failed between two heartbeats.
    if (c.workerTimeout <= 2 * c.heartbeat) ctx.addIssue({ code: 'custom', path: ['workerTimeout'], message: `expected more than two heartbeat intervals (${durationText(2 * c.heartbeat)}), got ${durationText(c.workerTimeout)}` });
  }, WHEN_VALID);

export type MapReduceConfig = z.output<typeof mapreduceConfig>;

/**
 * How long a fault-free job may take, µs, judged from when the faults stop: `grace`, plus the waves of
 * tasks the workers that are not stragglers run (ceil(tasks / fast workers) per phase, each a task time
 * plus a heartbeat to be handed out), plus one task of the slowest straggler per phase (without backup
 * tasks its attempt may be the one that has to finish).
 */
export function completionBound(c: MapReduceConfig): number {
  const slow = Object.values(c.slow).filter((f) => f > 1);
  const fast = Math.max(1, c.workers - slow.length);
  const worst = Math.max(1, ...slow);
  return c.grace + Math.ceil(c.maps / fast) * (c.mapTime + c.heartbeat) + Math.ceil(c.reduces / fast) * (c.reduceTime + c.heartbeat) + worst * (c.mapTime + c.reduceTime);
}

export function workerIds(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `w${i + 1}`);
}

export function mapreduceNodes(c: MapReduceConfig, docs: string[][]): NodeSpec[] {
  const workers = workerIds(c.workers);
  const nodes: NodeSpec[] = [
    nodeSpec(COORDINATOR, 'coordinator', () =>
      new MapReduceCoordinator({
        workers,
        docs,
        reduces: c.reduces,
        heartbeat: c.heartbeat,
        workerTimeout: c.workerTimeout,
        mapTime: c.mapTime,
        reduceTime: c.reduceTime,
        backupTasks: c.backupTasks,
        acceptDuplicateCompletions: c.bugs.acceptDuplicateCompletions,
        keepCompletedMapsOfFailedWorker: c.bugs.keepCompletedMapsOfFailedWorker,
        finishEarly: c.bugs.finishEarly,
      }),
    ),
  ];
  for (const w of workers) {
    const opts = { coordinator: COORDINATOR, heartbeat: c.heartbeat, mapTime: c.mapTime, reduceTime: c.reduceTime, fetchRetry: c.fetchRetry, slowness: c.slow[w] ?? 1, reduceSkipsMissing: c.bugs.reduceSkipsMissing };
    nodes.push(nodeSpec(w, 'server', () => new MapReduceWorker(opts)));
  }
  return nodes;
}

export const mapreduce = defineProtocol({
  name: 'mapreduce',
  description: 'MapReduce word count: a coordinator re-executes failed workers\' tasks (completed maps too), backup tasks for stragglers, each result committed once',
  configSchema: mapreduceConfig,
  fuzzWorkload: mapreduceFuzzWorkload,
  ...mapreduceTargets,
  abstractState: mapreduceAbstractState,
  build(config, ctx) {
    const docs = generateDocuments(ctx.stream('docs'), config.maps, config.words, config.vocabulary);
    const all = [COORDINATOR, ...workerIds(config.workers)];
    return {
      nodes: mapreduceNodes(config, docs),
      checkers: [
        exactlyOnceChecker(COORDINATOR),
        noLostInputChecker(COORDINATOR, config.maps),
        outputCorrectChecker(COORDINATOR, sequentialCount(docs)),
        jobCompletesChecker(COORDINATOR, all, completionBound(config)),
      ],
    };
  },
});

declare module '../../api/protocol.ts' {
  interface ProtocolConfigMap {
    mapreduce: z.input<typeof mapreduceConfig>;
  }
}
