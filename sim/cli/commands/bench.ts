// faultline bench <name|all> [--deliveries N] [--trace FILE] [--json]
// Cases live in sim/bench/ (see sim/bench/index.ts).
//
// Interrupts: `bench pingpong --trace FILE` runs interruptibly (Ctrl-C / SIGTERM
// stop it within a moment, the trace is kept complete and marked interrupted,
// exit 130 / 143). The timed cases keep the default signal behaviour: they
// write no file, and a signal ends the process at once (the shell reports
// 130 / 143), which is what a user timing something expects.

import type { Command } from 'commander';
import { benchCases } from '../../bench/index.ts';
import type { BenchOptions } from '../../bench/case.ts';
import { pingpongSimulation } from '../../bench/pingpong.ts';
import { InputError } from '../../scenario/errors.ts';
import { withTraceFileAsync } from '../file-sink.ts';
import { SIGNAL_EXIT, withInterrupts } from '../interrupt.ts';
import { durationOptionText, parseOutputFile, parsePositiveIntText } from '../options.ts';
import { performance } from 'node:perf_hooks';

export function registerBench(program: Command): void {
  program
    .command('bench')
    .description(`run a benchmark: all, ${benchCases.map((c) => c.name).join(', ')}`)
    .argument('<name>', 'benchmark name, or "all"')
    .option('--deliveries <n>', 'pingpong: deliveries to run (default 1000000)', parsePositiveIntText)
    .option('--trace <file>', 'pingpong: stream the trace to this file (memory test)', parseOutputFile)
    .option('--runs <n>', 'cases that repeat: how many runs', parsePositiveIntText)
    .option('--families <list>', 'linearizability: comma-separated families (etcd,kv,kv-c50,gen-c50,gen-c100)')
    .option('--baseline-steps <n>', 'linearizability: step cap of the Porcupine-style baseline per history')
    .option('--json', 'print one JSON line per benchmark and nothing else')
    .option('--sizes <list>', 'viewer: trace sizes in events, comma-separated (default 100000,1000000)')
    .option('--chromium <path>', 'viewer: the Chromium to drive (default /usr/bin/chromium)')
    .option('--protocol <name>', 'viewer: the traces to measure, pingpong (default) or raft')
    .option('--task-cpu <on|off>', 'viewer: trace the page (CDP) for each task\'s thread CPU during the load (default on)')
    .option('--ui-dist <dir>', 'viewer: serve this viewer build instead of ui/dist (to compare two builds with one bench)')
    .option('--budget <duration>', 'search: time budget per campaign, with a unit (default 60s; a miss counts as the budget)', durationOptionText('--budget', { positive: true, examples: ['60s', '5m'] }))
    .option('--seeds <n>', 'search: campaign seeds per bug and strategy (default 3)')
    .option('--strategies <list>', 'search: only these strategies, comma-separated (default guided,targeted,random)')
    .option('--bug <names>', 'search: only these planted bugs (name, protocol.name or protocol; comma-separated)')
    .option('--quick', 'search: a 10 s budget per campaign')
    .option('--shrink <n>', 'search: also shrink each first failure (at most n runs) and report its fault count')
    .option('--clock <wall|cpu>', 'search: measure wall time (default) or this process\'s CPU time (steadier on a loaded machine)')
    .action(async (name: string, opts: BenchOptions) => {
      const selected = name === 'all' ? benchCases.filter((c) => !c.notInAll) : benchCases.filter((c) => c.name === name);
      if (selected.length === 0) throw new InputError(`unknown benchmark "${name}"; expected one of: all, ${benchCases.map((c) => c.name).join(', ')}`);
      if (typeof opts.trace === 'string' && !selected.some((c) => c.name === 'pingpong')) throw new InputError(`--trace applies to the pingpong benchmark only, not to ${name}`);
      for (const c of selected) {
        let figures: Record<string, unknown>;
        try {
          if (c.name === 'pingpong' && typeof opts.trace === 'string') {
            // Memory test: the trace streams to a file while the run goes on.
            const trace = opts.trace;
            const deliveries = Number(opts.deliveries ?? 1_000_000);
            const t0 = performance.now();
            const { r, signal } = await withInterrupts(async (interrupts) => ({
              r: await withTraceFileAsync(trace, (sink) => pingpongSimulation({ deliveries, trace: sink }).runInterruptible(Number.MAX_SAFE_INTEGER, async () => (await interrupts.poll()) || sink.failed !== undefined)),
              signal: interrupts.signal,
            }));
            const wall = (performance.now() - t0) / 1000;
            figures = { deliveries: r.stats.messages.delivered, wall_s: +wall.toFixed(3), rate: Math.round(r.stats.messages.delivered / wall), trace, max_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024) };
            if (r.end === 'interrupted') {
              figures.interrupted = signal ?? 'SIGINT';
              process.exitCode = SIGNAL_EXIT[signal ?? 'SIGINT'];
            }
          } else {
            figures = await c.run(opts);
          }
        } catch (err) {
          if (err instanceof RangeError) throw new InputError(err.message);
          throw err;
        }
        if (opts.json) process.stdout.write(JSON.stringify(figures) + '\n');
        else process.stdout.write(`${c.name}: ${c.description}\n${Object.entries(figures).map(([k, v]) => `  ${k.padEnd(24)} ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`).join('\n')}\n`);
        if (figures.interrupted !== undefined) return;
      }
    });
}
