// A text index of a trace's events for the viewer's search: the search text of
// each event (`#seq description`, lower case; `searchText` in ui/src/store.ts)
// kept as a few large strings of CHUNK events each, one event a line, with each
// event's offset in its chunk. A search is then `indexOf` over the chunks
// instead of parsing every line of the file. Within a chunk, the events of each
// group (`add`'s second argument: the viewer puts published states, sends and
// the rest in three) are kept in a string of their own (a "piece"); once built
// (`buildFilter`, after the load), a piece's trigram filter (65,536 bits, one
// per hashed run of three characters) lets a search skip the pieces lacking
// one of the query's trigrams: a query for a message type skips the states,
// most of a Raft trace's text, never a piece that contains the query. "→" is stored as ARROW ("\x01")
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

/** Events per chunk. */
export const INDEX_CHUNK = 8192;
/** How the index stores "→" (one byte); texts may be added with it already. */
export const ARROW = '\x01';

/** Words of a piece's trigram filter (see `trigramFilter`): 65,536 bits. */
const TRI_WORDS = 2048;

/** The filter bit of the three character codes a, b, c (0..65535). */
function triBit(a: number, b: number, c: number): number {
  return (Math.imul(a, 0x9e3779b1) ^ Math.imul(b + 1, 0x85ebca6b) ^ Math.imul(c + 7, 0xc2b2ae35)) >>> 16;
}

/** One bit per (hashed) run of three characters of `text`: a text containing a query has all the query's bits set. */
export function trigramFilter(text: string, out = new Uint32Array(TRI_WORDS)): Uint32Array {
  if (text.length < 3) return out;
  let a = text.charCodeAt(0);
  let b = text.charCodeAt(1);
  for (let i = 2; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const h = triBit(a, b, c);
    out[h >>> 5]! |= 1 << (h & 31);
    a = b;
    b = c;
  }
  return out;
}

/** Does `filter` have every bit of `query`'s trigrams (`query`: at least three characters)? */
function mayContain(filter: Uint32Array, query: string): boolean {
  for (let i = 2; i < query.length; i++) {
    const h = triBit(query.charCodeAt(i - 2), query.charCodeAt(i - 1), query.charCodeAt(i));
    if ((filter[h >>> 5]! & (1 << (h & 31))) === 0) return false;
  }
  return true;
}

/** The texts of one group of a chunk's events, one event a line. */
interface Piece {
  text: string;
  /** The offset of each of its events in `text`, then the text's length + 1. */
  starts: Int32Array;
  /** The seq of each of its events. */
  seqs: Int32Array;
  /** Its trigram filter, once built (`buildFilter`): a query with a trigram it lacks is not in `text`. */
  filter: Uint32Array | undefined;
}

/** Events of one group being gathered for the current chunk. */
interface Pending {
  parts: string[];
  offsets: number[];
  seqs: number[];
  len: number;
}

export class SearchIndex {
  /** Per chunk: one piece per group of events it has (see `add`). */
  private readonly chunks: Piece[][] = [];
  private pending: Pending[] = [];
  /** Events added to the current chunk. */
  private inChunk = 0;
  /** Events in finished chunks (searchable). */
  indexed = 0;
  /** Index (seq) of each event whose text was cut to `maxEventChars`, ascending. */
  readonly long: number[] = [];
  /** The character-pair signature of each `long` event's whole text (SIG_WORDS words each, same order). */
  private sigs = new Uint32Array(SIG_WORDS * 64);
  /** Characters in finished chunks. */
  chars = 0;
  /** Pieces with a trigram filter (in chunk order; see `buildFilter`). */
  private filtered = 0;
  private readonly pieces: Piece[] = [];

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
   * `group` (a small integer): events of one group are kept in a text of their own within each
   * chunk, with its own trigram filter, so that a query absent from a group (a message type from
   * the published states, say) skips that group's texts. Which events share a group changes only
   * speed, never what a search finds.
   */
  add(text: string, group = 0): void {
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
      this.long.push(this.indexed + this.inChunk);
      t = t.slice(0, this.maxEventChars);
    }
    let p = this.pending[group];
    if (!p) {
      for (let g = this.pending.length; g <= group; g++) this.pending[g] ??= { parts: [], offsets: [], seqs: [], len: 0 };
      p = this.pending[group]!;
    }
    p.offsets.push(p.len);
    p.parts.push(t);
    p.seqs.push(this.indexed + this.inChunk);
    p.len += t.length + 1;
    if (++this.inChunk === this.chunk) this.flush();
  }

  /** Finish the last partial chunk (call at the end of the trace). */
  flush(): void {
    if (this.inChunk === 0) return;
    const pieces: Piece[] = [];
    for (const p of this.pending) {
      if (p.parts.length === 0) continue;
      const raw = p.parts.join('\n');
      let text = raw.toLowerCase();
      let offsets = p.offsets;
      let len = p.len;
      // A character whose lower case has another length (İ) shifts the offsets: lower-case event by event then.
      if (text.length !== raw.length) {
        const lower = p.parts.map((x) => x.toLowerCase());
        offsets = [];
        len = 0;
        for (const x of lower) {
          offsets.push(len);
          len += x.length + 1;
        }
        text = lower.join('\n');
      }
      offsets.push(len);
      // Only when some text has a "→" left: replaceAll returns a two-byte string even for one-byte input.
      pieces.push({ text: text.includes('→') ? text.replaceAll('→', ARROW) : text, starts: Int32Array.from(offsets), seqs: Int32Array.from(p.seqs), filter: undefined });
      this.chars += len;
      p.parts = [];
      p.offsets = [];
      p.seqs = [];
      p.len = 0;
    }
    this.chunks.push(pieces);
    this.pieces.push(...pieces);
    this.indexed += this.inChunk;
    this.inChunk = 0;
  }

  /**
   * Build the trigram filter of the next piece without one; false when every piece has one.
   * Optional (a search reads a piece's filter when it is there): call it after the load, a few
   * pieces at a time.
   */
  buildFilter(): boolean {
    const p = this.pieces[this.filtered];
    if (!p) return false;
    p.filter = trigramFilter(p.text);
    this.filtered++;
    return true;
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
   * lets a caller answer the visible events first and the rest as it goes. A piece whose trigram
   * filter lacks one of the query's trigrams is skipped.
   */
  searchChunk(k: number, query: string, marks: Uint8Array, onHit?: (seq: number) => void): number {
    const q = query.replaceAll('→', ARROW);
    let n = 0;
    for (const piece of this.chunks[k] ?? []) {
      if (piece.filter && q.length >= 3 && !mayContain(piece.filter, q)) continue;
      const c = piece.text;
      const st = piece.starts;
      let j = 0;
      let p = c.indexOf(q);
      while (p >= 0) {
        while ((st[j + 1] as number) <= p) j++;
        const seq = piece.seqs[j] as number;
        marks[seq] = 1;
        onHit?.(seq);
        n++;
        p = c.indexOf(q, st[j + 1] as number);
      }
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
