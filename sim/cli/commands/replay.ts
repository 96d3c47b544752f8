// faultline replay <trace> [--json]: re-run a trace from its header and check
// that the new trace hash equals the recorded one. Exit 0 when it does, 1 with
// the first differing line when not, 2 for a malformed or truncated trace.

import type { Command } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { replayTrace, type ReplayResult } from '../../fuzz/replay.ts';
import { InputError } from '../../scenario/errors.ts';
import { formatViolations } from '../summary.ts';

function clip(line: string | undefined): string {
  if (line === undefined) return '(nothing: the trace ends before this line)';
  return line.length > 300 ? `${line.slice(0, 297)}...` : line;
}

export function formatReplay(file: string, r: ReplayResult): string[] {
  const out = [`replay      ${file}: ${r.scenario.name} (${r.scenario.protocol}), seed ${r.seed}, ${r.events} events`, ...formatViolations(r.violations)];
  if (r.identical) {
    out.push(`hash        ${r.replayedHash} matches the recorded hash: the run replays exactly`);
    return out;
  }
  out.push(`hash        replayed ${r.replayedHash}, recorded ${r.recordedHash}: ${r.replayedHash === r.recordedHash ? 'same hash, but the file differs' : 'DIFFERENT'}`);
  const d = r.difference;
  if (d) {
    out.push(`first difference at line ${d.line} (${d.what}):`, `  recorded  ${clip(d.recorded)}`, `  replayed  ${clip(d.replayed)}`);
  }
  return out;
}

export function registerReplay(program: Command): void {
  program
    .command('replay')
    .description('re-run a trace from its header and check the new trace hash equals the recorded one (exit 0), else exit 1 with the first difference')
    .argument('<trace>', 'a trace file (JSON Lines) written by faultline run or faultline fuzz')
    .option('--json', 'print one JSON line')
    .action((file: string, opts: { json?: boolean }) => {
      if (!existsSync(file)) throw new InputError('no such trace file', file);
      const r = replayTrace(readFileSync(file, 'utf8'), file);
      if (opts.json) {
        process.stdout.write(
          JSON.stringify({ file, scenario: r.scenario.name, seed: r.seed, identical: r.identical, recordedHash: r.recordedHash, replayedHash: r.replayedHash, difference: r.difference ?? null, violations: r.violations }) + '\n',
        );
      } else {
        process.stdout.write(formatReplay(file, r).join('\n') + '\n');
      }
      process.exitCode = r.identical ? 0 : 1;
    });
}
