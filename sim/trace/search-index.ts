// A text index of a trace's events for the viewer's search: the search text of
// each event (`#seq description`, lower case; `searchText` in ui/src/store.ts)
// kept as a few large strings of CHUNK events each, one event a line, with each
// event's offset in its chunk. A search is then `indexOf` over the chunks
// instead of parsing every line of the file. "→" is stored as ARROW ("\x01")
// so that a chunk stays a one-byte string (one byte per character; a two-byte
// string takes twice the memory and V8 keeps a string two-byte once any part
// of it was: the worker writes its texts with ARROW already, see
// `eventTextOfLine`); queries are mapped the same way. A query never contains
// "\n" (the search box is one line), so a match never spans two events. Built
// one event at a time (`add`), up to a character budget; events past it are
// not indexed (`indexed` says how many are) and the caller searches them
// another way. An event's text longer than `maxEventChars` (64K characters by
// default: a Raft state with its whole log is a few KB) is indexed by its first
// `maxEventChars` characters and listed in `long`: a query not found in that
// prefix may still be in the rest, so the caller checks those few events' full
// text (see `unsure`, which skips those lacking one of the query's pairs of
// adjacent characters, by a 1,024-bit signature of each such event's text).

/** Bits of a long event's character-pair signature (see `pairSignature`): 32 words. */
const SIG_WORDS = 32;

/** One character code as the signature sees it: ASCII letters lower-cased, every non-ASCII code unit one bucket. */
function fold(c: number): number {
  return c >= 65 && c <= 90 ? c | 32 : c >= 128 ? 128 : c;
}

/**
 * Set in `out` (SIG_WORDS words from `at`) one bit per pair of adjacent characters of
 * `text.toLowerCase()`, hashed. A query found in the text has all its pairs' bits set there, so
 * an event whose signature lacks one of the query's bits cannot match (a filter, never a
 * false "no"). Text with non-ASCII characters is lower-cased first (some lower-case to other
 * lengths or to ASCII letters); ASCII is folded on the fly.
 */
export function pairSignature(text: string, out: Uint32Array, at = 0): void {
  let t = text;
  for (let i = 0; i < t.length; i++) {
    if (t.charCodeAt(i) >= 128) {
      t = t.toLowerCase();
      break;
    }
  }
  let a = t.length > 0 ? fold(t.charCodeAt(0)) : 0;
  for (let i = 1; i < t.length; i++) {
    const b = fold(t.charCodeAt(i));
    const h = (Math.imul(a, 0x9e3779b1) ^ Math.imul(b + 1, 0x85ebca6b)) >>> 22; // 10 bits: 0..1023
    out[at + (h >>> 5)]! |= 1 << (h & 31);
    a = b;
  }
}

/** Events per chunk string. */
export const INDEX_CHUNK = 8192;
/** How the index stores "→" (one byte); texts may be added with it already. */
export const ARROW = '\x01';

export class SearchIndex {
  private readonly chunks: string[] = [];
  /** Per chunk: the offset of each of its events in the chunk, then the chunk's length + 1. */
  private readonly starts: Int32Array[] = [];
  private parts: string[] = [];
  private offsets: number[] = [];
  private len = 0;
  /** Events in finished chunks (searchable). */
  indexed = 0;
  /** Index (seq) of each event whose text was cut to `maxEventChars`, ascending. */
  readonly long: number[] = [];
  /** The character-pair signature of each `long` event's whole text (SIG_WORDS words each, same order). */
  private sigs = new Uint32Array(SIG_WORDS * 64);
  /** Characters in finished chunks. */
  chars = 0;

  /** `maxChars`: stop accepting events once the finished chunks hold this many characters; `chunk`: events per chunk; `maxEventChars`: characters kept of one event's text. */
  constructor(
    private readonly maxChars = 400_000_000,
    private readonly chunk = INDEX_CHUNK,
    private readonly maxEventChars = 1 << 16,
  ) {}

  /** Is the budget used up (further `add`s are ignored)? */
  get full(): boolean {
    return this.chars >= this.maxChars;
  }

  /**
   * Add the search text of the next event (in seq order). Lower-casing and the "→" mapping are
   * done once per chunk at `flush` (one pass over a few hundred KB instead of two per event);
   * text already in lower case, or with ARROW for "→", is fine too (and keeps the chunk one-byte).
   */
  add(text: string): void {
    if (this.full) return;
    let t = text;
    if (t.length > this.maxEventChars) {
      const k = this.long.length;
      if ((k + 1) * SIG_WORDS > this.sigs.length) {
        const b = new Uint32Array(this.sigs.length * 2);
        b.set(this.sigs);
        this.sigs = b;
      }
      pairSignature(t, this.sigs, k * SIG_WORDS);
      this.long.push(this.indexed + this.parts.length);
      t = t.slice(0, this.maxEventChars);
    }
    this.offsets.push(this.len);
    this.parts.push(t);
    this.len += t.length + 1;
    if (this.parts.length === this.chunk) this.flush();
  }

  /** Finish the last partial chunk (call at the end of the trace). */
  flush(): void {
    if (this.parts.length === 0) return;
    const raw = this.parts.join('\n');
    let chunk = raw.toLowerCase();
    // A character whose lower case has another length (İ) shifts the offsets: lower-case event by event then.
    if (chunk.length !== raw.length) {
      const lower = this.parts.map((p) => p.toLowerCase());
      this.offsets = [];
      this.len = 0;
      for (const p of lower) {
        this.offsets.push(this.len);
        this.len += p.length + 1;
      }
      chunk = lower.join('\n');
    }
    this.offsets.push(this.len);
    // Only when some text has a "→" left: replaceAll returns a two-byte string even for one-byte input.
    this.chunks.push(chunk.includes('→') ? chunk.replaceAll('→', ARROW) : chunk);
    this.starts.push(Int32Array.from(this.offsets));
    this.indexed += this.parts.length;
    this.chars += this.len;
    this.parts = [];
    this.offsets = [];
    this.len = 0;
  }

  /** Set marks[seq] = 1 for each indexed event whose search text contains `query` (lower case, no "\n"). */
  search(query: string, marks: Uint8Array): void {
    for (let k = 0; k < this.chunks.length; k++) this.searchChunk(k, query, marks);
  }

  /** Finished chunks (searchable one at a time by `searchChunk`). */
  get chunkCount(): number {
    return this.chunks.length;
  }

  /** The seq of chunk k's first event (k = chunkCount: `indexed`). */
  chunkStart(k: number): number {
    return k * this.chunk;
  }

  /**
   * `search` over chunk k only: set marks[seq] = 1 for each of its events whose text contains
   * `query`; returns how many it marked (events already marked count too). Searching chunk by chunk
   * lets a caller answer the visible events first and the rest as it goes.
   */
  searchChunk(k: number, query: string, marks: Uint8Array, onHit?: (seq: number) => void): number {
    const q = query.replaceAll('→', ARROW);
    const c = this.chunks[k] as string;
    const st = this.starts[k] as Int32Array;
    const first = this.chunkStart(k);
    let n = 0;
    let j = 0;
    let p = c.indexOf(q);
    while (p >= 0) {
      while ((st[j + 1] as number) <= p) j++;
      marks[first + j] = 1;
      onHit?.(first + j);
      n++;
      p = c.indexOf(q, st[j + 1] as number);
    }
    return n;
  }

  /**
   * The indexed events cut to `maxEventChars` that `search` did not mark and whose whole text
   * may contain `query` (lower case; by the signature of its character pairs: every event
   * whose text does contain it is listed, most that do not are not): whether they match needs
   * their full text. Without `query`, every such event.
   */
  unsure(marks: Uint8Array, query?: string): number[] {
    const q = new Uint32Array(SIG_WORDS);
    if (query !== undefined) pairSignature(query, q);
    const out: number[] = [];
    this.long.forEach((seq, k) => {
      if (seq >= this.indexed || marks[seq] === 1) return;
      const at = k * SIG_WORDS;
      for (let w = 0; w < SIG_WORDS; w++) if ((q[w]! & this.sigs[at + w]!) >>> 0 !== q[w]!) return;
      out.push(seq);
    });
    return out;
  }
}
