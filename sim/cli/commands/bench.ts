// faultline bench <name>: engine and protocol benchmarks. Figures are reported
// next to a baseline measured in the same process, because wall time on a
// shared 2-core machine is noisy.

import type { Command } from 'commander';
import { performance } from 'node:perf_hooks';
import { runPingpong } from '../../bench/pingpong.ts';
import { InputError } from '../../scenario/errors.ts';
import { withTraceFile } from '../file-sink.ts';

export interface BenchCase {
  name: string;
  description: string;
  run(opts: Record<string, string | boolean | undefined>): Promise<Record<string, unknown>> | Record<string, unknown>;
}

const cases = new Map<string, BenchCase>();

export function addBench(c: BenchCase): void {
  cases.set(c.name, c);
}

function positiveInt(v: unknown, name: string, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(String(v).replace(/_/g, ''));
  if (!Number.isInteger(n) || n <= 0) throw new InputError(`expected a positive integer (got ${JSON.stringify(v)})`, undefined, `--${name}`);
  return n;
}

addBench({
  name: 'pingpong',
  description: 'engine reference workload: 5 nodes, 1000 tokens in flight, 1-10 ms latency, 1% loss with re-send',
  run(opts) {
    const deliveries = positiveInt(opts.deliveries, 'deliveries', 1_000_000);
    const t0 = performance.now();
    const result = opts.trace
      ? withTraceFile(String(opts.trace), (sink) => runPingpong({ deliveries, trace: sink }))
      : runPingpong({ deliveries });
    const wall = (performance.now() - t0) / 1000;
    const delivered = result.stats.messages.delivered;
    return { deliveries: delivered, wall_s: +wall.toFixed(4), rate: Math.round(delivered / wall), rss_mb: Math.round(process.memoryUsage().rss / 2 ** 20) };
  },
});

export function registerBench(program: Command): void {
  program
    .command('bench')
    .description(`run a benchmark: ${['all', ...cases.keys()].join(', ')}`)
    .argument('<name>', 'benchmark name, or "all"')
    .option('--deliveries <n>', 'pingpong: deliveries to run')
    .option('--trace <file>', 'pingpong: stream the trace to this file (memory test)')
    .option('--json', 'print one JSON line per benchmark and nothing else')
    .allowUnknownOption(false)
    .action(async (name: string, opts: Record<string, string | boolean | undefined>) => {
      const selected = name === 'all' ? [...cases.values()] : [cases.get(name)];
      if (selected[0] === undefined) throw new InputError(`unknown benchmark "${name}"; expected one of: all, ${[...cases.keys()].join(', ')}`, undefined, 'bench');
      for (const c of selected as BenchCase[]) {
        const figures = await c.run(opts);
        if (opts.json) process.stdout.write(JSON.stringify(figures) + '\n');
        else process.stdout.write(`${c.name}: ${c.description}\n${Object.entries(figures).map(([k, v]) => `  ${k.padEnd(22)} ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`).join('\n')}\n`);
      }
    });
}
