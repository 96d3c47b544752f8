// The viewer's load path in Node: parse a ~100,000-event trace (with hash
// verification), build the model, export for Perfetto. Baseline in the same
// process: the least any reader must do, JSON.parse of every line. The figures
// for the page itself (parse + model + first canvas draw in headless Chromium,
// cursor step time) come from test/ui/viewer.e2e.test.ts, written to
// test-results/viewer-scale.json.

import { MemorySink } from '../engine/trace.ts';
import { toChromeTrace } from '../trace/chrome.ts';
import { buildModel } from '../trace/model.ts';
import { parseTrace } from '../trace/parse.ts';
import { positiveInt, type BenchCase } from './case.ts';
import { runPingpong } from './pingpong.ts';

function best(runs: number, fn: () => void): number {
  let b = Infinity;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    b = Math.min(b, performance.now() - t0);
  }
  return b;
}

export const viewerBench: BenchCase = {
  name: 'viewer',
  description: 'viewer load path on a ~100k-event pingpong trace: parse + hash check, model, Chrome export; baseline: JSON.parse of each line',
  run(opts) {
    const deliveries = positiveInt(opts.deliveries, 'deliveries', 50_000);
    const runs = positiveInt(opts.runs, 'runs', 3);
    const sink = new MemorySink();
    runPingpong({ deliveries, trace: sink });
    const text = sink.text();
    let events = 0;
    const baseline = best(runs, () => {
      for (const line of text.split('\n')) if (line) JSON.parse(line);
    });
    const parse = best(runs, () => {
      events = parseTrace(text, { verifyHash: true }).events.length;
    });
    const parsed = parseTrace(text);
    const model = best(runs, () => void buildModel(parsed));
    const m = buildModel(parsed);
    const chrome = best(runs, () => void JSON.stringify(toChromeTrace(m)));
    return {
      events,
      trace_mb: +(text.length / 1e6).toFixed(1),
      baseline_json_parse_ms: +baseline.toFixed(1),
      parse_and_verify_ms: +parse.toFixed(1),
      model_ms: +model.toFixed(1),
      chrome_export_ms: +chrome.toFixed(1),
      load_vs_baseline: +((parse + model) / baseline).toFixed(2),
    };
  },
};
