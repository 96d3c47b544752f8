// The trace loader: a Web Worker that streams a trace (a Blob, or a URL read
// with fetch) line by line through the same reader as the CLI
// (sim/trace/reader.ts) into a columnar model (sim/trace/columns.ts), which it
// hands to the page (its typed arrays transferred, not copied). It keeps the
// trace as a Blob (a picked file already is one; a fetched stream is gathered
// into one, which the browser keeps outside the JS heap) plus each line's byte
// offset, and answers the page's questions from them: an event's details,
// the causal past of an event, a text search, the Perfetto export. The page
// never holds the text; nothing here blocks the page.

import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import type { JsonValue, TraceEvent } from '../../../sim/engine/types.ts';
import { InputError } from '../../../sim/scenario/errors.ts';
import { toChromeTrace } from '../../../sim/trace/chrome.ts';
import { causalPastColumns, ColumnarBuilder, transferables, type CausalColumns, type ColumnarModel } from '../../../sim/trace/columns.ts';
import { buildModel } from '../../../sim/trace/model.ts';
import { LineSplitter, readTrace, TraceReader } from '../../../sim/trace/reader.ts';
import { ARROW, INDEX_CHUNK, SearchIndex } from '../../../sim/trace/search-index.ts';
import { PackedStatesBuilder, packedTransferables, type PackedStates } from '../../../sim/trace/packed-states.ts';
import type { LaneBand } from '../panels/panel.ts';
import type { BandsRequest } from './bands.ts';
import { PROTOCOL_VIEWS } from '../panels/registry.ts';
import { eventText, eventTextOfLine, rawLineDecides, searchText, stateBodyOfLine, stateSearchText } from '../store.ts';
import type { FromLoader, LoadSource, ToLoader } from './protocol.ts';

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
  /** The search index, built while parsing (big traces only: a small one is searched in the page). */
  index: SearchIndex;
  /**
   * The published states the index holds only the start of (longer than its per-event cap: rare),
   * by the seq of their event: a search checks them without reading and parsing their lines again.
   */
  stateBySeq: Map<number, { node: string; state: JsonValue }>;
}

let loaded: Loaded | undefined;
/** Published states per `states` message. */
const STATES_PER_MESSAGE = 4096;
/** Bumped at each open: background work for an older trace stops. */
let openGen = 0;

/** Let queued messages from the page run before going on. */
function yieldToTasks(): Promise<void> {
  return new Promise((ok) => setTimeout(ok, 0));
}


let searchGen = 0;

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

async function* chunksOf(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    yield value;
  }
}

/** Gathers streamed chunks into a Blob as they pass, a few MB at a time. */
class BlobGatherer {
  private parts: BlobPart[] = [];
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  add(c: Uint8Array): void {
    this.pending.push(c);
    this.pendingBytes += c.length;
    if (this.pendingBytes > 8 << 20) this.flush();
  }
  private flush(): void {
    if (this.pending.length === 0) return;
    this.parts.push(new Blob(this.pending as BlobPart[]));
    this.pending = [];
    this.pendingBytes = 0;
  }
  blob(): Blob {
    this.flush();
    return new Blob(this.parts);
  }
}

async function open(source: LoadSource, keepLimit: number): Promise<void> {
  const t0 = performance.now();
  const gen = ++openGen;
  bandsWorker?.terminate();
  bandsWorker = undefined;
  let stream: ReadableStream<Uint8Array>;
  let total: number | undefined;
  let gather: BlobGatherer | undefined;
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
    gather = new BlobGatherer();
  }

  let builder: ColumnarBuilder | undefined;
  let kept: TraceEvent[] | undefined = [];
  let lineStart = new Float64Array(1 << 16);
  let lines = 0;
  let endByte = 0;
  let lastPost = performance.now();
  // The search index is built as the events are parsed (each event is parsed once), so a search
  // issued as soon as the page draws is answered from it. A trace kept whole in the page is
  // searched there: the index starts when the trace outgrows keepLimit, with the kept events.
  const index = new SearchIndex();
  let indexMs = 0;
  /** The line being read: the index takes states' and messages' bodies from it (`eventTextOfLine`). */
  let line = '';
  // A big trace's published states go to the page as their JSON text, packed (decoded there when read).
  const packed = new PackedStatesBuilder();
  // The published states the index holds only the start of (rare): a search checks them from here.
  const stateBySeq = new Map<number, { node: string; state: JsonValue }>();
  const indexText = (ev: TraceEvent, text: string): void => {
    const long = index.long.length;
    index.add(text);
    if (index.long.length > long && ev.type === 'state') stateBySeq.set(ev.seq, { node: ev.node, state: ev.state });
  };
  const reader = new TraceReader(
    (ev) => {
      if (!builder) builder = new ColumnarBuilder(reader.header!);
      builder.add(ev);
      if (ev.type === 'state') packed.add(ev.seq, ev.t, ev.node, stateBodyOfLine(ev, line));
      if (kept) {
        if (kept.length < keepLimit) {
          kept.push(ev);
          return;
        }
        const t = performance.now();
        for (const k of kept) indexText(k, eventText(k, ARROW));
        indexMs += performance.now() - t;
        kept = undefined;
        // A big trace: its states go to the page packed; the worker keeps none of them as objects (sharing
        // their parts took a second of CPU at Raft 1M), the lane bands decode them after the first paint.
        builder.keepStates = false;
        builder.dropStates();
      }
      if (!index.full) indexText(ev, eventTextOfLine(ev, line, ARROW));
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
      gather?.add(c);
      splitter.push(c);
      const now = performance.now();
      if (now - lastPost > 200) {
        lastPost = now;
        post({ kind: 'progress', bytes: splitter.bytes, total, events: reader.events });
      }
    }
    splitter.end();
  } catch (err) {
    if (err instanceof InputError) post({ kind: 'error', title: 'This trace cannot be shown:', message: err.describe() });
    else post({ kind: 'error', title: 'This trace cannot be shown (unexpected error):', message: String(err) });
    return;
  }
  let summary;
  try {
    summary = reader.end();
  } catch (err) {
    post({ kind: 'error', title: 'This trace cannot be shown:', message: err instanceof InputError ? err.describe() : String(err) });
    return;
  }
  lineStart[lines] = endByte;
  builder ??= new ColumnarBuilder(summary.header);
  const model = builder.finish(summary.footer);
  blob ??= gather!.blob();
  // The worker keeps its own copies of the columns causal past walks (the page gets the originals).
  const causal: CausalColumns = { count: model.count, prev: model.prev.slice(), msgOf: model.msgOf.slice(), cause: model.cause.slice(), mSendSeq: model.mSendSeq.slice(), mDupOf: model.mDupOf.slice(), mOriginSeq: model.mOriginSeq.slice() };
  index.flush();
  const l: Loaded = { blob, lineStart, lines, count: model.count, causal, footerAt: summary.footer ? lineStart[lines - 1] : undefined, index, stateBySeq };
  loaded = l;
  const timings = { parseMs: performance.now() - t0, bytes: endByte };
  if (kept) {
    // A trace kept whole in the page: its states as objects, in slices (the page decodes one message as one
    // task; a slice starts its own copy of the parts it shares with the previous slice).
    for (const [node, snaps] of model.states) for (let i = 0; i < snaps.length; i += STATES_PER_MESSAGE) post({ kind: 'states', node, snaps: snaps.slice(i, i + STATES_PER_MESSAGE) });
    post({ kind: 'model', model: { ...model, states: new Map() }, warnings: summary.warnings, footer: summary.footer, events: kept, timings }, transferables(model));
  } else {
    // A big trace: the states packed (their JSON as read), decoded by the page only when shown. The protocol's lane
    // bands (which read every state) follow after the first paint, computed here from a copy.
    const states = packed.finish();
    const view = Object.hasOwn(PROTOCOL_VIEWS, model.header.protocol) ? PROTOCOL_VIEWS[model.header.protocol] : undefined;
    const mine = view?.laneBands ? { ...states, node: states.node.slice(), seq: states.seq.slice(), t: states.t.slice(), start: states.start.slice(), bytes: states.bytes.slice() } : undefined;
    // Started before the columns are transferred (it takes the model without them).
    if (mine) laneBandsLater(model.header.protocol, model, mine);
    post({ kind: 'model', model: { ...model, states: new Map() }, packed: states, bandsLater: mine !== undefined, warnings: summary.warnings, footer: summary.footer, events: undefined, timings }, [...transferables(model), ...packedTransferables(states)]);
    // The index is complete with the model (`ms`: indexing the kept events when the trace outgrew them).
    post({ kind: 'indexed', events: l.index.indexed, ms: indexMs });
  }
  // After the first paint: check the footer's hash over every byte before it.
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
function laneBandsLater(protocol: string, model: ColumnarModel, packed: PackedStates): void {
  // The model without its columns (they go to the page; a band function reads intervals and states).
  const slim = Object.fromEntries(Object.entries(model).map(([k, v]) => [k, ArrayBuffer.isView(v) ? new (v.constructor as new (n: number) => unknown)(0) : v]));
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
  const req: BandsRequest = { protocol, model: { ...(slim as unknown as ColumnarModel), states: new Map() }, packed };
  w.postMessage(req, packedTransferables(packed));
}

/** Events [from, to), read back from the Blob by their byte offsets. */
async function events(l: Loaded, from: number, to: number): Promise<TraceEvent[]> {
  const a = l.lineStart[from + 1] as number;
  const b = l.lineStart[Math.min(to, l.count) + 1] as number;
  const text = await l.blob.slice(a, b).text();
  const out: TraceEvent[] = [];
  let pos = 0;
  for (let s = from; s < to && pos < text.length; s++) {
    let nl = text.indexOf('\n', pos);
    if (nl < 0) nl = text.length;
    out.push(JSON.parse(text.slice(pos, nl)) as TraceEvent);
    pos = nl + 1;
  }
  return out;
}

/** How often a search reports the matches found so far (ms). */
const HITS_EVERY_MS = 40;

/** The matches of a running search, sent to the page as they are found (`searchHits` messages). */
class HitStream {
  private seqs: number[] = [];
  private last = performance.now();
  searched = 0;
  constructor(private readonly id: number | undefined) {}
  readonly hit = (seq: number): void => {
    if (this.id !== undefined) this.seqs.push(seq);
  };
  /** Send what was found since the last report if `force` or HITS_EVERY_MS have passed; true if it did (time to yield). */
  report(force = false): boolean {
    const now = performance.now();
    if (!force && now - this.last < HITS_EVERY_MS) return false;
    this.last = now;
    if (this.id !== undefined) {
      const seqs = Int32Array.from(this.seqs);
      this.seqs = [];
      post({ kind: 'searchHits', id: this.id, seqs, searched: this.searched }, [seqs.buffer]);
    }
    return true;
  }
}

/**
 * Marks of the events whose search text contains `query`: the index (the chunks holding the events
 * [near[0], near[1]] first: the visible ones), then streaming the Blob past it; undefined if a newer
 * search started. With `id`, the matches are also sent as they are found (`searchHits`): the first
 * report right after the visible chunks, then every HITS_EVERY_MS.
 */
async function search(l: Loaded, query: string, gen: number, scan: boolean, near?: [number, number], id?: number): Promise<Uint8Array | undefined> {
  const marks = new Uint8Array(l.count);
  const from = scan ? 0 : l.index.indexed;
  const hits = new HitStream(id);
  if (!scan) {
    const chunks = l.index.chunkCount;
    const first = near ? Math.min(chunks - 1, Math.max(0, Math.floor(near[0] / INDEX_CHUNK))) : 0;
    const last = near ? Math.min(chunks - 1, Math.max(first, Math.floor(near[1] / INDEX_CHUNK))) : chunks - 1;
    const order: number[] = [];
    for (let k = first; k <= last; k++) order.push(k);
    for (let k = 0; k < chunks; k++) if (k < first || k > last) order.push(k);
    for (let i = 0; i < order.length; i++) {
      const k = order[i] as number;
      l.index.searchChunk(k, query, marks, hits.hit);
      hits.searched += Math.min(l.index.indexed, l.index.chunkStart(k + 1)) - l.index.chunkStart(k);
      if (hits.report(i === last - first)) {
        // Let a newer search (or the page's other questions) in.
        await yieldToTasks();
        if (gen !== searchGen) return undefined;
      }
    }
    // Events whose text the index holds only the start of: check the rest of those few.
    // The states among them are in memory: no need to read their lines back.
    const unsure: number[] = [];
    let n = 0;
    for (const seq of l.index.unsure(marks, query)) {
      const st = l.stateBySeq.get(seq);
      if (!st) unsure.push(seq);
      else if (stateSearchText(seq, st.node, st.state).includes(query)) {
        marks[seq] = 1;
        hits.hit(seq);
      }
      // Let a newer search (or the page's other questions) in.
      if (++n % 8192 === 0) {
        await yieldToTasks();
        if (gen !== searchGen) return undefined;
      }
    }
    for (let i = 0; i < unsure.length; ) {
      // Read runs of adjacent unsure events at once.
      let j = i + 1;
      while (j < unsure.length && (unsure[j] as number) - (unsure[j - 1] as number) < 64 && j - i < 512) j++;
      const first = unsure[i] as number;
      const evs = await events(l, first, (unsure[j - 1] as number) + 1);
      for (let k = i; k < j; k++) {
        const seq = unsure[k] as number;
        const ev = evs[seq - first];
        if (ev && searchText(ev).includes(query)) {
          marks[seq] = 1;
          hits.hit(seq);
        }
      }
      i = j;
      hits.report();
      if (gen !== searchGen) return undefined;
    }
  }
  if (from >= l.count) return marks;
  let seq = from;
  const quick = rawLineDecides(query);
  const splitter = new LineSplitter((text) => {
    if (seq >= l.count) return;
    const s = seq++;
    // The raw line first (cheap), the parsed description only for the lines that may match.
    if (quick && !text.toLowerCase().includes(query)) return;
    if (searchText(JSON.parse(text) as TraceEvent).includes(query)) {
      marks[s] = 1;
      hits.hit(s);
    }
    hits.searched++;
  });
  const start = l.lineStart[from + 1] as number;
  const end = l.lineStart[l.count + 1] as number;
  let since = 0;
  for await (const c of chunksOf(l.blob.slice(start, end).stream())) {
    splitter.push(c);
    since += c.length;
    if (since > 4 << 20) {
      since = 0;
      hits.report(true);
      await yieldToTasks();
    }
    if (gen !== searchGen) return undefined;
  }
  splitter.end();
  return marks;
}

self.onmessage = async (ev: MessageEvent<ToLoader>) => {
  const msg = ev.data;
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
        const gen = ++searchGen;
        const marks = await search(l, msg.query, gen, msg.scan === true, msg.near, msg.stream === true ? msg.id : undefined);
        if (marks) post({ kind: 'reply', id: msg.id, marks }, [marks.buffer]);
        else post({ kind: 'reply', id: msg.id, error: 'superseded' });
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
