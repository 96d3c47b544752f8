// What the indexer worker (indexer.ts) builds from a trace's bytes, on the core the loader's parse leaves free:
// the search index (sim/trace/search-index.ts), the packed published states (sim/trace/packed-states.ts), each
// line's byte offset, and the trace as a Blob (a fetched stream gathered as it passes). A published state's or a
// message's line, as the trace writer writes it, is not parsed here: its head (seq, t, node or ends, id) is, and
// its body is taken from the line as written (`bodyOfLine`, as `eventTextOfLine` does); the loader's `JSON.parse`
// of the whole line checks it. Any other line is parsed whole. The loader rejects a malformed trace (its error is
// shown), so this ignores what it cannot read. No DOM or worker API: tested in Node.

import type { JsonValue, TraceEvent } from '../../../sim/engine/types.ts';
import { PackedStatesBuilder, type PackedStates } from '../../../sim/trace/packed-states.ts';
import { isFooter, LineSplitter } from '../../../sim/trace/reader.ts';
import { ARROW, SearchIndex } from '../../../sim/trace/search-index.ts';
import { lastScan, scanEventHead, UNPARSED } from '../../../sim/trace/scan.ts';
import { eventText, eventTextOfLine, stateBodyOfLine } from '../store.ts';

/**
 * The index's groups (see `SearchIndex.add`): published states (most of a big trace's text), sends (their messages),
 * and every other event (short descriptions), so that a query absent from states or messages skips their texts.
 */
export const GROUP = { other: 0, send: 1, state: 2 } as const;

/** The index group of an event. */
export function groupOf(ev: TraceEvent): number {
  return ev.type === 'state' ? GROUP.state : ev.type === 'send' ? GROUP.send : GROUP.other;
}

/** Gathers streamed chunks into a Blob as they pass, a few MB at a time. */
export class BlobGatherer {
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

/**
 * Packs the published states of a trace as its reader reads them (the loader worker, past its keep limit, reads
 * states by their heads only: sim/trace/scan.ts): each state's JSON taken from its line as written.
 */
export class StatePacker {
  private readonly packed = new PackedStatesBuilder();

  /** `ev`: the event the reader gave for `line` (parsed, or scanned with its state UNPARSED: then just scanned). */
  add(ev: TraceEvent, line: string): void {
    if (ev.type !== 'state') return;
    const body = ev.state === (UNPARSED as unknown) ? line.slice(lastScan.bodyStart, line.length - 1) : stateBodyOfLine(ev, line);
    this.packed.add(ev.seq, ev.t, ev.node, body);
  }

  finish(): PackedStates {
    return this.packed.finish();
  }
}

/**
 * Builds the index, the packed states (unless `packStates` is off: the loader worker packs them) and the line
 * offsets of a trace from its bytes, chunk by chunk.
 */
export class IndexBuilder {
  readonly index: SearchIndex;
  private readonly packed = new PackedStatesBuilder();
  /** The published states the index holds only the start of (see `Searchable.stateBySeq` in search.ts). */
  readonly stateBySeq = new Map<number, { node: string; state: JsonValue }>();
  /** Byte offset of each line's start (header = line 0), then the end of the last line (after `end`). */
  lineStart = new Float64Array(1 << 16);
  lines = 0;
  private endByte = 0;
  /** Event lines read. */
  events = 0;
  /** Time spent on the lines (ms), not counting splitting. */
  ms = 0;
  private readonly splitter: LineSplitter;

  constructor(
    index = new SearchIndex(),
    private readonly packStates = true,
  ) {
    this.index = index;
    this.splitter = new LineSplitter((text, start, length) => {
      if (this.lines + 2 > this.lineStart.length) {
        const b = new Float64Array(this.lineStart.length * 2);
        b.set(this.lineStart);
        this.lineStart = b;
      }
      this.lineStart[this.lines++] = start;
      this.endByte = start + length;
      if (this.lines === 1) return; // the header
      const t = performance.now();
      try {
        this.take(text);
      } catch {
        // A line the loader rejects (its error is shown) or a cut-off last line (not an event).
      }
      this.ms += performance.now() - t;
    });
  }

  push(bytes: Uint8Array): void {
    this.splitter.push(bytes);
  }

  /**
   * The end of the bytes: the index finished, the packed states (this builder keeps none). `count`: the events the
   * loader accepted, if it knows (a cut-off last line it rejected may look like a state here): states past it are dropped.
   */
  end(count = Infinity): PackedStates {
    try {
      this.splitter.end();
    } catch {
      // As for a line above.
    }
    this.index.flush();
    this.lineStart[this.lines] = this.endByte;
    this.packed.dropFrom(count);
    return this.packed.finish();
  }

  private indexText(seq: number, text: string, state: { node: string; body: string } | undefined, group: number): void {
    const long = this.index.long.length;
    this.index.add(text, group);
    if (this.index.long.length > long && state) this.stateBySeq.set(seq, { node: state.node, state: JSON.parse(state.body) as JsonValue });
  }

  /** One event line (or the footer): its search text and, for a published state, its packed body. */
  private take(line: string): void {
    // A line as the trace writer writes it (a state, a send, a delivery, a timer: sim/trace/scan.ts) is read by its
    // fields, a state's or message's body taken as written; any other line (another type, a node name with an
    // escape, another spelling) goes the general way below.
    const sc = scanEventHead(line);
    if (sc) {
      const seq = this.events++;
      if (sc.type === 'state') {
        const body = line.slice(lastScan.bodyStart, line.length - 1);
        if (this.packStates) this.packed.add(seq, sc.t, sc.node, body);
        this.indexText(seq, `#${seq} ${sc.node} state ${body}`, { node: sc.node, body }, GROUP.state);
      } else if (sc.type === 'send') {
        this.indexText(seq, `#${seq} ${sc.from} ${ARROW} ${sc.to} send #${sc.id} ${line.slice(lastScan.bodyStart, line.length - 1)}`, undefined, GROUP.send);
      } else this.indexText(seq, eventText(sc, ARROW), undefined, groupOf(sc));
      return;
    }
    const doc = JSON.parse(line) as unknown;
    if (isFooter(doc)) return;
    const ev = doc as TraceEvent;
    const seq = this.events++;
    if (ev.type === 'state') {
      const body = stateBodyOfLine(ev, line);
      if (this.packStates) this.packed.add(seq, ev.t, ev.node, body);
      this.indexText(seq, eventTextOfLine(ev, line, ARROW), { node: ev.node, body }, GROUP.state);
    } else this.indexText(seq, eventTextOfLine(ev, line, ARROW), undefined, groupOf(ev));
  }
}
