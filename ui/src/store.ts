// The viewer's state: the loaded trace (a columnar model, sim/trace/columns.ts),
// the cursor (an event seq), the filters and the visible time window. Views
// subscribe to the parts they draw.
//
// The page never holds a large trace's text or event objects: an event's
// details (its JSON) come from a `TraceSource` (the loader worker reads them
// back from the file by byte offset) in chunks, cached; causal past and search
// run in the worker too. A small trace (up to SYNC_LIMIT events) is kept whole
// in the page, so everything about it answers synchronously.

import type { JsonValue, TraceEvent } from '../../sim/engine/types.ts';
import { describeEvent } from '../../sim/trace/chrome.ts';
import { causalPastColumns, lowerBound, type ColumnarModel } from '../../sim/trace/columns.ts';

/** model: a trace was loaded (views rebuild everything); filter: node or type filters; search: the search text or its results. */
export type Topic = 'model' | 'cursor' | 'filter' | 'search' | 'window' | 'details' | 'causal' | 'highlight';

/** Up to this many events, the page keeps every event and answers details, causal past and search itself. */
export const SYNC_LIMIT = 50_000;
/** Events per details chunk fetched from the source. */
export const CHUNK = 512;
/** Chunks of details kept (least recently used dropped first). */
const MAX_CHUNKS = 256;
/** Events read one by one (rows far apart: `prefetchRows`) kept; the oldest dropped first. */
const MAX_SINGLES = 4096;
/** Rows spread over more chunks than this are read one event each, not a chunk each (see `prefetchRows`). */
const SPARSE_CHUNKS = 4;

/** Where the details of a trace too big to keep in the page come from (the loader worker). */
export interface TraceSource {
  /** Events [from, to), in order. */
  events(from: number, to: number): Promise<TraceEvent[]>;
  /** Marks (one byte per event) of the causal past of `seq`. */
  causal(seq: number): Promise<Uint8Array>;
  /**
   * Marks (one byte per event) of the events whose search text contains `query` (lower case). `onHits`
   * (optional): the matches as they are found, the events `near` ([from, to] seqs) first.
   */
  search(query: string, scan?: boolean, onHits?: (seqs: Int32Array, searched: number) => void, near?: [number, number]): Promise<Uint8Array>;
}

export interface LoadInfo {
  /** Where the trace came from: a file name, a URL, "live: <scenario> seed <s>". */
  source: string;
  warnings: string[];
  footer: { hash: string; t: number; events: number } | undefined;
  timings: Record<string, number>;
  /** Every event, when the trace is small enough to keep in the page. */
  events?: TraceEvent[] | undefined;
  /** Details, causal past and search for a big trace. */
  remote?: TraceSource | undefined;
  /**
   * The trace is still loading: the model holds the events parsed so far (`model.loadedT`), with no details,
   * published states or search yet; causal past is computed over what is loaded. `runEndKnown`: the axis is the
   * whole run's (else it grows as events arrive).
   */
  loading?: { bytes: number; total: number | undefined; runEndKnown: boolean } | undefined;
}

/** The text search matches for an event: "#<seq> <description>", lower case. */
export function searchText(ev: TraceEvent): string {
  return eventText(ev).toLowerCase();
}

/** `searchText` of a published state event, from its seq, node and state (the worker holds the states, not the events). */
export function stateSearchText(seq: number, node: string, state: JsonValue): string {
  return searchText({ seq, t: 0, type: 'state', node, state });
}

/** `searchText` before lower-casing (the worker's index lower-cases a whole chunk at once), with `arrow` for "→" (see `describeEvent`). */
export function eventText(ev: TraceEvent, arrow = '→'): string {
  return `#${ev.seq} ${describeEvent(ev, arrow)}`;
}

/**
 * `eventText(ev)` for an event parsed from `line`, without writing its body out again: a
 * published state's or a message's JSON (most of a Raft trace's text) is taken from the line as
 * the trace writer wrote it (`{"seq":…,"t":…,"type":"state","node":…,"state":BODY}`, the body
 * the last field), which is what `JSON.stringify` gives back for it. Only when the line starts
 * exactly as the writer writes it and ends with the body; any other line (hand-written, fields
 * in another order, spaces) falls back to `eventText`. `arrow` as in `eventText`.
 */
export function eventTextOfLine(ev: TraceEvent, line: string, arrow = '→'): string {
  if (ev.type !== 'state' && ev.type !== 'send') return eventText(ev, arrow);
  const body = bodyOfLine(ev, line);
  if (body === undefined) return eventText(ev, arrow);
  return ev.type === 'state' ? `#${ev.seq} ${ev.node} state ${body}` : `#${ev.seq} ${ev.from} ${arrow} ${ev.to} send #${ev.id} ${body}`;
}

/** A state's or a message's JSON as `line` has it, when the line is as the trace writer writes it (see `eventTextOfLine`), else undefined. */
export function bodyOfLine(ev: TraceEvent & { type: 'state' | 'send' }, line: string): string | undefined {
  const prefix =
    ev.type === 'state'
      ? `{"seq":${ev.seq},"t":${ev.t},"type":"state","node":${JSON.stringify(ev.node)},"state":`
      : `{"seq":${ev.seq},"t":${ev.t},"type":"send","id":${ev.id},"from":${JSON.stringify(ev.from)},"to":${JSON.stringify(ev.to)},"msg":`;
  if (!line.startsWith(prefix) || line.charCodeAt(line.length - 1) !== 125 /* } */) return undefined;
  return line.slice(prefix.length, line.length - 1);
}

/** A published state's JSON: from its line as written when it can (see `eventTextOfLine`), else written out. */
export function stateBodyOfLine(ev: TraceEvent & { type: 'state' }, line: string): string {
  return bodyOfLine(ev, line) ?? JSON.stringify(ev.state);
}

/** Characters a search can be answered for from the raw JSON line first (see `mayMatch`). */
const TOKEN = /^[a-z0-9_.=\-/[\]{},'<>!?@$%^&*+~|;]+$/;
/** Words of the event descriptions (sim/trace/chrome.ts describeEvent) that are not in the JSON of the event. */
const DESCRIPTION_ONLY = ['unsynced', 'links', 'caused', 'by'];

/**
 * Whether the search text of an event ("#seq description", lower case) can
 * contain `query` only if its JSON line (lower case) does: true for a query
 * without spaces, quotes, '#', parentheses, ':' or non-ASCII and not part of a
 * word only descriptions have, because every other piece of a description is
 * the event's type, a field name, or a value written as in the JSON.
 */
export function rawLineDecides(query: string): boolean {
  return TOKEN.test(query) && !DESCRIPTION_ONLY.some((w) => w.includes(query));
}

export class Store {
  model: ColumnarModel | undefined;
  info: LoadInfo | undefined;
  /** seq of the event the cursor is on: everything shows the state after it. */
  cursor = 0;
  hiddenNodes = new Set<string>();
  hiddenTypes = new Set<string>();
  search = '';
  /** Marks of the events matching `search` (undefined while a search runs in the worker). */
  searchHits: Uint8Array | undefined;
  /** While a search runs in the worker: the matches found so far (marks), how many, and how many events it has searched. */
  searchSoFar: { marks: Uint8Array; found: number; searched: number } | undefined;
  /** Visible time window [t0, t1] of the diagram. */
  window: [number, number] = [0, 1];
  /** Show the causal past of the cursor event. */
  causal = false;
  /** Draw messages in flight as moving dots while playing. */
  animate = false;
  /** The playhead's true time while playing (between events), else undefined. */
  playT: number | undefined;
  /** Events ringed on the diagram (the operations of a linearizability violation's core). */
  highlight: number[] = [];
  /** Set by the history panel: move to the operations that cause a linearizability violation. */
  focusHistory: (() => void) | undefined;
  private causalCache: { seq: number; marks: Uint8Array } | undefined;
  private causalWanted = -1;
  private texts: string[] | undefined;
  private chunks = new Map<number, TraceEvent[]>();
  private pending = new Set<number>();
  /** Events read one by one (`prefetchRows`), by seq, and those being read. */
  private singles = new Map<number, TraceEvent>();
  private pendingSingles = new Set<number>();
  private generation = 0;
  private searchGen = 0;
  private listeners = new Map<Topic, Set<() => void>>();

  on(topic: Topic, fn: () => void): void {
    let s = this.listeners.get(topic);
    if (!s) this.listeners.set(topic, (s = new Set()));
    s.add(fn);
  }

  emit(topic: Topic): void {
    for (const fn of this.listeners.get(topic) ?? []) fn();
  }

  load(model: ColumnarModel, info: LoadInfo): void {
    this.model = model;
    this.info = info;
    this.generation++;
    this.cursor = 0;
    this.hiddenNodes.clear();
    this.hiddenTypes.clear();
    this.search = '';
    this.searchHits = undefined;
    this.highlight = [];
    this.focusHistory = undefined;
    this.texts = undefined;
    this.causalCache = undefined;
    this.chunks = new Map();
    this.pending = new Set();
    this.singles = new Map();
    this.pendingSingles = new Set();
    this.window = [model.startT, model.endT];
    this.emit('model');
    this.emit('cursor');
  }

  /**
   * The same trace, more of it: the model of the events loaded so far (while loading) or the complete one. The
   * cursor, window, filters and search stay (a search typed while loading runs now if the trace is complete);
   * details, causal past and search results are asked again.
   */
  update(model: ColumnarModel, info: LoadInfo): void {
    this.model = model;
    this.info = info;
    this.generation++;
    this.texts = undefined;
    this.causalCache = undefined;
    this.causalWanted = -1;
    this.chunks = new Map();
    this.pending = new Set();
    this.singles = new Map();
    this.pendingSingles = new Set();
    this.cursor = Math.max(0, Math.min(this.cursor, model.count - 1));
    this.emit('model');
    if (this.search !== '' && !info.loading) this.setSearch(this.search);
    this.emit('cursor');
  }

  setCursor(seq: number): void {
    const m = this.model;
    if (!m || m.count === 0) return;
    const c = Math.max(0, Math.min(m.count - 1, Math.round(seq)));
    if (c === this.cursor) return;
    this.cursor = c;
    this.emit('cursor');
  }

  setWindow(t0: number, t1: number): void {
    this.window = [t0, t1];
    this.emit('window');
  }

  /** The cursor's event seq and time, or undefined when no trace (or an empty one) is loaded. */
  cursorEvent(): { seq: number; t: number } | undefined {
    const m = this.model;
    if (!m || m.count === 0) return undefined;
    return { seq: this.cursor, t: m.t[this.cursor] as number };
  }

  /**
   * The event `seq` with its details, or undefined while they are being read
   * (a 'details' notification follows when they arrive).
   */
  event(seq: number, fetch = true): TraceEvent | undefined {
    const all = this.info?.events;
    if (all) return all[seq];
    const m = this.model;
    if (!m || seq < 0 || seq >= m.count) return undefined;
    const k = Math.floor(seq / CHUNK);
    const chunk = this.chunks.get(k);
    if (chunk) {
      // Least recently used order: move to the end.
      this.chunks.delete(k);
      this.chunks.set(k, chunk);
      return chunk[seq - k * CHUNK];
    }
    const one = this.singles.get(seq);
    if (one) return one;
    if (fetch) this.fetchChunk(k);
    return undefined;
  }

  /**
   * Ask for the details of the events `seqs` (ascending: the rows of a list) ahead of showing them: the chunks
   * holding them when they are few, else each event alone (the rows of a search's matches can be thousands of
   * events apart: reading, parsing and sending every chunk between them took the worker and the page seconds).
   */
  prefetchRows(seqs: ArrayLike<number>): void {
    if (this.info?.events || !this.model || seqs.length === 0) return;
    const wanted = new Set<number>();
    for (let i = 0; i < seqs.length; i++) {
      const k = Math.floor((seqs[i] as number) / CHUNK);
      if (!this.chunks.has(k) && !this.pending.has(k)) wanted.add(k);
    }
    if (wanted.size <= SPARSE_CHUNKS) {
      for (const k of wanted) this.fetchChunk(k);
      return;
    }
    for (let i = 0; i < seqs.length; i++) {
      const seq = seqs[i] as number;
      if (wanted.has(Math.floor(seq / CHUNK))) this.fetchSingle(seq);
    }
  }

  private fetchSingle(seq: number): void {
    const src = this.info?.remote;
    if (!src || this.singles.has(seq) || this.pendingSingles.has(seq)) return;
    this.pendingSingles.add(seq);
    const gen = this.generation;
    void src.events(seq, seq + 1).then(
      (evs) => {
        if (gen !== this.generation) return;
        this.pendingSingles.delete(seq);
        const ev = evs[0];
        if (!ev) return;
        this.singles.set(seq, ev);
        while (this.singles.size > MAX_SINGLES) this.singles.delete(this.singles.keys().next().value as number);
        this.emit('details');
      },
      () => {
        if (gen === this.generation) this.pendingSingles.delete(seq);
      },
    );
  }

  /** Ask for the details of [from, to) ahead of showing them. */
  prefetch(from: number, to: number): void {
    if (this.info?.events || !this.model) return;
    for (let k = Math.floor(Math.max(0, from) / CHUNK); k * CHUNK < Math.min(to, this.model.count); k++) if (!this.chunks.has(k)) this.fetchChunk(k);
  }

  private fetchChunk(k: number): void {
    const src = this.info?.remote;
    const m = this.model;
    if (!src || !m || this.pending.has(k)) return;
    this.pending.add(k);
    const gen = this.generation;
    void src.events(k * CHUNK, Math.min(m.count, (k + 1) * CHUNK)).then(
      (evs) => {
        if (gen !== this.generation) return;
        this.pending.delete(k);
        this.chunks.set(k, evs);
        while (this.chunks.size > MAX_CHUNKS) this.chunks.delete(this.chunks.keys().next().value as number);
        this.emit('details');
      },
      () => {
        if (gen === this.generation) this.pending.delete(k);
      },
    );
  }

  /**
   * Marks (per seq) of the events in the causal past of the cursor, when that
   * view is on; undefined when off or while the worker computes them (a
   * 'causal' notification follows).
   */
  causalMarks(): Uint8Array | undefined {
    const m = this.model;
    if (!this.causal || !m || m.count === 0) return undefined;
    if (this.causalCache?.seq === this.cursor) return this.causalCache.marks;
    const src = this.info?.remote;
    if (!src) {
      this.causalCache = { seq: this.cursor, marks: causalPastColumns(m, this.cursor) };
      return this.causalCache.marks;
    }
    if (this.causalWanted !== this.cursor) {
      const seq = (this.causalWanted = this.cursor);
      const gen = this.generation;
      void src.causal(seq).then((marks) => {
        if (gen !== this.generation || this.causalWanted !== seq) return;
        this.causalCache = { seq, marks };
        this.emit('causal');
      });
    }
    return undefined;
  }

  /** Set the search text (lower-cased); matches are computed here or in the worker, then 'search' is emitted. */
  setSearch(query: string): void {
    this.search = query.trim().toLowerCase();
    this.searchHits = undefined;
    this.searchSoFar = undefined;
    const gen = ++this.searchGen;
    const m = this.model;
    const src = this.info?.remote;
    if (this.search !== '' && m && src && !this.info?.loading) {
      const q = this.search;
      // The worker answers the visible events first, then streams the rest; a newer query supersedes this one.
      const soFar = { marks: new Uint8Array(m.count), found: 0, searched: 0 };
      this.searchSoFar = soFar;
      const near: [number, number] = [lowerBound(m.t, this.window[0]), Math.max(0, lowerBound(m.t, this.window[1]) - 1)];
      const onHits = (seqs: Int32Array, searched: number): void => {
        if (gen !== this.searchGen) return;
        for (const seq of seqs) soFar.marks[seq] = 1;
        soFar.found += seqs.length;
        soFar.searched = searched;
        this.emit('search');
      };
      src.search(q, false, onHits, near).then(
        (hits) => {
          if (gen !== this.searchGen || this.search !== q) return;
          this.searchHits = hits;
          this.searchSoFar = undefined;
          this.emit('search');
        },
        () => undefined,
      );
    }
    this.emit('search');
  }

  /** Is a search running in the worker (its results not in yet)? */
  searching(): boolean {
    if (this.info?.loading) return this.search !== '';
    return this.search !== '' && this.info?.remote !== undefined && this.searchHits === undefined;
  }

  private matches(seq: number): boolean {
    // While loading the search waits for the whole trace (it runs once loaded): nothing is filtered out meanwhile.
    if (this.search === '' || this.info?.loading) return true;
    const all = this.info?.events;
    if (all) {
      this.texts ??= all.map(searchText);
      return (this.texts[seq] ?? '').includes(this.search);
    }
    return (this.searchHits ?? this.searchSoFar?.marks)?.[seq] === 1;
  }

  /** Does event `seq` pass the node, message-type and search filters? */
  passes(seq: number): boolean {
    const m = this.model;
    if (!m) return false;
    if (this.hiddenNodes.size > 0) {
      const l = m.lane[seq] as number;
      const p = m.peer[seq] as number;
      if ((l >= 0 && this.hiddenNodes.has(m.nodes[l] as string)) || (p >= 0 && this.hiddenNodes.has(m.nodes[p] as string))) return false;
    }
    if (this.hiddenTypes.size > 0) {
      const mi = m.msgOf[seq] as number;
      if (mi >= 0 && this.hiddenTypes.has(m.messageTypes[m.mType[mi] as number] as string)) return false;
    }
    return this.matches(seq);
  }

  /**
   * The seqs of the events that pass the filters (node, message type, search), in order: `passes` for each event, in
   * one pass over typed arrays when the search is the worker's (a big trace: the match marks; issue 15, a refiltering
   * at each streamed report of a search over 1M events called `passes` a million times in one task).
   */
  passing(): Int32Array {
    const m = this.model;
    if (!m) return new Int32Array(0);
    const searched = this.search !== '' && !this.info?.loading && !this.info?.events;
    const marks = searched ? (this.searchHits ?? this.searchSoFar?.marks) : undefined;
    if (searched && !marks) return new Int32Array(0);
    if (!searched && this.search !== '' && !this.info?.loading) {
      // A trace kept whole: the search text of each event.
      const out = new Int32Array(m.count);
      let n = 0;
      for (let s = 0; s < m.count; s++) if (this.passes(s)) out[n++] = s;
      return out.slice(0, n);
    }
    const laneHidden = Uint8Array.from(m.nodes, (node) => (this.hiddenNodes.has(node) ? 1 : 0));
    const typeHidden = Uint8Array.from(m.messageTypes, (t) => (this.hiddenTypes.has(t) ? 1 : 0));
    const byNode = this.hiddenNodes.size > 0;
    const byType = this.hiddenTypes.size > 0;
    const { lane, peer, msgOf, mType, count } = m;
    const out = new Int32Array(count);
    let n = 0;
    for (let s = 0; s < count; s++) {
      if (marks && marks[s] !== 1) continue;
      if (byNode) {
        const l = lane[s]!;
        const p = peer[s]!;
        if ((l >= 0 && laneHidden[l] === 1) || (p >= 0 && laneHidden[p] === 1)) continue;
      }
      if (byType) {
        const mi = msgOf[s]!;
        if (mi >= 0 && typeHidden[mType[mi]!] === 1) continue;
      }
      out[n++] = s;
    }
    return out.slice(0, n);
  }

  filtersActive(): boolean {
    return this.hiddenNodes.size > 0 || this.hiddenTypes.size > 0 || this.search !== '';
  }

  /** Next (dir 1) or previous (dir -1) event from the cursor that passes the filters. */
  step(dir: 1 | -1): void {
    const m = this.model;
    if (!m) return;
    for (let s = this.cursor + dir; s >= 0 && s < m.count; s += dir) {
      if (this.passes(s)) {
        this.setCursor(s);
        return;
      }
    }
  }
}
