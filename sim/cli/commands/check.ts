// faultline check <file>... [--format etcd|kv|trace] [--model register|kv|lock] [--json] [--brief]
// Checks each history file for linearizability in one process. Every file is
// read and parsed before any is checked, so a bad file (exit 2, naming the file
// and line) never leaves half a report. Exit 0 when all are linearizable, 1 when
// any is not (or could not be decided within --max-steps).

import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import {
  checkHistory,
  detectFormat,
  HistoryError,
  historyFormats,
  inferModel,
  models,
  parseHistory,
  type CheckResult,
  type HistoryFormat,
  type Model,
  type ModelName,
  type ParsedHistory,
} from '../../check/linearizability/index.ts';
import { InputError } from '../../scenario/errors.ts';

interface CheckOpts {
  format?: string;
  model?: string;
  json?: boolean;
  brief?: boolean;
  maxSteps?: string;
}

interface Loaded {
  file: string;
  parsed: ParsedHistory;
  model: ModelName;
}

function load(file: string, opts: CheckOpts): Loaded {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new InputError(`cannot read the file (${(err as NodeJS.ErrnoException).code ?? String(err)})`, file);
  }
  const format = (opts.format as HistoryFormat | undefined) ?? detectFormat(text);
  if (format === undefined) throw new InputError(`cannot tell the format from the first line; pass --format ${historyFormats.join('|')}`, file, 'line 1');
  const parsed = parseHistory(format, text, file);
  let model = opts.model as ModelName | undefined;
  const fs = parsed.history.flatMap((e) => (e.type === 'invoke' ? [e.f] : []));
  // No operations at all: trivially linearizable under any model.
  if (model === undefined) model = parsed.model ?? (fs.length === 0 ? 'register' : inferModel(fs));
  if (model === undefined) {
    throw new InputError(`cannot tell the model from the operations (${[...new Set(fs)].join(', ')}); pass --model ${Object.keys(models).join('|')}`, file);
  }
  return { file, parsed, model };
}

function check(l: Loaded, maxSteps: number | undefined): { result: CheckResult; ms: number } {
  const describePosition = (p: number): string => `line ${l.parsed.lines[p] ?? '?'}`;
  const t0 = performance.now();
  try {
    // A person reads the explanation: spend more on a small failing core than a checker inside a fuzz run would.
    const model: Model<unknown> = models[l.model];
    const result = checkHistory(l.parsed.history, model, { describePosition, coreSteps: 500_000, ...(maxSteps !== undefined ? { maxSteps } : {}) });
    return { result, ms: performance.now() - t0 };
  } catch (err) {
    if (err instanceof HistoryError) throw new InputError(err.message, l.file, describePosition(err.position));
    throw err;
  }
}

export function registerCheck(program: Command): void {
  program
    .command('check')
    .description('check history files for linearizability; exit 0 if all are linearizable, 1 if any is not, 2 for a bad file')
    .argument('<file...>', 'history files: Jepsen etcd logs, key-value EDN histories, or Faultline traces')
    .option('--format <format>', `history format: ${historyFormats.join(', ')} (default: guessed from the first line)`)
    .option('--model <model>', `sequential model: ${Object.keys(models).join(', ')} (default: from the format, or guessed from the operation names)`)
    .option('--max-steps <n>', 'search budget per file in model steps; when exhausted the verdict is unknown (default: unlimited)')
    .option('--json', 'print one JSON line per file: {"file":...,"linearizable":true|false,"ms":...}')
    .option('--brief', 'do not explain non-linearizable histories')
    .action((files: string[], opts: CheckOpts) => {
      if (opts.format !== undefined && !historyFormats.includes(opts.format as HistoryFormat))
        throw new InputError(`--format: expected one of ${historyFormats.join(', ')} (got ${JSON.stringify(opts.format)})`);
      if (opts.model !== undefined && !(opts.model in models)) throw new InputError(`--model: expected one of ${Object.keys(models).join(', ')} (got ${JSON.stringify(opts.model)})`);
      let maxSteps: number | undefined;
      if (opts.maxSteps !== undefined) {
        maxSteps = Number(opts.maxSteps.replace(/_/g, ''));
        if (!Number.isInteger(maxSteps) || maxSteps <= 0) throw new InputError(`--max-steps: expected a positive integer (got ${JSON.stringify(opts.maxSteps)})`);
      }
      const loaded = files.map((f) => load(f, opts));
      let allLinearizable = true;
      for (const l of loaded) {
        const { result, ms } = check(l, maxSteps);
        allLinearizable &&= result.linearizable;
        if (opts.json) {
          process.stdout.write(JSON.stringify({ file: l.file, linearizable: result.linearizable, ms: +ms.toFixed(3) }) + '\n');
          continue;
        }
        const verdict = result.verdict === 'linearizable' ? 'linearizable' : result.verdict === 'unknown' ? 'unknown (search budget exhausted)' : 'not linearizable';
        const detail = `${result.operations} ops, ${result.partitions} key${result.partitions === 1 ? '' : 's'}, ${result.steps} steps, ${l.model} model`;
        process.stdout.write(`${l.file}: ${verdict} (${ms.toFixed(2)} ms; ${detail})\n`);
        if (result.failure && !opts.brief) process.stdout.write(result.failure.explanation.replace(/^/gm, '    ') + '\n');
      }
      process.exitCode = allLinearizable ? 0 : 1;
    });
}
