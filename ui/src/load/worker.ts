// The trace loader: a Web Worker that streams a trace (a Blob, or a URL read
// with fetch) line by line through the same reader as the CLI
// (sim/trace/reader.ts) into a columnar model (sim/trace/columns.ts), which it
// hands to the page (its typed arrays transferred, not copied). Each chunk it
// has split goes on (transferred) to the indexer worker (indexer.ts), which
// builds the search index and the packed published states on the other core
// meanwhile and gathers a fetched stream into a Blob (which the browser keeps
// outside the JS heap). The loader keeps the trace as that Blob plus each
// line's byte offset, and answers the page's questions from them: an event's
// details, the causal past of an event, the Perfetto export; a text search is
// relayed to the indexer. The page never holds the text; nothing here blocks
// the page.

import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import type { TraceEvent } from '../../../sim/engine/types.ts';
import { InputError } from '../../../sim/scenario/errors.ts';
import { toChromeTrace } from '../../../sim/trace/chrome.ts';
import { causalPastColumns, ColumnarBuilder, laneIndex, laneIndexTransferables, transferables, type CausalColumns, type ColumnarModel } from '../../../sim/trace/columns.ts';
import { buildModel } from '../../../sim/trace/model.ts';
import { LineSplitter, readTrace, TraceReader } from '../../../sim/trace/reader.ts';
import { packedTransferables, type PackedStates } from '../../../sim/trace/packed-states.ts';
import { endTimeOfTail, TAIL_BYTES } from '../../../sim/trace/tail.ts';
import { scanEventHead } from '../../../sim/trace/scan.ts';
import { firstDrawingReady } from './first-drawing.ts';
import { StatePacker } from './index-builder.ts';
import type { LaneBand } from '../panels/panel.ts';
import type { BandsRequest } from './bands.ts';
import { PROTOCOL_VIEWS } from '../panels/registry.ts';
import type { FromIndexer, FromLoader, LoadSource, ToIndexer, ToLoader } from './protocol.ts';
import { chunksOf, events, yieldToTasks } from './search.ts';

function post(msg: FromLoader, transfer: Transferable[] = []): void {
  (self as unknown as Worker).postMessage(msg, transfer);
}

/** What the worker keeps of the loaded trace. */
interface Loaded {
  blob: Blob;
  /** Byte offset of each line's start (header = line 0), then the end of the last line. */
  lineStart: Float64Array;
  lines: number;
  count: number;
  causal: CausalColumns;
  footerAt: number | undefined;
}

let loaded: Loaded | undefined;
/** Published states per `states` message. */
const STATES_PER_MESSAGE = 4096;
/**
 * Client operations a message (an `operations` message is received and decoded by the page as one task: 4,096 took
 * 40-116 ms of the page's main thread each at Raft 1M on a loaded machine, issue 15).
 */
const OPERATIONS_PER_MESSAGE = 1024;
/** Bumped at each open: background work for an older trace stops. */
let openGen = 0;

/** Questions from the page being answered: background work (the hash check) waits for them. */
let answering = 0;
let idle: (() => void)[] = [];
/** Resolves when no question from the page is being answered. */
function whenIdle(): Promise<void> {
  return answering === 0 ? Promise.resolve() : new Promise((ok) => idle.push(ok));
}
function doneAnswering(): void {
  if (--answering > 0) return;
  const waiting = idle;
  idle = [];
  for (const ok of waiting) ok();
}

/** Stop the indexer `w` (a load that failed). */
function stopIndexer(w: Worker): void {
  w.terminate();
  if (indexer === w) indexer = undefined;
}

/** The current trace's indexer (indexer.ts), which also answers its searches. */
let indexer: Worker | undefined;
/** Searches relayed to the indexer, by id: their replies end an `answering`. */
const relayed = new Set<number>();

/**
 * Start the indexer of a new trace (the previous one's stops); resolves with its `done` message once it has
 * been sent `end` and has finished, rejects if its script cannot run. Its search results are relayed to the page.
 */
function startIndexer(blob: Blob | undefined): { worker: Worker; done: Promise<Extract<FromIndexer, { kind: 'done' }>> } {
  indexer?.terminate();
  for (const id of relayed) {
    post({ kind: 'reply', id, error: 'superseded' });
    doneAnswering();
  }
  relayed.clear();
  const w = new Worker(new URL('./indexer.ts', import.meta.url), { type: 'module' });
  indexer = w;
  const done = new Promise<Extract<FromIndexer, { kind: 'done' }>>((ok, fail) => {
    // A script that cannot be fetched fails with no message: passed on as such (the page reloads if the viewer was rebuilt).
    w.onerror = (e) => fail(new Error(e.message ?? ''));
    w.onmessage = (e: MessageEvent<FromIndexer>) => {
      const m = e.data;
      if (m.kind === 'done') ok(m);
      else if (m.kind === 'searchHits') post(m, [m.seqs.buffer]);
      else if (m.kind === 'filtered') post(m);
      else {
        post(m, m.marks ? [m.marks.buffer] : []);
        if (relayed.delete(m.id)) doneAnswering();
      }
    };
  });
  w.postMessage({ kind: 'start', blob } satisfies ToIndexer);
  return { worker: w, done };
}

/**
 * The least time between two drawings of a trace still loading (`partial` messages, after the first: see
 * first-drawing.ts); each copies the columns so far and the page lays each out again (on the main thread, where the
 * complete model then waits its turn), so a drawing also waits until the events loaded have at least doubled since
 * the last one, and none comes after half the file (all the copies together are then at most the final columns).
 */
const PARTIAL_EVERY_MS = 1000;

/**
 * The run's end time (µs), read from the trace's end line in its last TAIL_BYTES (a Blob's slice, or an HTTP
 * Range request for a URL), so the first drawing has the whole run's time axis. Undefined when the server
 * ignores Range (answers 200: that body is cancelled) or the trace has no end line (truncated).
 */
async function runEnd(source: LoadSource): Promise<number | undefined> {
  try {
    if (source.kind === 'blob') {
      const size = source.blob.size;
      const from = Math.max(0, size - TAIL_BYTES);
      return endTimeOfTail(await source.blob.slice(from).text(), from === 0);
    }
    const res = await fetch(source.url, { headers: { range: `bytes=-${TAIL_BYTES}` } });
    if (res.status !== 206) {
      void res.body?.cancel();
      return undefined;
    }
    const whole = /^bytes 0-/.test(res.headers.get('content-range') ?? '');
    return endTimeOfTail(await res.text(), whole);
  } catch {
    return undefined;
  }
}

async function open(source: LoadSource, keepLimit: number): Promise<void> {
  const t0 = performance.now();
  const gen = ++openGen;
  bandsWorker?.terminate();
  bandsWorker = undefined;
  // Asked for while the stream starts: `null` until it answers (no drawing until then, so the axis never rescales).
  let end: number | undefined | null = null;
  void runEnd(source).then((t) => (end = t));
  let stream: ReadableStream<Uint8Array>;
  let total: number | undefined;
  let blob: Blob | undefined;
  if (source.kind === 'blob') {
    blob = source.blob;
    total = blob.size;
    stream = blob.stream();
  } else {
    let res: Response;
    try {
      res = await fetch(source.url);
    } catch (err) {
      post({ kind: 'error', title: `Could not load the trace ${source.url}:`, message: err instanceof Error ? err.message : String(err) });
      return;
    }
    if (!res.ok || !res.body) {
      post({ kind: 'error', title: `Could not load the trace ${source.url}:`, message: `HTTP ${res.status} ${res.statusText}` });
      return;
    }
    const len = Number(res.headers.get('content-length'));
    total = Number.isFinite(len) && len > 0 ? len : undefined;
    stream = res.body;
  }
  const ix = startIndexer(blob);

  let builder: ColumnarBuilder | undefined;
  let bands: BandsRequest | undefined;
  let kept: TraceEvent[] | undefined = [];
  let lineStart = new Float64Array(1 << 16);
  let lines = 0;
  let endByte = 0;
  let lastPost = performance.now();
  let lastPartial = -Infinity;
  /** Events in the last `partial` message (0: none yet, the first waits for `firstDrawingReady`). */
  let partialEvents = 0;
  let streamedMs: number;
  // The published states, packed as read (a big trace's reach the page so; a trace kept whole sends its objects).
  const packer = new StatePacker();
  /** The line being read (the reader's callback takes a state's text from it). */
  let line = '';
  const reader = new TraceReader(
    (ev) => {
      if (!builder) builder = new ColumnarBuilder(reader.header!);
      builder.add(ev);
      packer.add(ev, line);
      if (kept) {
        if (kept.length < keepLimit) {
          kept.push(ev);
          return;
        }
        kept = undefined;
        // No event object is kept from now on, and the columns need no state's or message's body: the lines the
        // trace writer writes (states, sends, deliveries, timers) are read by their fields, their bodies not parsed
        // (sim/trace/scan.ts; any other line is parsed whole, and the footer hash checks every byte after the load).
        reader.scan = scanEventHead;
        // A big trace: its states go to the page packed (by the indexer); the loader keeps none of them as objects
        // (sharing their parts took a second of CPU at Raft 1M), the lane bands decode them after the first paint.
        builder.keepStates = false;
        builder.dropStates();
      }
    },
    { file: source.name },
  );
  const splitter = new LineSplitter((text, start, length, terminated) => {
    if (lines + 2 > lineStart.length) {
      const b = new Float64Array(lineStart.length * 2);
      b.set(lineStart);
      lineStart = b;
    }
    lineStart[lines++] = start;
    endByte = start + length;
    line = text;
    reader.line(text, terminated);
  });
  try {
    for await (const c of chunksOf(stream)) {
      splitter.push(c);
      // The splitter keeps no reference to the chunk (only a copy of a cut-off last line): hand it on, not copied.
      const own = c.byteOffset === 0 && c.byteLength === c.buffer.byteLength ? c : c.slice();
      ix.worker.postMessage({ kind: 'chunk', bytes: own } satisfies ToIndexer, [own.buffer]);
      const now = performance.now();
      if (now - lastPost > 200) {
        lastPost = now;
        post({ kind: 'progress', bytes: splitter.bytes, total, events: reader.events });
      }
      // Draw what is loaded so far: first once it is worth looking at (first-drawing.ts), then at a bounded rate
      // (not per chunk); not after the last chunk (the whole model follows at once).
      const more = total === undefined || splitter.bytes < total;
      if (more && builder && end !== null && gen === openGen) {
        const due =
          partialEvents === 0
            ? firstDrawingReady({ events: builder.events, span: builder.span, runEnd: end, bytes: splitter.bytes, total })
            : now - lastPartial >= PARTIAL_EVERY_MS && builder.events >= 2 * partialEvents && (total === undefined || splitter.bytes < total / 2);
        if (due) {
          // Without its client operations (objects: tens of thousands in a big trace, decoded by the page's main thread
          // as one task at each partial; issue 15): they come with the complete model. Meanwhile the diagram's marks
          // of an operation's return, when zoomed in, are drawn without its outcome.
          const snap = { ...builder.snapshot(end), operations: [] };
          partialEvents = snap.count;
          // Its lane index too (the page's density drawing would build it, a pass over every event on the main thread).
          const li = laneIndex(snap);
          post({ kind: 'partial', model: snap, laneIndex: li, bytes: splitter.bytes, total, runEndKnown: end !== undefined }, [...transferables(snap), ...laneIndexTransferables(li)]);
          lastPartial = performance.now();
        }
      }
    }
    splitter.end();
    streamedMs = performance.now() - t0;
  } catch (err) {
    stopIndexer(ix.worker);
    if (err instanceof InputError) post({ kind: 'error', title: 'This trace cannot be shown:', message: err.describe() });
    else post({ kind: 'error', title: 'This trace cannot be shown (unexpected error):', message: String(err) });
    return;
  }
  let summary;
  try {
    summary = reader.end();
  } catch (err) {
    stopIndexer(ix.worker);
    post({ kind: 'error', title: 'This trace cannot be shown:', message: err instanceof InputError ? err.describe() : String(err) });
    return;
  }
  lineStart[lines] = endByte;
  builder ??= new ColumnarBuilder(summary.header);
  const model = builder.finish(summary.footer);
  ix.worker.postMessage({ kind: 'end', count: model.count } satisfies ToIndexer);
  let done: Extract<FromIndexer, { kind: 'done' }>;
  try {
    done = await ix.done;
  } catch (err) {
    stopIndexer(ix.worker);
    post({ kind: 'error', title: 'The trace loader failed:', message: err instanceof Error ? err.message : String(err) });
    return;
  }
  if (gen !== openGen) return;
  blob ??= done.blob;
  // The worker keeps its own copies of the columns causal past walks (the page gets the originals).
  const causal: CausalColumns = { count: model.count, prev: model.prev.slice(), msgOf: model.msgOf.slice(), cause: model.cause.slice(), mSendSeq: model.mSendSeq.slice(), mDupOf: model.mDupOf.slice(), mOriginSeq: model.mOriginSeq.slice() };
  const l: Loaded = { blob, lineStart, lines, count: model.count, causal, footerAt: summary.footer ? lineStart[lines - 1] : undefined };
  loaded = l;
  const timings = { parseMs: performance.now() - t0, bytes: endByte, streamedMs, indexerMs: done.ms, gatherMs: done.gatherMs, openedAt: performance.timeOrigin + t0, postedAt: performance.timeOrigin + performance.now() };
  // The client operations (objects: a big trace has tens of thousands) in slices before the model, whose own
  // `operations` is then empty: decoding them all with the model was the page's longest task (issue 15).
  const operations = model.operations;
  for (let i = 0; i < operations.length; i += OPERATIONS_PER_MESSAGE) post({ kind: 'operations', ops: operations.slice(i, i + OPERATIONS_PER_MESSAGE) });
  if (kept) {
    // A trace kept whole in the page: its states as objects, in slices (the page decodes one message as one
    // task; a slice starts its own copy of the parts it shares with the previous slice).
    for (const [node, snaps] of model.states) for (let i = 0; i < snaps.length; i += STATES_PER_MESSAGE) post({ kind: 'states', node, snaps: snaps.slice(i, i + STATES_PER_MESSAGE) });
    post({ kind: 'model', model: { ...model, operations: [], states: new Map() }, warnings: summary.warnings, footer: summary.footer, events: kept, timings }, transferables(model));
  } else {
    // A big trace: the states packed (their JSON as read), decoded by the page only when shown. The protocol's lane
    // bands (which read every state) follow after the first paint, computed here from a copy.
    const states = packer.finish();
    const view = Object.hasOwn(PROTOCOL_VIEWS, model.header.protocol) ? PROTOCOL_VIEWS[model.header.protocol] : undefined;
    const mine = view?.laneBands ? { ...states, node: states.node.slice(), seq: states.seq.slice(), t: states.t.slice(), start: states.start.slice(), bytes: states.bytes.slice() } : undefined;
    // Prepared before the columns are transferred (it takes the model without them), started once the page has drawn.
    bands = mine ? bandsRequest(model.header.protocol, model, mine) : undefined;
    const li = laneIndex(model);
    post({ kind: 'model', model: { ...model, operations: [], states: new Map() }, laneIndex: li, packed: states, bandsLater: mine !== undefined, warnings: summary.warnings, footer: summary.footer, events: undefined, timings }, [...transferables(model), ...packedTransferables(states), ...laneIndexTransferables(li)]);
    // The index is complete with the model (`ms`: the indexer's time spent on it, in parallel with the parse).
    post({ kind: 'indexed', events: done.indexed, ms: done.ms });
  }
  // The rest waits until the page has drawn the model (see the `drawn` message): the two cores are the page's meanwhile.
  await new Promise<void>((ok) => (onDrawn = ok));
  if (gen !== openGen) return;
  if (bands) laneBandsLater(bands);
  ix.worker.postMessage({ kind: 'filters' } satisfies ToIndexer);
  // Check the footer's hash over every byte before it.
  if (l.footerAt !== undefined && summary.footer) {
    const h = sha256.create();
    let since = 0;
    for await (const c of chunksOf(l.blob.slice(0, l.footerAt).stream())) {
      if (gen !== openGen) return;
      h.update(c);
      since += c.length;
      // Stream reads can resolve as microtasks: give the page's questions (causal past, details) their turn.
      if (since > 4 << 20) {
        since = 0;
        await yieldToTasks();
        // A search or a causal past asked meanwhile goes first: the page waits for it, not for the hash.
        await whenIdle();
      }
    }
    post({ kind: 'verified', hash: bytesToHex(h.digest()) === summary.footer.hash ? 'ok' : 'mismatch' });
  }
}

/** The worker computing the current trace's lane bands (bands.ts), if any. */
let bandsWorker: Worker | undefined;

/**
 * The lane bands of a big trace, computed in a worker of their own (bands.ts) from a copy of its packed states,
 * so that this worker answers the page meanwhile; posted as a `bands` message (none if that worker fails).
 */
function laneBandsLater(req: BandsRequest): void {
  const w = new Worker(new URL('./bands.ts', import.meta.url), { type: 'module' });
  bandsWorker = w;
  const done = (bands: LaneBand[]): void => {
    w.terminate();
    if (bandsWorker !== w) return;
    bandsWorker = undefined;
    post({ kind: 'bands', bands });
  };
  w.onmessage = (e: MessageEvent<LaneBand[]>) => done(e.data);
  w.onerror = () => done([]);
  w.postMessage(req, packedTransferables(req.packed));
}

/** What the lane bands' worker is sent: the model without its columns (they go to the page; a band function reads intervals and states), a copy of the packed states. */
function bandsRequest(protocol: string, model: ColumnarModel, packed: PackedStates): BandsRequest {
  const slim = Object.fromEntries(Object.entries(model).map(([k, v]) => [k, ArrayBuffer.isView(v) ? new (v.constructor as new (n: number) => unknown)(0) : v]));
  return { protocol, model: { ...(slim as unknown as ColumnarModel), states: new Map() }, packed };
}

/** Resolves the current load's wait for the page's `drawn` message. */
let onDrawn: (() => void) | undefined;

self.onmessage = async (ev: MessageEvent<ToLoader>) => {
  const msg = ev.data;
  if (msg.kind === 'drawn') {
    onDrawn?.();
    onDrawn = undefined;
    return;
  }
  if (msg.kind === 'open') {
    await open(msg.source, msg.keepLimit);
    return;
  }
  const l = loaded;
  if (!l) {
    post({ kind: 'reply', id: msg.id, error: 'no trace loaded' });
    return;
  }
  answering++;
  try {
    switch (msg.kind) {
      case 'events':
        post({ kind: 'reply', id: msg.id, events: await events(l, msg.from, msg.to) });
        break;
      case 'causal': {
        const marks = causalPastColumns(l.causal, msg.seq);
        post({ kind: 'reply', id: msg.id, marks }, [marks.buffer]);
        break;
      }
      case 'search': {
        // Answered by the indexer (its reply, relayed, ends this question: see startIndexer).
        if (!indexer) {
          post({ kind: 'reply', id: msg.id, error: 'no search index' });
          break;
        }
        answering++;
        relayed.add(msg.id);
        indexer.postMessage(msg satisfies ToIndexer);
        break;
      }
      case 'export': {
        const all: TraceEvent[] = [];
        const s = await readTrace(chunksOf(l.blob.stream()), (e) => all.push(e));
        const json = JSON.stringify(toChromeTrace(buildModel({ header: s.header, events: all, footer: s.footer })));
        post({ kind: 'reply', id: msg.id, blob: new Blob([json], { type: 'application/json' }) });
        break;
      }
    }
  } catch (err) {
    post({ kind: 'reply', id: msg.id, error: String(err) });
  } finally {
    doneAnswering();
  }
};
