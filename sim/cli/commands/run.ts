// faultline run <scenario> [--seed S] [--trace FILE] [--no-trace] [--json]

import type { Command } from 'commander';
import { performance } from 'node:perf_hooks';
import { prepareRun } from '../../scenario/resolve.ts';
import { runPrepared, type ScenarioResult } from '../../scenario/run.ts';
import { loadScenario } from '../scenarios.ts';
import { withTraceFile } from '../file-sink.ts';
import { formatStats, formatViolations, formatWarnings } from '../summary.ts';

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('run a scenario, print a summary; exit 0 if its expected outcome held, 1 if not, 2 for bad input')
    .argument('<scenario>', 'scenario file (.ts or .json) or the name of one in scenarios/')
    .option('--seed <seed>', 'override the scenario seed')
    .option('--trace <file>', 'write the trace (JSON Lines) to this file')
    .option('--json', 'print one JSON line instead of the summary')
    .action(async (ref: string, opts: { seed?: string; trace?: string; json?: boolean }) => {
      const { file, scenario } = await loadScenario(ref);
      const prepared = prepareRun(scenario, { file, ...(opts.seed !== undefined ? { seed: opts.seed } : {}) });
      const t0 = performance.now();
      const result: ScenarioResult = opts.trace
        ? withTraceFile(opts.trace, (sink) => runPrepared(prepared, { trace: sink }))
        : runPrepared(prepared);
      const wall = (performance.now() - t0) / 1000;
      if (opts.json) {
        process.stdout.write(
          JSON.stringify({
            scenario: scenario.name,
            seed: prepared.seed,
            held: result.expectation.held,
            hash: result.hash,
            violations: result.violations,
            warnings: result.warnings,
            stats: result.stats,
            wall_s: wall,
            trace: opts.trace ?? null,
          }) + '\n',
        );
      } else {
        const lines = [
          `scenario    ${scenario.name} (${scenario.protocol}), seed ${prepared.seed}: ${scenario.description}`,
          ...formatStats(result.stats),
          ...formatViolations(result.violations),
          ...formatWarnings(result.warnings),
          `wall time   ${wall.toFixed(3)} s`,
          `trace hash  ${result.hash}`,
        ];
        if (opts.trace) lines.push(`trace       ${opts.trace}   (view: npx faultline view ${opts.trace})`);
        lines.push(`expected    ${result.expectation.held ? 'HELD' : 'DID NOT HOLD'}: ${result.expectation.explanation}`);
        process.stdout.write(lines.join('\n') + '\n');
      }
      process.exitCode = result.expectation.held ? 0 : 1;
    });
}
