// A text index of a trace's events for the viewer's search: the search text of
// each event (`#seq description`, lower case; `searchText` in ui/src/store.ts)
// kept as a few large strings of CHUNK events each, one event a line, with each
// event's offset in its chunk. A search is then `indexOf` over the chunks
// (tens of ms for a million events) instead of parsing every line of the file.
// "→" is stored as "\x01" so that a chunk stays a one-byte string (half the
// memory: about 45 bytes per event); queries are mapped the same way. A query
// never contains "\n" (the search box is one line), so a match never spans two
// events. Built one event at a time (`add`), up to a character budget; events
// past it are not indexed (`indexed` says how many are) and the caller
// searches them another way. An event's text longer than `maxEventChars` (a
// Raft state with its whole log, say) is indexed by its first `maxEventChars`
// characters and listed in `long`: a query not found in that prefix may still
// be in the rest, so the caller checks those few events' full text (see
// `unsure`). The cap keeps a Raft trace (about 280 characters an event, a few
// events of many KB) at 1M events within the budget.

/** Events per chunk string. */
export const INDEX_CHUNK = 8192;
const ARROW = '\x01';

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
  /** Characters in finished chunks. */
  chars = 0;

  /** `maxChars`: stop accepting events once the finished chunks hold this many characters; `chunk`: events per chunk; `maxEventChars`: characters kept of one event's text. */
  constructor(
    private readonly maxChars = 320_000_000,
    private readonly chunk = INDEX_CHUNK,
    private readonly maxEventChars = 1024,
  ) {}

  /** Is the budget used up (further `add`s are ignored)? */
  get full(): boolean {
    return this.chars >= this.maxChars;
  }

  /**
   * Add the search text of the next event (in seq order). Lower-casing and the "→" mapping are
   * done once per chunk at `flush` (one pass over a few hundred KB instead of two per event);
   * text already in lower case is fine too.
   */
  add(text: string): void {
    if (this.full) return;
    let t = text;
    if (t.length > this.maxEventChars) {
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
    this.chunks.push(chunk.replaceAll('→', ARROW));
    this.starts.push(Int32Array.from(this.offsets));
    this.indexed += this.parts.length;
    this.chars += this.len;
    this.parts = [];
    this.offsets = [];
    this.len = 0;
  }

  /** Set marks[seq] = 1 for each indexed event whose search text contains `query` (lower case, no "\n"). */
  search(query: string, marks: Uint8Array): void {
    const q = query.replaceAll('→', ARROW);
    let first = 0;
    this.chunks.forEach((c, k) => {
      const st = this.starts[k] as Int32Array;
      let j = 0;
      let p = c.indexOf(q);
      while (p >= 0) {
        while ((st[j + 1] as number) <= p) j++;
        marks[first + j] = 1;
        p = c.indexOf(q, st[j + 1] as number);
      }
      first += st.length - 1;
    });
  }

  /** The indexed events cut to `maxEventChars` that `search` did not mark: whether they match needs their full text. */
  unsure(marks: Uint8Array): number[] {
    return this.long.filter((seq) => seq < this.indexed && marks[seq] !== 1);
  }
}
