// `faultline bench viewer`: the viewer's floors, measured in headless
// Chromium (Debian's /usr/bin/chromium, or --chromium PATH, driven by
// playwright-core) on traces of a long run streamed to a temporary file, for
// each size in --sizes (default 100000,1000000 events). --protocol pingpong
// (default: the engine's reference workload, about 87 bytes an event) or raft
// (a 5-server Raft key-value store with 3 clients under a random nemesis for
// the whole run, the default scenario's, stopped at the requested number of
// events: about 320 bytes an event, as the traces of issue 15). Figures:
//
// - first_drawing_ms: page navigation to the first drawing of real events (the
//   viewer draws the events parsed so far while the rest loads, on the whole
//   run's axis, once they cover 5% of the run's time or number 50,000: see
//   ui/src/load/first-drawing.ts; first_drawing_events: how many were drawn
//   then, first_drawing_time_share: the share of the run's time they cover);
// - loaded_ms: page navigation to every event parsed and drawn (fetch, streaming
//   parse in the loader worker, columns, the complete model drawn); open_ms is
//   the same figure under its old name (it meant "first drawing" when the page
//   drew only once loaded); parse_ms / render_ms inside it;
// - baseline_fetch_text_ms: the least any loader must do, fetching the same
//   file as one string in the same page; open_vs_baseline is the ratio;
// - causal_ms: causal past of the last event (computed in the worker, until
//   the page has the marks); search_ms: a text search ("deliver #7") once the
//   indexer worker's search index and its filters are built (index_ms: its
//   CPU time on the index, built in parallel with the parse),
//   search_right_after_load_ms the same search issued right after the load,
//   while the background work runs (the last trigram filters, done
//   filters_after_open_ms after the first paint, filters_build_ms in all,
//   most while the trace loads; the settled searches wait for them, the lane
//   bands and the hash check:
//   the page's background work, sharing the cores), search_token_ms one the
//   raw line decides first ("7777"; see rawLineDecides in ui/src/store.ts; its
//   matches are deep inside published states, far apart): the first search of
//   the page once settled, also as search_token_first_ms, and the same search
//   twice more in search_token_settled_ms; search_scan_baseline_ms the same
//   search parsing every line (no index), in the same page (run last: its
//   garbage weighed on the searches after it), and search_vs_scan the ratio;
//   search_first_results_ms when the settled search's first matches arrived
//   (it streams them); causal_settled_ms a causal past once settled (of the
//   middle event; causal_ms is the first, of the last event, right after the
//   load);
// - bands_after_open_ms: a big trace's lane bands, computed after the first
//   paint by their own worker, arrive this long after it;
// - frame_ms: mean base redraw after a zoom or pan step (max in frame_max_ms),
//   at the whole-run window (density) and zoomed in;
// - longest_task_ms: the longest main-thread task during the load (Long Tasks API);
//   long_tasks_load how many tasks over 50 ms then, and long_tasks_load_list each one's duration with the
//   viewer's work inside it (its fl: User Timing measures, ui/src/perf.ts: partial, unpack-states, store,
//   panels-build, panels-update, legend, draw, bands-draw; none listed: the message's deserialization, the
//   module's evaluation, a diagram redraw on an animation frame or garbage collection); long_tasks_all the count
//   until the end of the measures (the searches, zooms and background arrivals included);
// - longest_task_cpu_ms, long_tasks_cpu_load, tasks_over_frame_cpu_load: the same tasks by their thread CPU time
//   (Chrome tracing over CDP during the load: the renderer main thread's RunTask events, task-cpu.ts): the longest,
//   how many over 50 ms and over a frame (16.7 ms) from navigation until the bench saw the page loaded;
//   longest_tasks_cpu_list the longest five as "cpu/wall ms@start [the largest work directly inside, ms]".
//   The page's own work whatever the machine's load (wall time on a loaded machine is mostly waiting for a core).
//   task_cpu_tracing says "on", or why the figures are "n/a" (tracing is off when the CDP session fails);
// - heap_mb: the page's JS heap after the load (CDP, after a GC), and
//   array_buffers_mb the ArrayBuffer memory (the columns) outside it.
//
// Figures are reported, not asserted: wall time on a shared machine is noisy.
// Each size's progress and figures also go to stderr as it goes.
// The Node side of the load path (reader vs JSON.parse) is in node_* figures.

import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TraceSink } from '../engine/trace.ts';
import { ensureViewerBuilt, readTraceFile, serveViewer } from '../cli/commands/view.ts';
import type { BenchCase } from './case.ts';
import { runPingpong } from './pingpong.ts';
import { prepareRun } from '../scenario/resolve.ts';
import type { Scenario } from '../scenario/schema.ts';
import { loadScenario } from '../cli/scenarios.ts';
import { runPreparedInterruptible } from '../scenario/run.ts';
import { formatCpuTasks, TASK_CPU_CATEGORIES, taskCpuFigures, type TraceEvent } from './task-cpu.ts';

/** Writes trace chunks to a file in 1 MB batches. */
class FileWriter implements TraceSink {
  private parts: string[] = [];
  private size = 0;
  bytes = 0;
  constructor(private readonly fd: number) {}
  write(chunk: string): void {
    this.parts.push(chunk);
    this.size += chunk.length;
    if (this.size > 1 << 20) this.flush();
  }
  flush(): void {
    if (this.parts.length === 0) return;
    this.bytes += writeSync(this.fd, this.parts.join(''));
    this.parts = [];
    this.size = 0;
  }
}

/** Write a pingpong run of about `events` events to `file`; returns its size in bytes. */
export function writePingpongTrace(file: string, events: number): number {
  const fd = openSync(file, 'w');
  try {
    const w = new FileWriter(fd);
    // Each delivery is a send and a deliver (or drop) event.
    runPingpong({ deliveries: Math.max(1, Math.round(events / 2)), trace: w });
    w.flush();
    return w.bytes;
  } finally {
    closeSync(fd);
  }
}

/**
 * The Raft trace of the viewer bench: the default scenario's store (5 servers, 3 clients,
 * snapshots every 50 entries) under its random nemesis (crashes, partitions, pauses, clock
 * faults, loss bursts) for the whole run, seed 1; deterministic.
 */
/** 1,200 simulated seconds (µs): room for about 2M events. */
const RAFT_TRACE_DURATION = 1_200_000_000;

export async function raftTraceScenario(): Promise<Scenario> {
  const { scenario: base } = await loadScenario('default', { quiet: true });
  const nemesis = base.faults.nemesis;
  if (!nemesis) throw new Error('the default scenario has no nemesis');
  return {
    ...base,
    name: 'viewer-bench-raft',
    description: 'the default scenario with its nemesis for the whole run (the viewer benchmark trace)',
    duration: RAFT_TRACE_DURATION,
    faults: { ...base.faults, nemesis: { ...nemesis, until: RAFT_TRACE_DURATION } },
  };
}

/**
 * Write the first `events` (about) events of the Raft bench run to `file`: the run is
 * stopped (interrupted, its footer says so) once the trace holds that many lines.
 * @returns the file's size in bytes
 */
export async function writeRaftTrace(file: string, events: number): Promise<number> {
  const fd = openSync(file, 'w');
  try {
    const w = new FileWriter(fd);
    let lines = 0;
    const counting = {
      write(chunk: string): void {
        for (let i = chunk.indexOf('\n'); i >= 0; i = chunk.indexOf('\n', i + 1)) lines++;
        w.write(chunk);
      },
    };
    const run = prepareRun(await raftTraceScenario());
    await runPreparedInterruptible(run, () => lines >= events, { trace: counting, every: 256 });
    w.flush();
    return w.bytes;
  } finally {
    closeSync(fd);
  }
}

type Page = import('playwright-core').Page;
type CDPSession = import('playwright-core').CDPSession;

/**
 * Chrome tracing of the page over a CDP session (its renderer main thread's tasks, for their thread CPU time:
 * task-cpu.ts). Never fails the bench: when the session or tracing cannot start or end, `off` says why and the
 * figures are "n/a".
 */
export class TaskCpuTracing {
  off: string | undefined;
  private cdp: CDPSession | undefined;
  private events: TraceEvent[] = [];
  private complete: Promise<unknown> | undefined;

  async start(page: Page): Promise<void> {
    try {
      const cdp = await page.context().newCDPSession(page);
      this.cdp = cdp;
      cdp.on('Tracing.dataCollected', (d) => {
        // Typed as string maps by playwright's protocol types; they are trace events (numbers where numbers).
        for (const e of d.value as unknown as TraceEvent[]) if (e.ph === 'M' || e.name === 'RunTask' || e.tdur !== undefined) this.events.push(e);
      });
      this.complete = new Promise((ok) => cdp.once('Tracing.tracingComplete', ok));
      await cdp.send('Tracing.start', { categories: TASK_CPU_CATEGORIES, transferMode: 'ReportEvents' });
    } catch (e) {
      this.off = `tracing did not start: ${e instanceof Error ? e.message : String(e)}`;
    }
  }

  /** Ends tracing; the events collected (undefined when off). */
  async stop(): Promise<TraceEvent[] | undefined> {
    if (this.off !== undefined || !this.cdp) return undefined;
    try {
      await this.cdp.send('Tracing.end');
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise((_, fail) => (timer = setTimeout(() => fail(new Error('no tracingComplete in 120 s')), 120_000)));
      await Promise.race([this.complete, timeout]).finally(() => clearTimeout(timer));
      await this.cdp.detach().catch(() => undefined);
      return this.events;
    } catch (e) {
      this.off = `tracing did not end: ${e instanceof Error ? e.message : String(e)}`;
      return undefined;
    }
  }
}

interface PageApi {
  __faultline?: { loaded?: string; firstDrawing?: { ms: number; events: number; runEndKnown: boolean; share?: number } };
}

/** Runs in the page after the load: causal past, search, frames, the fetch baseline. */
const PAGE_MEASURE = `(async () => {
  const f = window.__faultline;
  const s = f.store;
  const wait = (topic, done) => new Promise((ok) => { if (done()) ok(); else s.on(topic, () => done() && ok()); });
  const longestLoad = window.__longest || 0;
  let t = performance.now();
  s.causal = true;
  s.setCursor(s.model.count - 1);
  await wait('causal', () => s.causalMarks() !== undefined);
  const causal = performance.now() - t;
  let past = 0;
  for (const v of s.causalMarks()) past += v;
  s.causal = false;
  t = performance.now();
  s.setSearch('deliver #7');
  await wait('search', () => s.searchHits !== undefined || !(s.info && s.info.remote));
  const searchEarly = performance.now() - t;
  const indexedEarly = f.timings.indexMs !== undefined;
  s.setSearch('');
  const tw = performance.now();
  while (s.info && s.info.remote && f.timings.indexMs === undefined && performance.now() - tw < 300000) await new Promise((ok) => setTimeout(ok, 50));
  // Settled: the index's trigram filters too (built by the indexer worker after the first paint).
  while (s.info && s.info.remote && f.timings.filteredMs === undefined && performance.now() - tw < 300000) await new Promise((ok) => setTimeout(ok, 50));
  // And the loader's other work after the drawing (the lane bands' worker, the footer hash's check over every byte):
  // until it is done it shares the cores with the search (two on the bench machine), which then measured the
  // machine's contention rather than the search (Raft 1M: the token search 3.3 s while the hash check ran, 0.35 s after).
  while (s.info && s.info.remote && f.timings.bandsLater === 1 && f.timings.bandsMs === undefined && performance.now() - tw < 300000) await new Promise((ok) => setTimeout(ok, 50));
  while (s.info && s.info.remote && s.info.footer && f.timings.verifiedMs === undefined && performance.now() - tw < 300000) await new Promise((ok) => setTimeout(ok, 50));
  // The deep-state token search (the raw line decides it; its matches are inside published states, far apart), the
  // first after the load, then twice more: the first was the slow one (the page read every chunk between the rows).
  const token = async () => {
    const t = performance.now();
    s.setSearch('7777');
    await wait('search', () => s.searchHits !== undefined || !(s.info && s.info.remote));
    const ms = performance.now() - t;
    s.setSearch('');
    await new Promise((ok) => setTimeout(ok, 200));
    return ms;
  };
  const searchToken = await token();
  let tokenHits = 0;
  const tokenAgain = [await token(), await token()];
  t = performance.now();
  let searchFirst;
  const onPart = () => { if (searchFirst === undefined && s.searchSoFar && s.searchSoFar.found > 0) searchFirst = performance.now() - t; };
  s.on('search', onPart);
  s.setSearch('deliver #7');
  await wait('search', () => s.searchHits !== undefined || !(s.info && s.info.remote));
  const search = performance.now() - t;
  if (searchFirst === undefined) searchFirst = search;
  let hits = 0;
  for (const v of s.searchHits || []) hits += v;
  s.setSearch('7777');
  await wait('search', () => s.searchHits !== undefined || !(s.info && s.info.remote));
  for (const v of s.searchHits || []) tokenHits += v;
  s.setSearch('');
  // Causal past again, settled, of an event in the middle of the run.
  t = performance.now();
  s.causal = true;
  s.setCursor(Math.floor(s.model.count / 2));
  await wait('causal', () => s.causalMarks() !== undefined);
  const causalSettled = performance.now() - t;
  s.causal = false;
  // Baseline in the same page, last (it parses every line: garbage for the worker's next searches): the same search
  // parsing every line (no index), as before the index.
  t = performance.now();
  if (s.info && s.info.remote) await s.info.remote.search('deliver #7', true);
  const searchScan = performance.now() - t;
  s.setSearch('');
  const frames = [];
  const d = f.diagram;
  s.setWindow(s.model.startT, s.model.endT);
  d.draw();
  const aggregatedAtWhole = d.aggregated;
  for (let i = 0; i < 6; i++) { d.zoomBy(1.6); d.draw(); frames.push(d.lastDrawMs); }
  for (let i = 0; i < 6; i++) { d.zoomBy(1 / 1.6); d.draw(); frames.push(d.lastDrawMs); }
  const span = s.model.endT - s.model.startT;
  const w = span / 2000;
  for (let i = 0; i < 6; i++) { s.setWindow(s.model.startT + (i * span) / 7, s.model.startT + (i * span) / 7 + w); d.draw(); frames.push(d.lastDrawMs); }
  t = performance.now();
  const text = await (await fetch(new URLSearchParams(location.search).get('trace'))).text();
  const baseline = performance.now() - t;
  const tb = performance.now();
  while (s.info && s.info.remote && f.timings.bandsMs === undefined && performance.now() - tb < 5000) await new Promise((ok) => setTimeout(ok, 50));
  return { causal, causalSettled, past, searchEarly, indexedEarly, search, searchFirst, searchScan, hits, searchToken, tokenAgain, tokenHits, frames, aggregatedAtWhole, baseline, len: text.length, longestLoad, timings: f.timings };
})()`;

const LONG_TASKS = `window.__longest = 0;
window.__longTasks = [];
try {
  new PerformanceObserver((list) => { for (const e of list.getEntries()) { window.__longest = Math.max(window.__longest, e.duration); window.__longTasks.push([e.startTime, e.duration]); } }).observe({ type: 'longtask', buffered: true });
} catch (e) { /* no Long Tasks API */ }`;

/**
 * The page's long tasks (over 50 ms, Long Tasks API) so far, each with the viewer's work inside it (its \`fl:\`
 * User Timing measures, ui/src/perf.ts, and how long each took): "<ms>[<name> <ms>,…]" separated by spaces.
 */
const LONG_TASK_LIST = `(() => {
  const ms = performance.getEntriesByType('measure').filter((m) => m.name.startsWith('fl:'));
  return (window.__longTasks || []).map(([s, d]) => {
    const inside = ms.filter((m) => m.startTime >= s - 1 && m.startTime + m.duration <= s + d + 1).map((m) => m.name.slice(3) + ' ' + Math.round(m.duration));
    return Math.round(d) + '[' + inside.join(',') + ']';
  });
})()`;

async function measure(page: Page, url: string, name: string, taskCpu: boolean): Promise<Record<string, number | boolean | string>> {
  await page.addInitScript(LONG_TASKS);
  const tracing = new TaskCpuTracing();
  if (taskCpu) await tracing.start(page);
  else tracing.off = 'tracing off: --task-cpu off';
  const t0 = Date.now();
  await page.goto(url);
  await page.waitForFunction(() => (window as unknown as PageApi).__faultline?.firstDrawing !== undefined, undefined, { timeout: 600_000, polling: 20 });
  const firstDrawing = Date.now() - t0;
  await page.waitForFunction((n) => (window as unknown as PageApi).__faultline?.loaded === n, name, { timeout: 600_000, polling: 50 });
  const open = Date.now() - t0;
  // Until the bench saw the page loaded (polled every 50 ms): the tasks of the load, by thread CPU.
  const traced = await tracing.stop();
  const cpu = traced ? taskCpuFigures(traced) : undefined;
  /** The figures when the trace held thread CPU times (else each figure is "n/a"). */
  const cpuOn = cpu && cpu.tasksWithCpu > 0 ? cpu : undefined;
  const first = await page.evaluate(() => (window as unknown as PageApi).__faultline!.firstDrawing!);
  const loadTasks = (await page.evaluate(LONG_TASK_LIST)) as string[];
  // A string, not a function: the TypeScript loader would add helpers the page does not have.
  const r = (await page.evaluate(PAGE_MEASURE)) as { causal: number; causalSettled: number; past: number; searchEarly: number; indexedEarly: boolean; search: number; searchFirst: number; searchScan: number; hits: number; searchToken: number; tokenAgain: number[]; tokenHits: number; frames: number[]; aggregatedAtWhole: boolean; baseline: number; len: number; longestLoad: number; timings: Record<string, number> };
  // Settled (the measures ran after the load; the background work's arrivals, lane bands and hash check, are in it).
  const settledTasks = (await page.evaluate(LONG_TASK_LIST)) as string[];
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  const heap = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number; backingStorageSize?: number };
  const mean = r.frames.reduce((a, b) => a + b, 0) / r.frames.length;
  return {
    first_drawing_ms: firstDrawing,
    first_drawing_events: first.events,
    // The share of the run's time (from its first event to its end) the first drawing's events cover.
    first_drawing_time_share: first.share === undefined ? 'n/a' : +first.share.toFixed(3),
    first_drawing_axis_is_run: first.runEndKnown,
    loaded_ms: open,
    open_ms: open,
    parse_ms: Math.round(r.timings.parseMs ?? 0),
    // Inside parse_ms: when the loader worker had parsed the last line, and the indexer worker's time on the lines (in parallel).
    loader_streamed_ms: Math.round(r.timings.streamedMs ?? 0),
    indexer_ms: Math.round(r.timings.indexerMs ?? 0),
    indexer_gather_ms: Math.round(r.timings.gatherMs ?? 0),
    // From the loader posting the complete model to the page receiving it (the main thread's queue), and the page's
    // time on the drawings while loading (how many).
    model_wait_ms: r.timings.modelArrivedMs === undefined ? 'n/a' : Math.round(r.timings.modelArrivedMs - r.timings.modelPostedMs!),
    partial_draw_ms: Math.round(r.timings.partialDrawMs ?? 0),
    partial_drawings: r.timings.partials ?? 0,
    render_ms: Math.round(r.timings.renderMs ?? 0),
    // A big trace's lane bands arrive after the first paint (from navigation's first drawing: page time).
    bands_after_open_ms: r.timings.bandsMs === undefined ? 'n/a' : Math.round(r.timings.bandsMs - (r.timings.totalMs ?? 0)),
    // The search index's trigram filters, built by the indexer worker after the first paint (and its CPU time on them).
    filters_after_open_ms: r.timings.filteredMs === undefined ? 'n/a' : Math.round(r.timings.filteredMs - (r.timings.totalMs ?? 0)),
    filters_build_ms: r.timings.filterMs === undefined ? 'n/a' : Math.round(r.timings.filterMs),
    // The footer hash checked over every byte (after the first paint): fully loaded.
    hash_verified_after_open_ms: r.timings.verifiedMs === undefined ? 'n/a' : Math.round(r.timings.verifiedMs - (r.timings.totalMs ?? 0)),
    baseline_fetch_text_ms: Math.round(r.baseline),
    open_vs_baseline: +(open / Math.max(1, r.baseline)).toFixed(2),
    longest_task_ms: Math.round(r.longestLoad),
    // Main-thread tasks over 50 ms from navigation to loaded, and each with the viewer's work inside it (ms).
    long_tasks_load: loadTasks.length,
    long_tasks_load_list: loadTasks.join(' '),
    // The same until the end of the measures (the background work's arrivals too, and the measures' own: search, zoom).
    long_tasks_all: settledTasks.length,
    // Per task, its thread CPU time (Chrome tracing: the renderer main thread's RunTask events, tdur) from navigation
    // until loaded: the page's own work, whatever the machine's load (wall time is mostly waiting for a core there).
    task_cpu_tracing: cpu ? (cpu.tasksWithCpu > 0 ? 'on' : `no thread CPU in the trace (${cpu.tasks} tasks)`) : `off (${tracing.off ?? 'unknown'})`,
    longest_task_cpu_ms: cpuOn ? Math.round(cpuOn.longestCpuMs) : 'n/a',
    long_tasks_cpu_load: cpuOn ? cpuOn.over50 : 'n/a',
    tasks_over_frame_cpu_load: cpuOn ? cpuOn.overFrame : 'n/a',
    longest_tasks_cpu_list: cpuOn ? formatCpuTasks(cpuOn.longest) : 'n/a',
    // The first causal past after the load (of the last event), and one once settled (of the middle event).
    causal_ms: Math.round(r.causal),
    causal_settled_ms: Math.round(r.causalSettled),
    causal_past_events: r.past,
    search_right_after_load_ms: Math.round(r.searchEarly),
    index_complete_then: r.indexedEarly,
    index_ms: Math.round(r.timings.indexMs ?? 0),
    indexed_events: r.timings.indexedEvents ?? 0,
    search_ms: Math.round(r.search),
    search_first_results_ms: Math.round(r.searchFirst),
    search_scan_baseline_ms: Math.round(r.searchScan),
    search_vs_scan: +(r.search / Math.max(1, r.searchScan)).toFixed(2),
    search_hits: r.hits,
    // The first deep-state token search after the load (everything settled), and the two after it.
    search_token_ms: Math.round(r.searchToken),
    search_token_first_ms: Math.round(r.searchToken),
    search_token_settled_ms: r.tokenAgain.map((v) => Math.round(v)).join(' '),
    search_token_hits: r.tokenHits,
    frame_ms: +mean.toFixed(1),
    frame_max_ms: +Math.max(...r.frames).toFixed(1),
    frames_ms: r.frames.map((v) => Math.round(v)).join(' '),
    density_at_whole_run: r.aggregatedAtWhole,
    heap_mb: +(heap.usedSize / 1e6).toFixed(1),
    // The columns are typed arrays: their memory is ArrayBuffer backing store, outside the JS heap proper.
    array_buffers_mb: heap.backingStorageSize === undefined ? 'n/a' : +(heap.backingStorageSize / 1e6).toFixed(1),
  };
}

export const viewerBench: BenchCase = {
  name: 'viewer',
  description: 'viewer floors in headless Chromium on pingpong or Raft traces (--sizes 100000,1000000, --protocol pingpong|raft): open to first drawing and to fully loaded, causal past, search, pan/zoom frame, page heap; baseline: fetching the file as one string in the same page',
  async run(opts) {
    const sizes = String(opts.sizes ?? '100000,1000000')
      .split(',')
      .map((v) => Number(v.replace(/_/g, '')));
    if (sizes.some((n) => !Number.isInteger(n) || n <= 0)) throw new RangeError(`--sizes: expected positive integers separated by commas (got ${JSON.stringify(opts.sizes)})`);
    const protocol = String(opts.protocol ?? 'pingpong');
    if (protocol !== 'pingpong' && protocol !== 'raft') throw new RangeError(`--protocol: expected pingpong or raft (got ${JSON.stringify(opts.protocol)})`);
    const chromiumPath = typeof opts.chromium === 'string' ? opts.chromium : '/usr/bin/chromium';
    const taskCpu = String(opts.taskCpu ?? 'on');
    if (taskCpu !== 'on' && taskCpu !== 'off') throw new RangeError(`--task-cpu: expected on or off (got ${JSON.stringify(opts.taskCpu)})`);
    const uiDist = typeof opts.uiDist === 'string' ? opts.uiDist : undefined;
    const pw = await import('playwright-core').catch(() => undefined);
    if (!pw) throw new RangeError('faultline bench viewer needs playwright-core (a dev dependency): run npm install');
    if (uiDist === undefined) await ensureViewerBuilt();
    const dir = mkdtempSync(join(tmpdir(), 'faultline-bench-viewer-'));
    const browser = await pw.chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
    const out: Record<string, unknown> = {};
    try {
      for (const n of sizes) {
        const file = join(dir, `${protocol}-${n}.jsonl`);
        // As it goes, on stderr (stdout keeps the figures, one JSON line with --json).
        process.stderr.write(`viewer ${protocol} ${n}: writing the trace…\n`);
        let t = performance.now();
        const bytes = protocol === 'raft' ? await writeRaftTrace(file, n) : writePingpongTrace(file, n);
        const writeMs = performance.now() - t;
        // Node side: the streaming reader over the file, against JSON.parse of each line.
        t = performance.now();
        let events = 0;
        await readTraceFile(file, () => events++);
        const nodeRead = performance.now() - t;
        const server = await serveViewer({ trace: file, port: 0, ...(uiDist === undefined ? {} : { dist: uiDist }) });
        const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
        try {
          process.stderr.write(`viewer ${protocol} ${n}: ${(bytes / 1e6).toFixed(1)} MB written in ${(writeMs / 1000).toFixed(1)} s; opening it in Chromium…\n`);
          const fig = await measure(page, server.url, `${protocol}-${n}.jsonl`, taskCpu === 'on');
          out[`${n}`] = { events, trace_mb: +(bytes / 1e6).toFixed(1), write_ms: Math.round(writeMs), node_stream_read_ms: Math.round(nodeRead), ...fig };
          process.stderr.write(`viewer ${protocol} ${n}: ${JSON.stringify(out[`${n}`])}\n`);
        } finally {
          await page.close();
          await server.close();
          rmSync(file, { force: true });
        }
      }
    } finally {
      await browser.close();
      rmSync(dir, { recursive: true, force: true });
    }
    return out;
  },
};
