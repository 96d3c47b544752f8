// Reading a trace file (JSON Lines: header, events, footer) back into data,
// for the viewer and the CLI. Pure: it takes the text, so Node and the browser
// share it. Problems name the file and the line: a malformed line is an
// InputError; a trace cut short (no footer, a half-written last line) still
// loads, with a warning saying where it stops.

import type { TraceEvent, TraceEventType, TraceFooter, TraceHeader } from '../engine/types.ts';
import { hashText } from '../engine/trace.ts';
import { InputError } from '../scenario/errors.ts';

export interface ParsedTrace {
  header: TraceHeader;
  events: TraceEvent[];
  /** Undefined when the trace is truncated. */
  footer: TraceFooter | undefined;
  /** Things the user should know that do not stop the trace from loading (truncation, count or hash mismatch). */
  warnings: string[];
  /** 'ok' when the footer's hash matches the bytes before it; 'mismatch'; 'unchecked' (no footer or not asked). */
  hash: 'ok' | 'mismatch' | 'unchecked';
}

export interface ParseOptions {
  /** Shown in messages ("trace.jsonl: line 12: ..."). */
  file?: string;
  /** Recompute SHA-256 of the bytes before the footer and compare with the footer's hash. */
  verifyHash?: boolean;
}

type Field = 'string' | 'number' | 'array' | 'any';

/** Required fields of each event type (beyond seq, t, type): a light check that catches hand-edited or foreign files. */
const EVENT_FIELDS: Record<TraceEventType, Record<string, Field>> = {
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
  clock: { node: 'string', offset: 'number', drift: 'number' },
  disk: { node: 'string', op: 'string', key: 'string' },
  state: { node: 'string', state: 'any' },
  invoke: { node: 'string', op: 'number', process: 'string', f: 'string' },
  return: { node: 'string', op: 'number', process: 'string', outcome: 'string' },
  log: { node: 'string', text: 'string' },
  violation: { invariant: 'string', message: 'string', cause: 'number' },
};

export const EVENT_TYPES = Object.keys(EVENT_FIELDS) as TraceEventType[];

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function fieldOk(v: unknown, f: Field): boolean {
  if (f === 'any') return v !== undefined;
  if (f === 'array') return Array.isArray(v);
  if (f === 'number') return typeof v === 'number' && Number.isFinite(v);
  return typeof v === 'string';
}

function short(line: string): string {
  return line.length > 60 ? `${line.slice(0, 57)}...` : line;
}

function checkHeader(doc: unknown, file: string | undefined): TraceHeader {
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

function checkEvent(doc: unknown, expectedSeq: number, lastT: number, file: string | undefined, lineNo: number): TraceEvent {
  const where = `line ${lineNo}`;
  if (!isObject(doc)) throw new InputError('expected an event (a JSON object)', file, where);
  const type = doc.type;
  if (typeof type !== 'string') throw new InputError('event has no "type"', file, where);
  const fields = EVENT_FIELDS[type as TraceEventType] as Record<string, Field> | undefined;
  if (!fields) throw new InputError(`unknown event type "${type}"; expected one of: ${EVENT_TYPES.join(', ')}`, file, where);
  if (doc.seq !== expectedSeq) throw new InputError(`expected event seq ${expectedSeq} (events are numbered from 0, one per line), got ${JSON.stringify(doc.seq ?? null)}`, file, where);
  if (typeof doc.t !== 'number' || !Number.isFinite(doc.t)) throw new InputError(`${type} event: "t" must be a number of µs`, file, where);
  if (doc.t < lastT) throw new InputError(`time goes backwards: t=${doc.t} after t=${lastT}`, file, where);
  for (const [k, f] of Object.entries(fields)) {
    if (!fieldOk(doc[k], f)) throw new InputError(`${type} event: field "${k}" must be ${f === 'any' ? 'present' : `a ${f}`}`, file, where);
  }
  return doc as unknown as TraceEvent;
}

function isFooter(doc: unknown): doc is TraceFooter {
  return isObject(doc) && doc.type === 'end' && typeof doc.hash === 'string' && !('seq' in doc);
}

/**
 * Parse a whole trace. Throws InputError (file, line, what was expected) for
 * anything malformed; a truncated trace loads with a warning.
 */
export function parseTrace(text: string, opts: ParseOptions = {}): ParsedTrace {
  const file = opts.file;
  if (text.trim() === '') throw new InputError('the trace is empty: expected a header line, events and an end line', file);
  const lines = text.split('\n');
  // A final "\n" leaves one empty string at the end; a file cut mid-line does not.
  const endsWithNewline = lines.at(-1) === '';
  if (endsWithNewline) lines.pop();
  const warnings: string[] = [];

  let headerDoc: unknown;
  try {
    headerDoc = JSON.parse(lines[0] as string);
  } catch {
    throw new InputError(`the first line is not JSON (a trace starts with its header): ${short(lines[0] as string)}`, file, 'line 1');
  }
  const header = checkHeader(headerDoc, file);

  const events: TraceEvent[] = [];
  let footer: TraceFooter | undefined;
  let lastT = 0;
  let footerOffset = -1;
  let offset = (lines[0] as string).length + 1;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] as string;
    const lineNo = i + 1;
    const isLast = i === lines.length - 1;
    if (footer) throw new InputError('unexpected line after the end line', file, `line ${lineNo}`);
    if (line.trim() === '') throw new InputError('empty line inside the trace', file, `line ${lineNo}`);
    let doc: unknown;
    try {
      doc = JSON.parse(line);
    } catch (err) {
      if (isLast && !endsWithNewline) {
        warnings.push(`the trace is truncated: line ${lineNo} is cut off mid-line; showing the ${events.length} events before it`);
        break;
      }
      throw new InputError(`not valid JSON (${err instanceof Error ? err.message : String(err)}): ${short(line)}`, file, `line ${lineNo}`);
    }
    if (isFooter(doc)) {
      footer = doc;
      footerOffset = offset;
    } else {
      const ev = checkEvent(doc, events.length, lastT, file, lineNo);
      lastT = ev.t;
      events.push(ev);
    }
    offset += line.length + 1;
  }

  let hash: ParsedTrace['hash'] = 'unchecked';
  if (!footer) {
    if (warnings.length === 0) warnings.push(`the trace is truncated: no end line after line ${lines.length}; showing the ${events.length} events it has`);
  } else {
    if (footer.events !== events.length) warnings.push(`the end line says ${footer.events} events, but the file has ${events.length}`);
    if (opts.verifyHash) {
      // Offsets above count UTF-16 units, which match the text slice we hash.
      hash = hashText(text.slice(0, footerOffset)) === footer.hash ? 'ok' : 'mismatch';
      if (hash === 'mismatch') warnings.push('the trace hash does not match its end line: the file was edited or damaged after the run');
    }
  }
  return { header, events, footer, warnings, hash };
}

/**
 * Check a whole trace text against its footer's hash, on its own (the viewer
 * draws first and verifies after). 'unchecked' when the last line is no footer.
 */
export function verifyTraceHash(text: string): ParsedTrace['hash'] {
  const end = text.endsWith('\n') ? text.length - 1 : text.length;
  const start = text.lastIndexOf('\n', end - 1) + 1;
  let footer: unknown;
  try {
    footer = JSON.parse(text.slice(start, end));
  } catch {
    return 'unchecked';
  }
  if (!isFooter(footer)) return 'unchecked';
  return hashText(text.slice(0, start)) === footer.hash ? 'ok' : 'mismatch';
}
