// Merge the `faultline fuzz --json` reports of the shards of one campaign
// (`--shard i/n`, same `--seed`) into the report one machine would have made:
// runs and violations add up, failures and batches are concatenated in batch
// order, coverage (the distinct abstract states) is the union. Pure: the CLI
// (`faultline fuzz-report merge`) reads the files.

import { z } from 'zod';
import { InputError } from '../scenario/errors.ts';
import { issuesToError } from '../scenario/zod-wording.ts';

/** Repeats a merged report lists (`repeated`), as one campaign keeps them (fuzz.ts REPEATS_KEPT; a literal here so the merge stays free of the fuzzer). */
export const MERGED_REPEATS_KEPT = 20;

const failureSchema = z.looseObject({
  // The failing run's simulation seed: a number since session 7 (a string before, or for a text seed).
  seed: z.union([z.number().int(), z.string()]),
  replay: z.string(),
  invariant: z.string(),
  batch: z.number().int().min(0),
  run: z.number().int().min(0).optional(),
});

const batchSchema = z.looseObject({ batch: z.number().int().min(0), seed: z.number().int(), runs: z.number().int().min(0), violations: z.number().int().min(0) });

/** A `faultline fuzz --json` report, as a merge reads it (fields it does not know are dropped). */
export const fuzzJsonReportSchema = z.object({
  runs: z.number().int().min(0),
  violations: z.number().int().min(0),
  failures: z.array(failureSchema),
  scenario: z.string(),
  protocol: z.string(),
  seed: z.number().int(),
  strategy: z.string().default('random'),
  batch_size: z.number().int().min(1).optional(),
  shard: z.string().regex(/^\d+\/\d+$/),
  workload: z.string().optional(),
  // What the runs drew faults from (session 15); absent in older reports. Shards of one campaign draw alike.
  fault_kinds: z.array(z.string()).optional(),
  rare_kinds: z.array(z.string()).optional(),
  prior_ordinary_kinds: z.array(z.string()).optional(),
  swarm: z.boolean().optional(),
  states: z.number().int().min(0).default(0),
  coverage: z.array(z.string()).default([]),
  batches: z.array(batchSchema),
  worker_deaths: z.array(z.unknown()).default([]),
  wall_s: z.number().min(0).default(0),
  interrupted: z.boolean().default(false),
  not_judged: z.array(z.string()).default([]),
  // Failing runs not listed (session 8): failures + duplicates + not_written = violations, per shard and merged.
  duplicates: z.number().int().min(0).default(0),
  not_written: z.number().int().min(0).default(0),
  // Failing runs of a property the campaign had already shrunk, not shrunk again (session 13): counted here, not in not_written.
  repeats: z.number().int().min(0).default(0),
  // The first of them, with their replay lines (session 13): a merge keeps the first MERGED_REPEATS_KEPT in batch and run order.
  repeated: z.array(z.looseObject({ batch: z.number().int().min(0), run: z.number().int().min(0), invariant: z.string() })).default([]),
  // Runs the engine refused (session 9): counted, not violations; the written ones listed.
  refused: z.number().int().min(0).default(0),
  refusals: z.array(z.looseObject({ limit: z.string(), scenario: z.string(), batch: z.number().int().min(0) })).default([]),
});

export type FuzzJsonReport = z.output<typeof fuzzJsonReportSchema>;

export interface MergedFuzzReport extends Omit<FuzzJsonReport, 'shard'> {
  /** The shards merged, in order ("1/4", "3/4", ...). */
  shards: string[];
  /** True when every shard 1..n of the campaign is there. */
  complete: boolean;
  /** Shards missing from a complete campaign. */
  missing: string[];
}

/** Validate one parsed report (`file` names it in errors). */
export function readFuzzReport(value: unknown, file: string): FuzzJsonReport {
  const r = fuzzJsonReportSchema.safeParse(value);
  if (!r.success) {
    const e = issuesToError(r.error, file, [], fuzzJsonReportSchema, value);
    throw new InputError(`not a faultline fuzz --json report: ${e.message}`, file, e.where ?? 'top level');
  }
  return r.data;
}

/** The fields every shard of one campaign shares. */
const SAME = ['scenario', 'protocol', 'seed', 'strategy', 'batch_size', 'workload', 'swarm', 'fault_kinds', 'rare_kinds', 'prior_ordinary_kinds'] as const;

export function mergeFuzzReports(inputs: readonly { file: string; report: FuzzJsonReport }[]): MergedFuzzReport {
  const first = inputs[0];
  if (!first) throw new InputError('expected at least one report to merge');
  const count = Number(first.report.shard.split('/')[1]);
  const seenShards = new Map<string, string>();
  const seenBatches = new Map<number, string>();
  for (const { file, report } of inputs) {
    for (const k of SAME) {
      if (JSON.stringify(report[k]) !== JSON.stringify(first.report[k])) {
        throw new InputError(`is not a shard of the same campaign as ${first.file}: ${k} is ${JSON.stringify(report[k])}, not ${JSON.stringify(first.report[k])}`, file, k);
      }
    }
    const n = Number(report.shard.split('/')[1]);
    if (n !== count) throw new InputError(`splits the campaign into ${n} shards, ${first.file} into ${count}`, file, 'shard');
    const dup = seenShards.get(report.shard);
    if (dup !== undefined) throw new InputError(`shard ${report.shard} is also in ${dup}`, file, 'shard');
    seenShards.set(report.shard, file);
    for (const b of report.batches) {
      const other = seenBatches.get(b.batch);
      if (other !== undefined) throw new InputError(`batch ${b.batch} is also in ${other}`, file, 'batches');
      seenBatches.set(b.batch, file);
    }
  }
  const all = inputs.map((i) => i.report);
  const shards = [...seenShards.keys()].sort((a, b) => Number(a.split('/')[0]) - Number(b.split('/')[0]));
  const missing = Array.from({ length: count }, (_, i) => `${i + 1}/${count}`).filter((s) => !seenShards.has(s));
  const coverage = [...new Set(all.flatMap((r) => r.coverage))].sort();
  const { shard: _shard, ...rest } = first.report;
  return {
    ...rest,
    runs: all.reduce((n, r) => n + r.runs, 0),
    violations: all.reduce((n, r) => n + r.violations, 0),
    failures: all.flatMap((r) => r.failures).sort((a, b) => a.batch - b.batch || (a.run ?? 0) - (b.run ?? 0)),
    batches: all.flatMap((r) => r.batches).sort((a, b) => a.batch - b.batch),
    states: coverage.length,
    coverage,
    worker_deaths: all.flatMap((r) => r.worker_deaths),
    duplicates: all.reduce((n, r) => n + r.duplicates, 0),
    not_written: all.reduce((n, r) => n + r.not_written, 0),
    repeats: all.reduce((n, r) => n + r.repeats, 0),
    repeated: all
      .flatMap((r) => r.repeated)
      .sort((a, b) => a.batch - b.batch || a.run - b.run)
      .slice(0, MERGED_REPEATS_KEPT),
    refused: all.reduce((n, r) => n + r.refused, 0),
    refusals: all.flatMap((r) => r.refusals).sort((a, b) => a.batch - b.batch),
    // Shards run side by side: the campaign took as long as the slowest.
    wall_s: Math.max(...all.map((r) => r.wall_s)),
    interrupted: all.some((r) => r.interrupted),
    // A checker is unjudged by the campaign only if no shard judged it (a shard with no runs judges nothing).
    not_judged: [...new Set(all.flatMap((r) => r.not_judged))].filter((n) => all.every((r) => r.runs === 0 || r.not_judged.includes(n))).sort(),
    shards,
    complete: missing.length === 0,
    missing,
  };
}

/**
 * The warning for shards missing from a merge, e.g. "shard 2/2 is missing",
 * "shards 2/4 and 3/4 are missing", "shards 1/4, 2/4 and 3/4 are missing".
 * `missing` is non-empty.
 */
export function missingShardsMessage(missing: readonly string[]): string {
  if (missing.length === 1) return `shard ${missing[0]} is missing`;
  return `shards ${missing.slice(0, -1).join(', ')} and ${missing.at(-1)} are missing`;
}
