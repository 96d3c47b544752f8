// faultline fuzz-report merge <report.json>... [--out file]
//
// Merge the `faultline fuzz --json` reports of the shards of one campaign
// (sim/fuzz/merge.ts): the merged report is what one machine running the whole
// campaign would have printed (runs, failures, coverage), plus which shards it
// holds and which are missing. Exit 1 when the merged campaign found a
// violation (as `faultline fuzz` does), else 3 when shards are missing (a
// cancelled or failed shard must not pass for a clean campaign; the merged
// report is still written; `--allow-partial` accepts it and exits 0), else 0;
// 2 on a bad report.

import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { mergeFuzzReports, missingShardsMessage, readFuzzReport } from '../../fuzz/merge.ts';
import { InputError } from '../../scenario/errors.ts';
import { writeOutputFile } from '../file-sink.ts';

/** Exit code of a merge that lacks shards of the campaign (and found no violation in the others). */
export const EXIT_INCOMPLETE = 3;

function readReport(file: string): ReturnType<typeof readFuzzReport> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new InputError(`cannot read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, file);
  }
  // `faultline fuzz --json > shard.json`: one JSON line (a BOM or blank lines around it are fine).
  const body = text.replace(/^\uFEFF/, '').trim();
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (err) {
    throw new InputError(`expected one JSON object, the output of faultline fuzz --json (${err instanceof Error ? err.message : String(err)})`, file, 'line 1');
  }
  return readFuzzReport(value, file);
}

export function registerFuzzReport(program: Command): void {
  const cmd = program.command('fuzz-report').description('work with faultline fuzz --json reports');
  cmd
    .command('merge')
    .description(`merge the --json reports of the shards of one campaign into one report (runs, failures, coverage); exit 1 if it holds a violation, else ${EXIT_INCOMPLETE} if shards are missing`)
    .argument('<reports...>', 'report files, one per shard')
    .option('--out <file>', 'write the merged report here instead of stdout')
    .option('--allow-partial', `accept missing shards: warn, but exit 0 instead of ${EXIT_INCOMPLETE} when no violation was found`)
    .action((files: string[], opts: { out?: string; allowPartial?: boolean }) => {
      const merged = mergeFuzzReports(files.map((file) => ({ file, report: readReport(file) })));
      const text = JSON.stringify(merged) + '\n';
      if (opts.out !== undefined) {
        writeOutputFile(opts.out, text, 'the report');
      } else process.stdout.write(text);
      if (!merged.complete) {
        const how = opts.allowPartial === true ? 'warning' : 'error';
        process.stderr.write(`fuzz-report: ${how}: ${missingShardsMessage(merged.missing)}: this is not the whole campaign${how === 'error' ? ` (exit ${EXIT_INCOMPLETE}; --allow-partial accepts it)` : ''}\n`);
      }
      process.exitCode = merged.violations > 0 ? 1 : !merged.complete && opts.allowPartial !== true ? EXIT_INCOMPLETE : 0;
    });
}
