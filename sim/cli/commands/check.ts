// faultline check <file>... [--format etcd|edn|kv|trace] [--model ...] [--json] [--brief] [--max-steps N] [--max-memory MB]
// Checks each history file for linearizability in one process. Every file is
// read and parsed before any is checked, so a bad file (exit 2, naming the file
// and line) never leaves half a report. Exit 0 when all are linearizable, 1 when
// any is not, or could not be decided within --max-steps / --max-memory (verdict
// "unknown", with what was explored). What else a file holds (violations a trace
// recorded, a truncated trace, no operations at all) is a warning on stderr.

import { plural } from '../plural.ts';
import type { Command } from 'commander';
import { closeSync, createReadStream, openSync, readFileSync, readSync } from 'node:fs';
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
import { TraceHistoryReader } from '../../trace/history-reader.ts';
import { LineSplitter } from '../../trace/reader.ts';
import { InputError } from '../../scenario/errors.ts';
import { formatWall } from '../time-format.ts';
import { printWarning } from '../messages.ts';

interface CheckOpts {
  format?: string;
  model?: string;
  json?: boolean;
  brief?: boolean;
  maxSteps?: string;
  maxMemory?: string;
}

interface Loaded {
  file: string;
  parsed: ParsedHistory;
  model: ModelName;
}

/** The start of a file (64 KB), to tell its format without reading all of it. */
function readHead(file: string): string {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(1 << 16);
    return buf.subarray(0, readSync(fd, buf, 0, buf.length, 0)).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** A Faultline trace, streamed line by line (any size) and checked as replay and view check it: only its client history is kept. */
async function streamTraceHistory(file: string): Promise<ParsedHistory> {
  const r = new TraceHistoryReader(file);
  const splitter = new LineSplitter((text, _start, _length, terminated) => r.line(text, terminated), { file });
  for await (const c of createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Uint8Array>) splitter.push(c);
  splitter.end();
  return r.end();
}

async function load(file: string, opts: CheckOpts): Promise<Loaded> {
  let head: string;
  try {
    head = readHead(file);
  } catch (err) {
    throw new InputError(`cannot read the file (${(err as NodeJS.ErrnoException).code ?? String(err)})`, file);
  }
  const format = (opts.format as HistoryFormat | undefined) ?? detectFormat(head);
  if (format === undefined) throw new InputError(`cannot tell the format from the first line; pass --format ${historyFormats.join('|')}`, file, 'line 1');
  // Traces are streamed (any size); other tools' histories are read whole.
  const parsed = format === 'trace' ? await streamTraceHistory(file) : parseHistory(format, readFileSync(file, 'utf8'), file);
  let model = opts.model as ModelName | undefined;
  const fs = parsed.history.flatMap((e) => (e.type === 'invoke' ? [e.f] : []));
  // No operations at all: trivially linearizable under any model (and a warning).
  if (model === undefined) model = parsed.model ?? (fs.length === 0 ? 'register' : inferModel(fs));
  if (model === undefined) {
    throw new InputError(`cannot tell the model from the operations (${[...new Set(fs)].join(', ')}); pass --model ${Object.keys(models).join('|')}`, file);
  }
  return { file, parsed, model };
}

function check(l: Loaded, maxSteps: number | undefined, maxMemory: number): { result: CheckResult; ms: number } {
  const describePosition = (p: number): string => `line ${l.parsed.lines[p] ?? '?'}`;
  const t0 = performance.now();
  try {
    // A person reads the explanation: spend more on a small failing core than a checker inside a fuzz run would.
    const model: Model<unknown> = models[l.model];
    const result = checkHistory(l.parsed.history, model, { describePosition, coreSteps: 500_000, maxMemory, ...(maxSteps !== undefined ? { maxSteps } : {}) });
    return { result, ms: performance.now() - t0 };
  } catch (err) {
    if (err instanceof HistoryError) throw new InputError(err.message, l.file, describePosition(err.position));
    throw err;
  }
}

/** Why the verdict is unknown, in one line: which partitions ran out of which budget. */
function undecidedText(result: CheckResult): string {
  const u = result.undecided;
  const first = u[0]!;
  const what = (x: (typeof u)[number]) => `${x.partition === '' ? 'the history' : `key ${JSON.stringify(x.partition)}`} (${plural(x.operations, 'op')}: ${x.steps} steps, ~${Math.ceil(x.bytes / 1e6)} MB explored)`;
  const more = u.length > 1 ? ` and ${u.length - 1} more partition${u.length === 2 ? '' : 's'}` : '';
  const raise = first.reason === 'memory' ? '--max-memory' : '--max-steps';
  return `the ${first.reason === 'memory' ? 'memory' : 'step'} budget ran out on ${what(first)}${more}; raise ${raise} to decide`;
}

/** Warnings about what a file holds besides its operations (stderr, never a changed verdict). */
function notes(l: Loaded): string[] {
  const out: string[] = [];
  const ops = l.parsed.history.filter((e) => e.type === 'invoke').length;
  const t = l.parsed.trace;
  if (t?.cutLine !== undefined) out.push(`the trace is truncated: line ${t.cutLine} is cut off mid-line; ${ops === 0 ? 'no client operations before it: nothing was checked' : 'only the operations before it were checked'}`);
  else if (ops === 0) out.push(t && !t.complete ? 'no client operations, and the trace has no footer (truncated?): nothing was checked' : 'no client operations: nothing was checked');
  else if (t && !t.complete) out.push('the trace has no footer (truncated or interrupted run): only the operations it holds were checked');
  if (t?.warnings) out.push(...t.warnings);
  if (t && t.violations.length > 0) {
    const names = [...new Set(t.violations.map((v) => v.checker))];
    out.push(`the run recorded ${plural(t.violations.length, 'violation')} of other properties (${names.join(', ')}): "${t.violations[0]!.message.slice(0, 160)}"; this command checks linearizability only`);
  }
  return out;
}

export function registerCheck(program: Command): void {
  program
    .command('check')
    .description('check history files for linearizability; exit 0 if all are linearizable, 1 if any is not or is undecided, 2 for a bad file')
    .argument('<file...>', 'history files: Jepsen etcd logs, Jepsen/Knossos EDN histories (incl. key-value), or Faultline traces')
    .option('--format <format>', `history format: ${historyFormats.join(', ')} (default: guessed from the first line; kv is edn)`)
    .option('--model <model>', `sequential model: ${Object.keys(models).join(', ')} (default: from the format, or guessed from the operation names)`)
    .option('--max-steps <n>', 'search budget per partition (key) in model steps; when exhausted the verdict is unknown (default: unlimited)')
    .option('--max-memory <MB>', 'memory budget per partition in MB (estimated size of the search table); when exhausted the verdict is unknown', '512')
    .option('--json', 'print one JSON line per file: {"file","verdict":"linearizable"|"not-linearizable"|"unknown","linearizable":true|false|null (unknown),"ms",...}')
    .option('--brief', 'do not explain non-linearizable histories')
    .action(async (files: string[], opts: CheckOpts) => {
      if (opts.format !== undefined && !historyFormats.includes(opts.format as HistoryFormat))
        throw new InputError(`--format: expected one of ${historyFormats.join(', ')} (got ${JSON.stringify(opts.format)})`);
      if (opts.model !== undefined && !Object.hasOwn(models, opts.model)) throw new InputError(`--model: expected one of ${Object.keys(models).join(', ')} (got ${JSON.stringify(opts.model)})`);
      let maxSteps: number | undefined;
      if (opts.maxSteps !== undefined) {
        maxSteps = Number(opts.maxSteps.replace(/_/g, ''));
        if (!/^\s*[\d_]+\s*$/.test(opts.maxSteps) || !Number.isSafeInteger(maxSteps) || maxSteps <= 0) throw new InputError(`--max-steps: expected a positive integer (got ${JSON.stringify(opts.maxSteps)})`);
      }
      const mb = Number(String(opts.maxMemory ?? '512').replace(/_/g, ''));
      if (!/^\s*[\d_]+(\.\d+)?\s*$/.test(String(opts.maxMemory ?? '512')) || !(mb > 0) || mb > 1e7) throw new InputError(`--max-memory: expected a positive number of MB (got ${JSON.stringify(opts.maxMemory)})`);
      const maxMemory = mb * 1e6;
      const loaded: Loaded[] = [];
      for (const f of files) loaded.push(await load(f, opts));
      let allLinearizable = true;
      for (const l of loaded) {
        const { result, ms } = check(l, maxSteps, maxMemory);
        allLinearizable &&= result.verdict === 'linearizable';
        const warnings = notes(l);
        const skipped = Object.entries(l.parsed.skipped ?? {});
        if (opts.json) {
          const line: Record<string, unknown> = { file: l.file, verdict: result.verdict, linearizable: result.verdict === 'unknown' ? null : result.verdict === 'linearizable', ms: +ms.toFixed(3), model: l.model, operations: result.operations, partitions: result.partitions, steps: result.steps };
          if (skipped.length > 0) line.skipped = Object.fromEntries(skipped);
          if (result.verdict === 'unknown') line.undecided = result.undecided;
          if (result.failure) line.partition = result.failure.partition;
          if (warnings.length > 0) line.warnings = warnings;
          process.stdout.write(JSON.stringify(line) + '\n');
          continue;
        }
        for (const w of warnings) printWarning(l.file, w);
        const verdict = result.verdict === 'linearizable' ? 'linearizable' : result.verdict === 'unknown' ? `unknown (${result.undecided[0]?.reason === 'memory' ? 'memory' : 'search'} budget exhausted)` : 'not linearizable';
        const skip = skipped.length > 0 ? `, ${skipped.map(([p, n]) => `${n} ${p} op${n === 1 ? '' : 's'} skipped`).join(', ')}` : '';
        const detail = `${result.operations} ops, ${result.partitions} key${result.partitions === 1 ? '' : 's'}, ${result.steps} steps, ${l.model} model${skip}`;
        process.stdout.write(`${l.file}: ${verdict} (${formatWall(ms / 1000)}; ${detail})\n`);
        if (result.verdict === 'unknown') process.stdout.write(`    not decided: ${undecidedText(result)}\n`);
        if (result.failure && !opts.brief) process.stdout.write(result.failure.explanation.replace(/^/gm, '    ') + '\n');
      }
      process.exitCode = allLinearizable ? 0 : 1;
    });
}
