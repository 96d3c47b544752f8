// Replay: re-run a trace's scenario from its header (which holds the fully
// resolved scenario and the seed) and compare the new trace with the recorded
// one, line by line. Pure: it takes the file's text; the CLI reads the file.

import type { TraceSink } from '../engine/trace.ts';
import type { JsonValue, TraceFooter, TraceHeader, Violation } from '../engine/types.ts';
import { InputError } from '../scenario/errors.ts';
import type { RunResult } from '../engine/simulation.ts';
import { parseScenario, prepareRun, type PreparedRun } from '../scenario/resolve.ts';
import { runPrepared, runPreparedInterruptible } from '../scenario/run.ts';
import type { Scenario } from '../scenario/schema.ts';
import { parseTrace } from '../trace/parse.ts';

export interface ReplayDifference {
  /** 1-based line of the trace file. */
  line: number;
  /** What the line is: "header", "event #12" or "end line". */
  what: string;
  recorded: string | undefined;
  replayed: string | undefined;
}

export interface ReplayResult {
  scenario: Scenario;
  seed: string;
  recordedHash: string;
  replayedHash: string;
  /** Same hash and same bytes. */
  identical: boolean;
  /** First line where the replay differs from the file (undefined when identical). */
  difference: ReplayDifference | undefined;
  violations: Violation[];
  events: number;
}

/** The recorded trace's lines in order (without "\n"), undefined after the last: a file of any size read as the replay goes. */
export interface RecordedLines {
  next(): string | undefined;
}

/** Compares the replayed trace with the recorded lines as it is written, keeping only the first difference. */
class ComparingSink implements TraceSink {
  private line = 0;
  private rest = '';
  first: ReplayDifference | undefined;
  constructor(private readonly source: RecordedLines) {}

  write(chunk: string): void {
    const parts = (this.rest + chunk).split('\n');
    this.rest = parts.pop() ?? '';
    for (const p of parts) this.compare(p);
  }

  private compare(replayed: string): void {
    const i = this.line++;
    if (this.first) return;
    const recorded = this.source.next();
    if (recorded !== replayed) this.first = { line: i + 1, what: describeLine(i, replayed ?? recorded), recorded, replayed };
  }

  /** After the run: a recorded file longer than the replay differs at the first extra line. */
  finish(): void {
    const extra = this.first ? undefined : this.source.next();
    if (extra !== undefined) {
      const i = this.line;
      this.first = { line: i + 1, what: describeLine(i, extra), recorded: extra, replayed: undefined };
    }
  }
}

function describeLine(index: number, text: string | undefined): string {
  if (index === 0) return 'header';
  if (text?.startsWith('{"type":"end"')) return 'end line';
  return `event #${index - 1}`;
}

/** Re-run the trace in `text` (from `file`, for messages). Throws InputError for a malformed or truncated trace. */
export function replayTrace(text: string, file?: string): ReplayResult {
  const r = startReplay(text, file);
  if (r.recordedSteps !== undefined) throw new InputError('the trace was interrupted; replay it with replayTraceInterruptible', file);
  return endReplay(r, runPrepared(r.prepared, { trace: r.sink }));
}

/**
 * replayTrace for the CLI: awaits `poll()` every 1024 steps and stops when it gives true
 * (`interrupted` then; the comparison covers only what ran). A trace whose footer says
 * `interrupted: true` is replayed up to the same step, and interrupted there the same way.
 * The replay also stops soon after the first difference (`stoppedAtDifference`; `replayedHash`
 * is then the hash of the part that ran), so an edited or corrupted trace never makes it run
 * much longer than the recording.
 */
export async function replayTraceInterruptible(
  text: string,
  file: string | undefined,
  poll: () => boolean | Promise<boolean>,
): Promise<ReplayResult & { interrupted: boolean; stoppedAtDifference: boolean }> {
  return replayStarted(startReplay(text, file), poll);
}

async function replayStarted(r: StartedReplay, poll: () => boolean | Promise<boolean>): Promise<ReplayResult & { interrupted: boolean; stoppedAtDifference: boolean }> {
  const stopAt = r.recordedSteps;
  let byPoll = false;
  let atDifference = false;
  const result = await runPreparedInterruptible(
    r.prepared,
    async (steps) => (stopAt !== undefined && steps >= stopAt) || (atDifference = r.sink.first !== undefined) || (byPoll = await poll()),
    { trace: r.sink, every: (steps) => (stopAt !== undefined && stopAt > steps ? Math.min(1024, stopAt - steps) : 1024) },
  );
  return { ...endReplay(r, result), interrupted: byPoll, stoppedAtDifference: atDifference };
}

interface StartedReplay {
  scenario: Scenario;
  prepared: PreparedRun;
  sink: ComparingSink;
  recordedHash: string;
  /** Steps of an interrupted recording (undefined for a complete one). */
  recordedSteps: number | undefined;
}

function startReplay(text: string, file: string | undefined): StartedReplay {
  const parsed = parseTrace(text, { ...(file !== undefined ? { file } : {}), verifyHash: false });
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  let next = 0;
  return startRecorded({ ...parsed, lines: lines.length }, { next: () => lines[next++] }, file);
}

/** What a first (streaming) read of a trace file found: see TraceReader's summary. */
export interface RecordedTrace {
  header: TraceHeader;
  footer: TraceFooter | undefined;
  warnings: string[];
  /** Lines in the file. */
  lines: number;
}

/**
 * replayTraceInterruptible for a trace file of any size: `trace` from a first streaming read
 * (readTrace), `recorded` its lines read again as the replay goes.
 */
export async function replayRecordedInterruptible(trace: RecordedTrace, recorded: RecordedLines, file: string | undefined, poll: () => boolean | Promise<boolean>): Promise<ReplayResult & { interrupted: boolean; stoppedAtDifference: boolean }> {
  return replayStarted(startRecorded(trace, recorded, file), poll);
}

function startRecorded(parsed: RecordedTrace, recorded: RecordedLines, file: string | undefined): StartedReplay {
  if (!parsed.footer) {
    const lineCount = parsed.lines;
    // Not the reader's warning as is: it is the viewer's ("showing the N events"), and a replay shows none.
    const cut = parsed.warnings.some((w) => w.includes('cut off mid-line')) ? `line ${lineCount} is cut off mid-line and there is no end line` : 'it has no end line';
    throw new InputError(`the trace is truncated: ${cut}, and a replay needs the recorded hash on it, so nothing was replayed (faultline view shows the events before the cut)`, file, `line ${lineCount}`);
  }
  let scenario: Scenario;
  try {
    scenario = parseScenario(parsed.header.config as JsonValue, file);
  } catch (err) {
    if (err instanceof InputError) throw new InputError(`the header's scenario is not valid: ${err.message}`, file, `line 1: config.${err.where ?? ''}`);
    throw err;
  }
  const prepared = prepareRun(scenario, { seed: parsed.header.seed, ...(file !== undefined ? { file } : {}) });
  const sink = new ComparingSink(recorded);
  const steps = parsed.footer.stats.steps;
  const recordedSteps = parsed.footer.interrupted === true && typeof steps === 'number' ? steps : undefined;
  return { scenario, prepared, sink, recordedHash: parsed.footer.hash, recordedSteps };
}

function endReplay({ scenario, prepared, sink, recordedHash }: StartedReplay, result: RunResult): ReplayResult {
  sink.finish();
  const replayedHash = result.hash ?? '';
  const identical = replayedHash === recordedHash && sink.first === undefined;
  return {
    scenario,
    seed: prepared.seed,
    recordedHash,
    replayedHash,
    identical,
    difference: sink.first,
    violations: result.violations,
    events: result.stats.events,
  };
}
