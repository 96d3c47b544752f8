// Reading a trace line by line, for files of any size. Pure (no fs): the CLI
// hands it a Node read stream, the viewer's loader worker a Blob or fetch
// stream, tests a string. Three layers:
//
// - `LineSplitter`: byte chunks -> lines, with each line's byte offset in the
//   file (the viewer reads one event back from its offset instead of keeping
//   the text). UTF-8 is decoded once per chunk, never per line.
// - `TraceReader`: lines -> header, events, footer, checked as `parseTrace`
//   checks them (same messages: `file: line N: what was expected`), with the
//   footer hash recomputed incrementally. It never holds more than one line.
// - `readTrace(chunks, opts)`: the two over an async iterable of chunks.
//
// Memory: O(longest line) plus whatever the `onEvent` callback keeps.

import { TraceHasher } from '../engine/trace.ts';
import type { TraceEvent, TraceEventType, TraceFooter, TraceHeader } from '../engine/types.ts';
import { InputError } from '../scenario/errors.ts';

type Field = 'string' | 'number' | 'array' | 'any';

/** Required fields of each event type (beyond seq, t, type): a light check that catches hand-edited or foreign files. */
export const EVENT_FIELDS: Record<TraceEventType, Record<string, Field>> = {
  send: { id: 'number', from: 'string', to: 'string', msg: 'any' },
  deliver: { id: 'number', from: 'string', to: 'string' },
  drop: { id: 'number', from: 'string', to: 'string', reason: 'string' },
  duplicate: { id: 'number', of: 'number', from: 'string', to: 'string' },
  timer: { node: 'string', name: 'string' },
  start: { node: 'string' },
  crash: { node: 'string' },
  restart: { node: 'string' },
  pause: { node: 'string' },
  resume: { node: 'string' },
  partition: { label: 'string', blocked: 'array' },
  heal: { label: 'string', blocked: 'array' },
  network: { loss: 'number' },
  slow: { node: 'string', factor: 'number' },
  clock: { node: 'string', offset: 'number', drift: 'number' },
  disk: { node: 'string', op: 'string', key: 'string' },
  state: { node: 'string', state: 'any' },
  invoke: { node: 'string', op: 'number', process: 'string', f: 'string' },
  return: { node: 'string', op: 'number', process: 'string', outcome: 'string' },
  log: { node: 'string', text: 'string' },
  violation: { invariant: 'string', message: 'string', cause: 'number' },
};

export const EVENT_TYPES = Object.keys(EVENT_FIELDS) as TraceEventType[];

/** EVENT_FIELDS as lists, computed once (checkEvent runs per line). */
const FIELD_LISTS = new Map<string, [string, Field][]>(Object.entries(EVENT_FIELDS).map(([t, f]) => [t, Object.entries(f)]));

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function fieldOk(v: unknown, f: Field): boolean {
  if (f === 'any') return v !== undefined;
  if (f === 'array') return Array.isArray(v);
  if (f === 'number') return typeof v === 'number' && Number.isFinite(v);
  return typeof v === 'string';
}

/** A blank line, without copying a non-blank one (a JSON line starts with "{"). */
function isBlank(text: string): boolean {
  return text.length === 0 || (text.charCodeAt(0) !== 123 && text.trim() === '');
}

function short(line: string): string {
  return line.length > 60 ? `${line.slice(0, 57)}...` : line;
}

export function checkHeader(doc: unknown, file: string | undefined): TraceHeader {
  const where = 'line 1';
  if (!isObject(doc)) throw new InputError('expected the trace header (a JSON object) on the first line', file, where);
  if (doc.format !== 'faultline-trace') {
    throw new InputError(`not a Faultline trace: expected "format": "faultline-trace" in the header (got ${JSON.stringify(doc.format ?? null)})`, file, where);
  }
  if (doc.version !== 1) throw new InputError(`unsupported trace version ${JSON.stringify(doc.version ?? null)}; this viewer reads version 1`, file, where);
  for (const k of ['scenario', 'protocol', 'seed'] as const) {
    if (typeof doc[k] !== 'string') throw new InputError(`header field "${k}" must be a string`, file, where);
  }
  const nodes = doc.nodes;
  if (!Array.isArray(nodes) || !nodes.every((n) => isObject(n) && typeof n.id === 'string' && typeof n.role === 'string')) {
    throw new InputError('header field "nodes" must be a list of {id, role}', file, where);
  }
  if (doc.timeline !== undefined && !Array.isArray(doc.timeline)) throw new InputError('header field "timeline" must be a list', file, where);
  return { ...(doc as unknown as TraceHeader), timeline: (doc.timeline as TraceHeader['timeline'] | undefined) ?? [] };
}

export function checkEvent(doc: unknown, expectedSeq: number, lastT: number, file: string | undefined, lineNo: number): TraceEvent {
  const where = `line ${lineNo}`;
  if (!isObject(doc)) throw new InputError('expected an event (a JSON object)', file, where);
  const type = doc.type;
  if (typeof type !== 'string') throw new InputError('event has no "type"', file, where);
  const fields = FIELD_LISTS.get(type);
  if (!fields) throw new InputError(`unknown event type "${type}"; expected one of: ${EVENT_TYPES.join(', ')}`, file, where);
  if (doc.seq !== expectedSeq) throw new InputError(`expected event seq ${expectedSeq} (events are numbered from 0, one per line), got ${JSON.stringify(doc.seq ?? null)}`, file, where);
  if (typeof doc.t !== 'number' || !Number.isFinite(doc.t)) throw new InputError(`${type} event: "t" must be a number of µs`, file, where);
  if (doc.t < lastT) throw new InputError(`time goes backwards: t=${doc.t} after t=${lastT}`, file, where);
  for (const [k, f] of fields) {
    if (!fieldOk(doc[k], f)) throw new InputError(`${type} event: field "${k}" must be ${f === 'any' ? 'present' : `a ${f}`}`, file, where);
  }
  return doc as unknown as TraceEvent;
}

export function isFooter(doc: unknown): doc is TraceFooter {
  return isObject(doc) && doc.type === 'end' && typeof doc.hash === 'string' && !('seq' in doc);
}

/**
 * Splits byte chunks into lines. `onLine(text, byteStart, byteLength, terminated)`:
 * text without its "\n"; byteStart/byteLength locate the line (with its "\n")
 * in the whole input; `terminated` is false only for a last line with no "\n".
 * Decodes UTF-8 once per chunk (a "\n" byte never occurs inside a multi-byte
 * character, so byte and text line boundaries correspond one to one).
 */
export class LineSplitter {
  private carry: Uint8Array = new Uint8Array(0);
  private base = 0;
  private linesSeen = 0;
  private readonly decoder: TextDecoder;

  /**
   * `strict`: invalid UTF-8 throws InputError("expected UTF-8 text, found an invalid byte sequence at
   * byte N", file, "line L") instead of decoding to U+FFFD.
   */
  constructor(
    private readonly onLine: (text: string, byteStart: number, byteLength: number, terminated: boolean) => void,
    private readonly strict?: { file: string | undefined },
  ) {
    this.decoder = new TextDecoder('utf-8', { ignoreBOM: true, fatal: strict !== undefined });
  }

  /** `bytes` end just before a "\n" (push), or at the end of the input (end). */
  private decode(bytes: Uint8Array, atEnd = false): string {
    try {
      return this.decoder.decode(bytes);
    } catch {
      // Find the first bad byte for the message (the decoder does not say where).
      const ok = (n: number): boolean => {
        try {
          new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes.subarray(0, n), { stream: true });
          return true;
        } catch {
          return false;
        }
      };
      // Before a "\n", a sequence cut short at the end is bad at the "\n" itself (as in a whole-file read).
      let lo = 0;
      let hi = atEnd ? bytes.length : bytes.length + 1;
      while (hi - lo > 1) {
        const mid = (lo + hi) >>> 1;
        if (ok(mid)) lo = mid;
        else hi = mid;
      }
      let line = this.linesSeen + 1;
      for (let i = bytes.indexOf(10); i >= 0 && i < lo; i = bytes.indexOf(10, i + 1)) line++;
      throw new InputError(`expected UTF-8 text, found an invalid byte sequence at byte ${this.base + lo}`, this.strict?.file, `line ${line}`);
    }
  }

  /** Bytes consumed so far (including the carried partial line). */
  get bytes(): number {
    return this.base + this.carry.length;
  }

  push(chunk: Uint8Array): void {
    let buf = chunk;
    if (this.carry.length > 0) {
      buf = new Uint8Array(this.carry.length + chunk.length);
      buf.set(this.carry, 0);
      buf.set(chunk, this.carry.length);
    }
    const last = buf.lastIndexOf(10);
    if (last < 0) {
      this.carry = buf === chunk ? chunk.slice() : buf;
      return;
    }
    const text = this.decode(buf.subarray(0, last));
    let bytePos = 0;
    let strPos = 0;
    // As many UTF-16 units as bytes: every byte decoded to one unit (no sequence decodes to more units than bytes,
    // a multi-byte one to fewer), so a line's byte offsets are its text offsets: one search per line, not two.
    if (text.length === last) {
      while (strPos <= last) {
        let ns = text.indexOf('\n', strPos);
        if (ns < 0) ns = last;
        this.linesSeen++;
        this.onLine(text.slice(strPos, ns), this.base + strPos, ns - strPos + 1, true);
        strPos = ns + 1;
      }
      this.base += last + 1;
      this.carry = buf.slice(last + 1);
      return;
    }
    while (bytePos <= last) {
      const nb = buf.indexOf(10, bytePos);
      let ns = text.indexOf('\n', strPos);
      if (ns < 0) ns = text.length;
      this.linesSeen++;
      this.onLine(text.slice(strPos, ns), this.base + bytePos, nb - bytePos + 1, true);
      bytePos = nb + 1;
      strPos = ns + 1;
    }
    this.base += last + 1;
    this.carry = buf.slice(last + 1);
  }

  /** End of input: a last line without "\n" is passed with terminated = false. */
  end(): void {
    if (this.carry.length > 0) {
      const text = this.decode(this.carry, true);
      this.linesSeen++;
      this.onLine(text, this.base, this.carry.length, false);
      this.base += this.carry.length;
      this.carry = new Uint8Array(0);
    }
  }
}

export interface TraceReaderOptions {
  /** Shown in messages ("trace.jsonl: line 12: ..."). */
  file?: string;
  /** Recompute SHA-256 of the bytes before the footer and compare with the footer's hash. */
  verifyHash?: boolean;
}

/** What a whole read found, apart from the events (which went to the callback). */
export interface TraceSummary {
  header: TraceHeader;
  /** Undefined when the trace is truncated. */
  footer: TraceFooter | undefined;
  /** Number of events read. */
  events: number;
  /** Lines read (header, events, footer). */
  lines: number;
  /** Things the user should know that do not stop the trace from loading (truncation, count or hash mismatch). */
  warnings: string[];
  /** 'ok' when the footer's hash matches the bytes before it; 'mismatch'; 'unchecked' (no footer or not asked). */
  hash: 'ok' | 'mismatch' | 'unchecked';
}

/**
 * Checks a trace one line at a time. Call `line()` for each line in order
 * (text without its "\n"), then `end()`. Throws InputError for anything
 * malformed; a truncated trace ends with a warning. Events go to `onEvent`.
 */
export class TraceReader {
  header: TraceHeader | undefined;
  footer: TraceFooter | undefined;
  events = 0;
  lines = 0;
  readonly warnings: string[] = [];
  private lastT = 0;
  private stopped = false;
  private blankFirst = false;
  private readonly hasher: TraceHasher | undefined;
  /**
   * Read an event line's fields without parsing all of it, when it can (`scanEventHead` in scan.ts: a state's or
   * a send's line as the writer writes it, its body not parsed); a line it returns undefined for is parsed.
   * The event is checked as a parsed one is. Off by default; the viewer's loader turns it on once it keeps no bodies. Never used on a
   * line with no "\\n" (a cut-off last line is parsed, so that it is reported as such).
   */
  scan: ((line: string) => TraceEvent | undefined) | undefined;

  constructor(
    private readonly onEvent: (ev: TraceEvent) => void,
    private readonly opts: TraceReaderOptions = {},
  ) {
    this.hasher = opts.verifyHash ? new TraceHasher() : undefined;
  }

  line(text: string, terminated = true): void {
    if (this.stopped) return;
    const file = this.opts.file;
    const lineNo = ++this.lines;
    if (this.header === undefined) {
      if (text.trim() === '') {
        // Maybe the whole input is blank (an "empty trace"); decided by the next non-blank line or the end.
        this.blankFirst = true;
        return;
      }
      if (this.blankFirst) throw new InputError('the first line is not JSON (a trace starts with its header): ', file, 'line 1');
      let doc: unknown;
      try {
        doc = JSON.parse(text);
      } catch {
        throw new InputError(`the first line is not JSON (a trace starts with its header): ${short(text)}`, file, 'line 1');
      }
      this.header = checkHeader(doc, file);
      this.hasher?.update(`${text}\n`);
      return;
    }
    if (this.footer) throw new InputError('unexpected line after the end line', file, `line ${lineNo}`);
    if (isBlank(text)) throw new InputError('empty line inside the trace', file, `line ${lineNo}`);
    let doc: unknown;
    try {
      // A cut-off last line is never scanned (its head may be whole where its body is not).
      doc = (terminated ? this.scan?.(text) : undefined) ?? JSON.parse(text);
    } catch (err) {
      if (!terminated) {
        this.warnings.push(`the trace is truncated: line ${lineNo} is cut off mid-line; showing the ${this.events} events before it`);
        this.stopped = true;
        return;
      }
      throw new InputError(`not valid JSON (${err instanceof Error ? err.message : String(err)}): ${short(text)}`, file, `line ${lineNo}`);
    }
    if (isFooter(doc)) {
      this.footer = doc;
      return;
    }
    const ev = checkEvent(doc, this.events, this.lastT, file, lineNo);
    this.lastT = ev.t;
    this.events++;
    this.hasher?.update(`${text}\n`);
    this.onEvent(ev);
  }

  end(): TraceSummary {
    if (!this.header) {
      throw new InputError('the trace is empty: expected a header line, events and an end line', this.opts.file);
    }
    let hash: TraceSummary['hash'] = 'unchecked';
    const footer = this.footer;
    if (!footer) {
      if (this.warnings.length === 0) this.warnings.push(`the trace is truncated: no end line after line ${this.lines}; showing the ${this.events} events it has`);
    } else {
      if (footer.events !== this.events) this.warnings.push(`the end line says ${footer.events} events, but the file has ${this.events}`);
      if (this.hasher) {
        hash = this.hasher.digest() === footer.hash ? 'ok' : 'mismatch';
        if (hash === 'mismatch') this.warnings.push('the trace hash does not match its end line: the file was edited or damaged after the run');
      }
    }
    return { header: this.header, footer, events: this.events, lines: this.lines, warnings: this.warnings, hash };
  }
}

const encoder = new TextEncoder();

/**
 * Read a whole trace from a stream of chunks (a Node read stream, a web
 * ReadableStream reader wrapped as an async iterable, a list of strings), one
 * line at a time. `onEvent` sees each event once, in order; `onLine` (optional)
 * sees every line with its byte offset. Throws InputError for a malformed trace.
 */
export async function readTrace(
  chunks: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
  onEvent: (ev: TraceEvent) => void,
  opts: TraceReaderOptions & { onLine?: (byteStart: number, byteLength: number) => void; strictUtf8?: boolean } = {},
): Promise<TraceSummary> {
  const reader = new TraceReader(onEvent, opts);
  const onLine = opts.onLine;
  const splitter = new LineSplitter(
    (text, start, length, terminated) => {
      onLine?.(start, length);
      reader.line(text, terminated);
    },
    opts.strictUtf8 ? { file: opts.file } : undefined,
  );
  for await (const c of chunks) splitter.push(typeof c === 'string' ? encoder.encode(c) : c);
  splitter.end();
  return reader.end();
}
