// The search of a big trace's text, run by the indexer worker (indexer.ts) over the index it built while the
// loader parsed (sim/trace/search-index.ts), and reading events back from the trace's Blob by their byte offsets
// (also the loader's `events`). Matches are posted (`searchHits`) to this worker's parent, which relays them.

import type { JsonValue, TraceEvent } from '../../../sim/engine/types.ts';
import { LineSplitter } from '../../../sim/trace/reader.ts';
import { INDEX_CHUNK, type SearchIndex } from '../../../sim/trace/search-index.ts';
import { rawLineDecides, searchText, stateSearchText } from '../store.ts';
import type { FromLoader } from './protocol.ts';

function post(msg: FromLoader, transfer: Transferable[] = []): void {
  (self as unknown as Worker).postMessage(msg, transfer);
}

/** What a search and `events` read: the trace as a Blob and each line's byte offset, and the index. */
export interface Searchable {
  blob: Blob;
  /** Byte offset of each line's start (header = line 0), then the end of the last line. */
  lineStart: Float64Array;
  count: number;
  /** The search index (big traces only: a small one is searched in the page). */
  index: SearchIndex;
  /**
   * The published states the index holds only the start of (longer than its per-event cap: rare),
   * by the seq of their event: a search checks them without reading and parsing their lines again.
   */
  stateBySeq: Map<number, { node: string; state: JsonValue }>;
}

/** The newest search: an older one still running stops (`gen` bumped by each search). */
export const searches = { gen: 0 };

export async function* chunksOf(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    yield value;
  }
}

/** Let queued messages run before going on. */
export function yieldToTasks(): Promise<void> {
  return new Promise((ok) => setTimeout(ok, 0));
}

/** Events [from, to), read back from the Blob by their byte offsets. */
export async function events(l: Pick<Searchable, 'blob' | 'lineStart' | 'count'>, from: number, to: number): Promise<TraceEvent[]> {
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
export async function search(l: Searchable, query: string, gen: number, scan: boolean, near?: [number, number], id?: number): Promise<Uint8Array | undefined> {
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
        if (gen !== searches.gen) return undefined;
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
        if (gen !== searches.gen) return undefined;
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
      if (gen !== searches.gen) return undefined;
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
    if (gen !== searches.gen) return undefined;
  }
  splitter.end();
  return marks;
}

