// faultline replay <trace> [--json]: re-run a trace from its header and check
// that the new trace hash equals the recorded one. Exit 0 when it does, 1 with
// the first differing line when not, 2 for a malformed or truncated trace,
// 130/143 when interrupted (Ctrl-C / SIGTERM; see ../interrupt.ts). A trace
// recorded by an interrupted run is replayed up to the same step. The file is
// streamed twice (checked line by line, then compared as the replay writes),
// so a trace of any size replays in memory bounded by its longest line.

import type { Command } from 'commander';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { InputError } from '../../scenario/errors.ts';
import { replayRecordedInterruptible, type RecordedLines, type ReplayResult } from '../../fuzz/replay.ts';
import { plain, stdoutColours, type Colours } from '../colour.ts';
import { SIGNAL_EXIT, withInterrupts } from '../interrupt.ts';
import { loadTraceProtocol } from '../protocol-modules.ts';
import { formatViolations } from '../summary.ts';
import { readTraceFile } from './view.ts';

/** Traces longer than this (lines) get a note on stderr when their replay starts. */
const LONG_REPLAY_LINES = 200_000;

/** A file's lines in order, read 1 MB at a time as they are asked for (synchronously: the replay's sink is). */
class FileLines implements RecordedLines {
  private readonly fd: number;
  private readonly buf = Buffer.alloc(1 << 20);
  private readonly decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  private text = '';
  private pos = 0;
  private eof = false;
  constructor(file: string) {
    this.fd = openSync(file, 'r');
  }
  next(): string | undefined {
    for (;;) {
      const nl = this.text.indexOf('\n', this.pos);
      if (nl >= 0) {
        const line = this.text.slice(this.pos, nl);
        this.pos = nl + 1;
        return line;
      }
      if (this.eof) {
        if (this.pos >= this.text.length) return undefined;
        const line = this.text.slice(this.pos);
        this.pos = this.text.length;
        return line;
      }
      const n = readSync(this.fd, this.buf, 0, this.buf.length, null);
      this.text = this.text.slice(this.pos) + (n > 0 ? this.decoder.decode(this.buf.subarray(0, n), { stream: true }) : this.decoder.decode());
      this.pos = 0;
      if (n === 0) this.eof = true;
    }
  }
  close(): void {
    closeSync(this.fd);
  }
}

function clip(line: string | undefined): string {
  if (line === undefined) return '(nothing: the trace ends before this line)';
  return line.length > 300 ? `${line.slice(0, 297)}...` : line;
}

/**
 * The human summary of a replay. `recordedEvents` (the trace file's event count) is said beside the
 * replayed count when they differ (a replay that stopped at the first difference ran fewer).
 */
export function formatReplay(file: string, r: ReplayResult, c: Colours = plain, recordedEvents?: number): string[] {
  const counts = recordedEvents === undefined || recordedEvents === r.events ? `${r.events} events replayed` : `${r.events} events replayed of the ${recordedEvents} recorded`;
  const out = [`replay      ${file}: ${r.scenario.name} (${r.scenario.protocol}), seed ${r.seed}, ${counts}`, ...formatViolations(r.violations, c)];
  if (r.identical) {
    out.push(`hash        ${r.replayedHash} ${c.green('matches')} the recorded hash: the run replays exactly`);
    return out;
  }
  out.push(`hash        replayed ${r.replayedHash}, recorded ${r.recordedHash}: ${r.replayedHash === r.recordedHash ? 'same hash, but the file differs' : c.red('DIFFERENT')}`);
  const d = r.difference;
  if (d) {
    out.push(`first difference at line ${d.line} (${d.what}):`, `  recorded  ${clip(d.recorded)}`, `  replayed  ${clip(d.replayed)}`);
  }
  return out;
}

/**
 * `--project DIR` must name an existing folder, whatever protocol the trace names (a typo was
 * silently ignored for a built-in protocol's trace, and reported as "not in the project" for a
 * user's): bad input, one line, exit 2, before the trace is read.
 * @throws InputError when DIR does not exist or is not a folder
 */
export function checkProjectFolder(dir: string): void {
  let isDir: boolean;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    throw new InputError('expected an existing project folder (no such folder)', dir, '--project');
  }
  if (!isDir) throw new InputError('expected a project folder, got a file', dir, '--project');
}

export function registerReplay(program: Command): void {
  program
    .command('replay')
    .description('re-run a trace from its header and check the new trace hash equals the recorded one (exit 0), else exit 1 with the first difference')
    .argument('<trace>', 'a trace file (JSON Lines) written by faultline run or faultline fuzz')
    .option('--json', 'print one JSON line')
    .option('--project <dir>', "the project whose protocol module a user protocol's trace names (default: found from the trace's folder or the working folder)")
    .action(async (file: string, opts: { json?: boolean; project?: string }) =>
      withInterrupts(async (interrupts) => {
        if (opts.project !== undefined) checkProjectFolder(opts.project);
        const summary = await readTraceFile(file);
        // A long replay says so on stderr (stdout keeps only the result).
        if (summary.lines > LONG_REPLAY_LINES) process.stderr.write(`replay: re-running a trace of more than ${LONG_REPLAY_LINES} events (Ctrl-C stops it)\n`);
        await loadTraceProtocol(JSON.stringify(summary.header), file, opts.project); // a user's protocol, named by its module path
        const recorded = new FileLines(file);
        let r;
        try {
          r = await replayRecordedInterruptible(summary, recorded, file, interrupts.poll);
        } finally {
          recorded.close();
        }
        const interrupted = r.interrupted ? (interrupts.signal ?? 'SIGINT') : null;
        if (opts.json) {
          process.stdout.write(
            JSON.stringify({ file, scenario: r.scenario.name, seed: r.seed, identical: r.identical, recordedHash: r.recordedHash, replayedHash: r.replayedHash, difference: r.difference ?? null, violations: r.violations, interrupted, stoppedAtDifference: r.stoppedAtDifference }) + '\n',
          );
        } else if (interrupted) {
          process.stdout.write(`replay      ${file}: ${r.scenario.name} (${r.scenario.protocol}), seed ${r.seed}: interrupted by ${interrupted} after ${r.events} events; not compared\n`);
        } else {
          const lines = formatReplay(file, r, stdoutColours(), summary.events);
          if (r.stoppedAtDifference) lines.push('(the replay stopped soon after the first difference; its hash covers the part that ran)');
          process.stdout.write(lines.join('\n') + '\n');
        }
        process.exitCode = interrupted ? SIGNAL_EXIT[interrupted] : r.identical ? 0 : 1;
      }),
    );
}
