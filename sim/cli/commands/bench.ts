// faultline bench <name|all> [--deliveries N] [--trace FILE] [--json]
// Cases live in sim/bench/ (see sim/bench/index.ts).

import type { Command } from 'commander';
import { benchCases } from '../../bench/index.ts';
import type { BenchOptions } from '../../bench/case.ts';
import { runPingpong } from '../../bench/pingpong.ts';
import { InputError } from '../../scenario/errors.ts';
import { withTraceFile } from '../file-sink.ts';
import { performance } from 'node:perf_hooks';

export function registerBench(program: Command): void {
  program
    .command('bench')
    .description(`run a benchmark: all, ${benchCases.map((c) => c.name).join(', ')}`)
    .argument('<name>', 'benchmark name, or "all"')
    .option('--deliveries <n>', 'pingpong: deliveries to run (default 1000000)')
    .option('--trace <file>', 'pingpong: stream the trace to this file (memory test)')
    .option('--runs <n>', 'cases that repeat: how many runs')
    .option('--families <list>', 'linearizability: comma-separated families (etcd,kv,kv-c50,gen-c50,gen-c100)')
    .option('--baseline-steps <n>', 'linearizability: step cap of the Porcupine-style baseline per history')
    .option('--json', 'print one JSON line per benchmark and nothing else')
    .action(async (name: string, opts: BenchOptions) => {
      const selected = name === 'all' ? benchCases : benchCases.filter((c) => c.name === name);
      if (selected.length === 0) throw new InputError(`unknown benchmark "${name}"; expected one of: all, ${benchCases.map((c) => c.name).join(', ')}`);
      for (const c of selected) {
        let figures: Record<string, unknown>;
        try {
          if (c.name === 'pingpong' && typeof opts.trace === 'string') {
            // Memory test: the trace streams to a file while the run goes on.
            const deliveries = Number(opts.deliveries ?? 1_000_000);
            const t0 = performance.now();
            const r = withTraceFile(opts.trace, (sink) => runPingpong({ deliveries, trace: sink }));
            const wall = (performance.now() - t0) / 1000;
            figures = { deliveries: r.stats.messages.delivered, wall_s: +wall.toFixed(3), rate: Math.round(r.stats.messages.delivered / wall), trace: opts.trace, max_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024) };
          } else {
            figures = await c.run(opts);
          }
        } catch (err) {
          if (err instanceof RangeError) throw new InputError(err.message);
          throw err;
        }
        if (opts.json) process.stdout.write(JSON.stringify(figures) + '\n');
        else process.stdout.write(`${c.name}: ${c.description}\n${Object.entries(figures).map(([k, v]) => `  ${k.padEnd(24)} ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`).join('\n')}\n`);
      }
    });
}
