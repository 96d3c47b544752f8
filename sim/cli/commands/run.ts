// faultline run <scenario> [--seed S] [--trace FILE] [--json]
// Ctrl-C / SIGTERM stop the run within a moment (see ../interrupt.ts): the
// summary says so, the trace (if asked for) is complete up to there and marked
// interrupted, and the exit code is 130 / 143.

import type { Command } from 'commander';
import { performance } from 'node:perf_hooks';
import { prepareRun } from '../../scenario/resolve.ts';
import { runPreparedInterruptible, type ScenarioResult } from '../../scenario/run.ts';
import { loadScenario } from '../scenarios.ts';
import { stdoutColours } from '../colour.ts';
import { withTraceFileAsync } from '../file-sink.ts';
import { releaseWarnings } from '../messages.ts';
import { SIGNAL_EXIT, withInterrupts } from '../interrupt.ts';
import { parseOutputFile, parseSeed } from '../options.ts';
import { formatStats, formatVerdict, formatViolations, formatNotJudged, formatWarnings } from '../summary.ts';
import { formatDuration, formatWall } from '../time-format.ts';

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('run a scenario, print a summary; exit 0 if its expected outcome held, 1 if not, 2 for bad input, 130/143 if interrupted')
    .argument('<scenario>', 'scenario file (.ts or .json) or the name of one in scenarios/')
    .option('--seed <seed>', 'override the scenario seed (any text; text that spells an integer is that integer: 042 is 42, as in fuzz)', parseSeed)
    .option('--trace <file>', 'write the trace (JSON Lines) to this file', parseOutputFile)
    .option('--json', 'print one JSON line instead of the summary')
    .action(async (ref: string, opts: { seed?: string; trace?: string; json?: boolean }) =>
      withInterrupts(async (interrupts) => {
        const { file, scenario } = await loadScenario(ref);
        // A signal while loading or preparing: stop before anything is written.
        if (interrupts.exitCode !== undefined) {
          process.exitCode = interrupts.exitCode;
          return;
        }
        const prepared = prepareRun(scenario, { file, ...(opts.seed !== undefined ? { seed: opts.seed } : {}) });
        releaseWarnings(); // the input is good: its warnings go before the run's output
        if (interrupts.exitCode !== undefined) {
          process.exitCode = interrupts.exitCode;
          return;
        }
        const t0 = performance.now();
        const trace = opts.trace;
        const result: ScenarioResult =
          trace !== undefined
            ? await withTraceFileAsync(trace, (sink) => runPreparedInterruptible(prepared, async () => (await interrupts.poll()) || sink.failed !== undefined, { trace: sink }))
            : await runPreparedInterruptible(prepared, interrupts.poll);
        const wall = (performance.now() - t0) / 1000;
        const interrupted = result.end === 'interrupted' ? (interrupts.signal ?? null) : null;
        if (opts.json) {
          process.stdout.write(
            JSON.stringify({
              scenario: scenario.name,
              seed: prepared.seed,
              held: result.expectation.held,
              hash: result.hash,
              violations: result.violations,
              warnings: result.warnings,
              notJudged: result.notJudged,
              stats: result.stats,
              wall_s: wall,
              trace: trace ?? null,
              interrupted,
            }) + '\n',
          );
        } else {
          const c = stdoutColours();
          const lines = [
            `scenario    ${c.bold(scenario.name)} (${scenario.protocol}), seed ${prepared.seed}: ${scenario.description}`,
            ...formatStats(result.stats),
            ...formatViolations(result.violations, c),
            ...formatWarnings(result.warnings, c),
            ...formatNotJudged(result.notJudged, c),
            `wall time   ${formatWall(wall)}`,
            `trace hash  ${result.hash}`,
          ];
          if (interrupted) lines.push(`interrupted ${c.yellow(`by ${interrupted} at virtual time ${formatDuration(result.stats.endTime)}, after ${result.stats.steps} steps; no final checks ran`)}`);
          if (trace !== undefined) lines.push(`trace       ${trace}   (${interrupted ? 'complete up to the interruption, marked interrupted; ' : ''}view: npx faultline view ${trace})`);
          lines.push(formatVerdict(result.expectation.held, result.expectation.explanation, interrupted !== null, c));
          process.stdout.write(lines.join('\n') + '\n');
        }
        process.exitCode = interrupted ? SIGNAL_EXIT[interrupted] : result.expectation.held ? 0 : 1;
      }),
    );
}
