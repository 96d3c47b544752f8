// Parsers from history files to the engine's HistoryEvent[]: Jepsen's etcd logs,
// Jepsen/Knossos EDN histories (Porcupine's key-value files are one form of them),
// and Faultline traces (JSON Lines). Each event remembers its source line, so
// explanations and errors name it. Every failure is an InputError naming the file
// and the line; nothing here throws anything else on any input.
// Formats: testdata/linearizability/README.md, sim/check/README.md.

import { z } from 'zod';
import type { HistoryEvent, JsonValue, OpOutcome } from '../../engine/types.ts';
import { InputError } from '../../errors.ts';
import type { ModelName } from './models.ts';
import { EdnInt, EdnKeyword, EdnReader, EdnSymbol, EdnSyntaxError, ednToJson, field, showEdn, type EdnValue } from './edn.ts';
import { getOrFail } from '../../engine/assert.ts';

/** `edn`: Jepsen/Knossos EDN histories; `kv` is the same reader (the name of Porcupine's key-value files). */
export type HistoryFormat = 'etcd' | 'edn' | 'kv' | 'trace';
export const historyFormats: readonly HistoryFormat[] = ['etcd', 'edn', 'kv', 'trace'];

export interface ParsedHistory {
  history: HistoryEvent[];
  /** 1-based source line of each event of `history`. */
  lines: number[];
  /** The model the format implies (undefined: inferred from the operations). */
  model?: ModelName;
  /** Operations of non-client processes (Jepsen's nemesis) that were skipped, by process name. */
  skipped?: Record<string, number>;
  /** For EDN histories: fields of each event the models do not use (:time, :index, :error, ...), by event index, as data. */
  extra?: Map<number, Record<string, JsonValue>>;
  /** For traces: what else the trace holds (violations it recorded, whether it was complete). */
  trace?: TraceSummary;
}

/** What a Faultline trace says besides its client history. */
export interface TraceSummary {
  scenario?: string;
  protocol?: string;
  seed?: string;
  /** Violation events the run recorded: checker name and message. */
  violations: { checker: string; message: string }[];
  /** Whether the trace has its footer (a run that ended and was written completely). */
  complete: boolean;
  /** Events of any kind after the header. */
  events: number;
  /** When the last line was cut off mid-line (no "\n"): its number; the events before it were read. */
  cutLine?: number;
  /** What else the trace reader found (the end line's event count differs from the file's). */
  warnings?: string[];
}

/** Builds a history from lines that name a process, pairing each return with the process's open call. */
class ProcessHistory {
  readonly history: HistoryEvent[] = [];
  readonly lines: number[] = [];
  private readonly open = new Map<string, number>();
  /** op id -> index of its invoke in `history`. */
  private readonly invokeIndex = new Map<number, number>();
  private nextOp = 0;
  constructor(private readonly file: string) {}

  /** Number of events so far. */
  get size(): number {
    return this.history.length;
  }

  invoke(line: number, process: string, f: string, key: string | undefined, value: JsonValue | undefined): void {
    if (this.open.has(process)) throw new InputError(`process ${process} invokes ${f} while its previous call is still open (one operation at a time per process)`, this.file, `line ${line}`);
    const op = this.nextOp++;
    this.open.set(process, op);
    const ev: HistoryEvent = { type: 'invoke', t: line, node: '', op, process, f };
    if (key !== undefined) ev.key = key;
    if (value !== undefined) ev.value = value;
    this.push(ev, line);
  }

  complete(line: number, process: string, f: string, outcome: OpOutcome, value: JsonValue | undefined): void {
    const op = this.open.get(process);
    if (op === undefined) throw new InputError(`process ${process} returns from ${f} without an open call`, this.file, `line ${line}`);
    const call = this.history[getOrFail(this.invokeIndex, op, 'history index of an open call')];
    if (call?.type === 'invoke' && call.f !== f) throw new InputError(`process ${process} returns from ${f} but its open call is ${call.f}`, this.file, `line ${line}`);
    this.open.delete(process);
    const ev: HistoryEvent = { type: 'return', t: line, node: '', op, process, outcome };
    if (value !== undefined) ev.value = value;
    this.push(ev, line);
  }

  private push(ev: HistoryEvent, line: number): void {
    if (ev.type === 'invoke') this.invokeIndex.set(ev.op, this.history.length);
    this.history.push(ev);
    this.lines.push(line);
  }
}

function splitLines(text: string): string[] {
  return text.split(/\r?\n/);
}

/** Read one EDN value from `text` (a whole line's field), or throw an InputError. */
function readValue(text: string, file: string, where: string): EdnValue {
  try {
    const r = new EdnReader(text);
    const v = r.next();
    if (!r.atEnd()) throw new InputError(`unexpected text after the value: ${JSON.stringify(text.slice(0, 80))}`, file, where);
    return v;
  } catch (err) {
    if (err instanceof EdnSyntaxError) throw new InputError(`bad value ${JSON.stringify(text.slice(0, 80))}: ${err.message}`, file, where);
    throw err;
  }
}

/** Keyword and string names: `:nemesis` and "nemesis" are both "nemesis". */
function nameOf(v: EdnValue | undefined): string | undefined {
  if (v instanceof EdnKeyword || v instanceof EdnSymbol) return v.name;
  return typeof v === 'string' ? v : undefined;
}

function countSkip(skipped: Record<string, number>, process: string): void {
  skipped[process] = (skipped[process] ?? 0) + 1;
}

// ---------------------------------------------------------------- etcd

const ETCD_LINE = /^\s*INFO\s+jepsen\.util\s+-\s+(\S+)\s+:(\S+)\s+:(\S+)\s*(.*?)\s*$/;

/**
 * Jepsen etcd logs: `INFO  jepsen.util - <process> :<type> :<f> <value>`, tabs or
 * spaces. Model: one register. `:info` and `:fail :read` (timed out) have unknown
 * outcome; `:fail :cas` is a definite failed compare. Lines of a non-numeric process
 * (`:nemesis`) are skipped and counted. Integers beyond 2^53 are kept exactly.
 */
export function parseEtcd(text: string, file: string): ParsedHistory {
  const h = new ProcessHistory(file);
  const skipped: Record<string, number> = {};
  splitLines(text).forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === '' || (i === 0 && raw.trim() === '\uFEFF')) return;
    const where = `line ${line}`;
    const m = ETCD_LINE.exec(i === 0 ? raw.replace(/^\uFEFF/, '') : raw);
    if (!m) throw new InputError(`expected "INFO jepsen.util - <process> :<invoke|ok|fail|info> :<read|write|cas> <value>", got ${JSON.stringify(raw.slice(0, 80))}`, file, where);
    const [, process, type, f, valueText] = m as unknown as [string, string, string, string, string];
    if (!/^\d+$/.test(process)) {
      // Not a client: Jepsen's nemesis (":nemesis") logs faults in the same stream.
      countSkip(skipped, process.replace(/^:/, ''));
      return;
    }
    if (f !== 'read' && f !== 'write' && f !== 'cas') throw new InputError(`unknown operation :${f} (expected :read, :write or :cas)`, file, where);
    const value = valueText === '' ? null : readValue(valueText, file, where);
    const timedOut = value instanceof EdnKeyword;
    const plain = value === null || typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean' || Array.isArray(value) || value instanceof EdnInt;
    if (!plain && !(timedOut && type !== 'invoke')) throw new InputError(`bad value ${JSON.stringify(valueText.slice(0, 80))}`, file, where);
    const json = timedOut ? null : ednToJson(value);
    const checkValue = (v: JsonValue): JsonValue => {
      if (f === 'cas' && !(Array.isArray(v) && v.length === 2)) throw new InputError(`cas needs a value [expected new], got ${JSON.stringify(valueText)}`, file, where);
      if (f === 'write' && (v === null || Array.isArray(v))) throw new InputError(`write needs a value, got ${JSON.stringify(valueText)}`, file, where);
      return v;
    };
    switch (type) {
      case 'invoke':
        h.invoke(line, process, f, undefined, f === 'read' ? undefined : checkValue(json));
        break;
      case 'ok':
        if (timedOut) throw new InputError(`an :ok return needs a value, got ${valueText}`, file, where);
        h.complete(line, process, f, 'ok', f === 'read' ? json : undefined);
        break;
      case 'fail':
        // A failed read timed out: outcome unknown (and reads change nothing). A failed cas compared and lost.
        h.complete(line, process, f, f === 'read' || timedOut ? 'info' : 'fail', undefined);
        break;
      case 'info':
        h.complete(line, process, f, 'info', undefined);
        break;
      default:
        throw new InputError(`unknown event type :${type} (expected :invoke, :ok, :fail or :info)`, file, where);
    }
  });
  const out: ParsedHistory = { history: h.history, lines: h.lines, model: 'register' };
  if (Object.keys(skipped).length > 0) out.skipped = skipped;
  return out;
}

// ---------------------------------------------------------------- Jepsen / Knossos EDN

/** Fields every op map may have that the checker reads; the others are kept as data. */
const OP_FIELDS = new Set([':process', ':type', ':f', ':value', ':key']);

/**
 * A Jepsen/Knossos EDN history: op maps `{:type :invoke|:ok|:fail|:info, :f :read, :process 0,
 * :value nil}`, any number per line (Jepsen writes one per line), or one vector of them
 * (Knossos' file form), optionally as tagged records (`#jepsen.history.Op{...}`).
 * - the completion's `:value` is the operation's result for every f (a read's value, a
 *   dequeue's element, a txn with the values its reads saw); the invocation's is its argument;
 * - `:key` (Porcupine's key-value files) names the object; `:fail` did not happen, `:info`
 *   may or may not have happened (pending to the end);
 * - ops of a process that is not an integer (`:nemesis`) are skipped and counted;
 * - other fields (`:time`, `:index`, `:error`, ...) are kept as data (`extra`) and change nothing.
 */
export function parseEdn(text: string, file: string): ParsedHistory {
  const h = new ProcessHistory(file);
  const skipped: Record<string, number> = {};
  const extra = new Map<number, Record<string, JsonValue>>();
  const fs = new Set<string>();
  let setReads = 0;
  const reader = new EdnReader(text);
  const op = (v: EdnValue, line: number): void => {
    const where = `line ${line}`;
    if (!(v instanceof Map)) throw new InputError(`expected an op map {:type :invoke|:ok|:fail|:info, :f ..., :process N, :value ...}, got ${showEdn(v)}`, file, where);
    const procV = field(v, 'process');
    if (procV instanceof EdnKeyword || procV instanceof EdnSymbol) {
      countSkip(skipped, procV.name);
      return;
    }
    if (typeof procV !== 'number' && typeof procV !== 'string') throw new InputError(`:process must be an integer (a client) or a keyword such as :nemesis, got ${showEdn(procV)}`, file, where);
    const type = nameOf(field(v, 'type'));
    const f = nameOf(field(v, 'f'));
    if (f === undefined) throw new InputError(`:f must be a keyword such as :read, :write or :get, got ${showEdn(field(v, 'f'))}`, file, where);
    const keyV = field(v, 'key');
    if (keyV !== undefined && keyV !== null && typeof keyV !== 'string' && typeof keyV !== 'number' && !(keyV instanceof EdnKeyword))
      throw new InputError(`:key must be a string, number or keyword, got ${showEdn(keyV)}`, file, where);
    const key = keyV === undefined || keyV === null ? undefined : keyV instanceof EdnKeyword ? `:${keyV.name}` : String(keyV);
    const valueV = field(v, 'value');
    const value = valueV === undefined ? undefined : ednToJson(valueV);
    const p = String(procV);
    const index = h.size;
    switch (type) {
      case 'invoke':
        fs.add(f);
        h.invoke(line, p, f, key, value === null ? undefined : value);
        break;
      case 'ok':
        if (f === 'read' && Array.isArray(value)) setReads++;
        h.complete(line, p, f, 'ok', value ?? (f === 'get' ? null : undefined));
        break;
      case 'fail':
        h.complete(line, p, f, 'fail', undefined);
        break;
      case 'info':
        h.complete(line, p, f, 'info', undefined);
        break;
      default:
        throw new InputError(`:type must be :invoke, :ok, :fail or :info (got ${showEdn(field(v, 'type'))})`, file, where);
    }
    const rest: Record<string, JsonValue> = {};
    let any = false;
    for (const [k, x] of v) {
      if (typeof k === 'string' && OP_FIELDS.has(k)) continue;
      rest[typeof k === 'string' ? k.replace(/^:/, '') : JSON.stringify(ednToJson(k))] = ednToJson(x);
      any = true;
    }
    if (any) extra.set(index, rest);
  };
  try {
    if (reader.peekChar() === '[') {
      // Knossos' file form: one vector of op maps.
      reader.openVector();
      while (!reader.closeVector()) {
        const v = reader.next();
        op(v, reader.line);
      }
      if (!reader.atEnd()) throw new InputError('unexpected text after the vector of op maps', file, `line ${reader.line}`);
    } else {
      while (!reader.atEnd()) {
        const v = reader.next();
        op(v, reader.line);
      }
    }
  } catch (err) {
    if (err instanceof EdnSyntaxError) throw new InputError(`expected EDN op maps {:type ..., :f ..., :process ..., :value ...}: ${err.message}`, file, `line ${err.line}`);
    throw err;
  }
  const out: ParsedHistory = { history: h.history, lines: h.lines };
  // The model the operation names imply, where the EDN form says more than the names.
  const only = (names: string[]): boolean => fs.size > 0 && [...fs].every((f) => names.includes(f));
  if (only(['read', 'write', 'cas']) && ![...h.history].some((e) => e.type === 'invoke' && e.key !== undefined)) out.model = 'cas-register';
  else if (only(['add', 'read']) && setReads > 0) out.model = 'set';
  else if (only(['get', 'put', 'append'])) out.model = 'kv';
  else if (only(['txn'])) out.model = 'multi-register';
  if (Object.keys(skipped).length > 0) out.skipped = skipped;
  if (extra.size > 0) out.extra = extra;
  return out;
}

/** Porcupine's key-value files are Jepsen EDN histories with a `:key`: the same reader. */
export function parseKv(text: string, file: string): ParsedHistory {
  return parseEdn(text, file);
}

// ---------------------------------------------------------------- Faultline traces

const traceHeader = z.object({ format: z.literal('faultline-trace'), version: z.literal(1) }).loose();
const jsonValue: z.ZodType<JsonValue> = z.json();
const invokeEvent = z.object({ type: z.literal('invoke'), t: z.number(), node: z.string(), op: z.number().int(), process: z.string(), f: z.string(), key: z.string().optional(), value: jsonValue.optional() }).loose();
const returnEvent = z.object({ type: z.literal('return'), t: z.number(), node: z.string(), op: z.number().int(), process: z.string(), outcome: z.enum(['ok', 'fail', 'info']), value: jsonValue.optional() }).loose();

/**
 * An invoke or return event of a trace as the checker's history event (its `seq` dropped), or an InputError
 * ("bad invoke event: op: ...") naming `file` and `where`: what the checker needs beyond the trace reader's
 * own check of every event (sim/trace/reader.ts): an integer op, a known outcome, JSON values.
 */
export function traceOperation(obj: unknown, type: 'invoke' | 'return', file: string | undefined, where: string): HistoryEvent {
  const parsed = type === 'invoke' ? invokeEvent.safeParse(obj) : returnEvent.safeParse(obj);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new InputError(`bad ${type} event: ${issue.path.join('.') || '(event)'}: ${issue.message}`, file, where);
  }
  const { seq: _seq, ...ev } = parsed.data as HistoryEvent & { seq?: number };
  return ev as HistoryEvent;
}

/**
 * A Faultline trace read one line at a time (`line(raw, lineNo)` in order, then `end()`), so that
 * a trace of any size can be streamed from a file: only its invoke/return events are kept.
 * A light reader (header format and version, invoke/return fields) for in-memory use; `faultline check`
 * reads trace files with sim/trace/history-reader.ts instead, which checks every line as `replay` and
 * `view` do (this layer may not import sim/trace).
 */
class LightTraceHistoryReader {
  private readonly history: HistoryEvent[] = [];
  private readonly lines: number[] = [];
  private sawHeader = false;
  private readonly summary: TraceSummary = { violations: [], complete: false, events: 0 };
  constructor(private readonly file: string) {}

  line(raw: string, line: number): void {
    const file = this.file;
    const summary = this.summary;
    if (raw.trim() === '') return;
    const where = `line ${line}`;
    let obj: unknown;
    try {
      obj = JSON.parse(raw);
    } catch {
      throw new InputError('expected one JSON object per line (JSON Lines)', file, where);
    }
    if (!this.sawHeader) {
      if (!traceHeader.safeParse(obj).success) throw new InputError('expected a trace header {"format":"faultline-trace","version":1,...} on the first line', file, where);
      this.sawHeader = true;
      const head = obj as { scenario?: unknown; protocol?: unknown; seed?: unknown };
      if (typeof head.scenario === 'string') summary.scenario = head.scenario;
      if (typeof head.protocol === 'string') summary.protocol = head.protocol;
      if (typeof head.seed === 'string' || typeof head.seed === 'number') summary.seed = String(head.seed);
      return;
    }
    summary.events++;
    const type = typeof obj === 'object' && obj !== null ? (obj as { type?: unknown }).type : undefined;
    if (type === 'violation') {
      const v = obj as { invariant?: unknown; checker?: unknown; message?: unknown };
      const checker = typeof v.invariant === 'string' ? v.invariant : typeof v.checker === 'string' ? v.checker : '?';
      summary.violations.push({ checker, message: typeof v.message === 'string' ? v.message : '' });
    }
    if (type === 'end') summary.complete = (obj as { interrupted?: unknown }).interrupted !== true;
    if (type !== 'invoke' && type !== 'return') return;
    this.history.push(traceOperation(obj, type, file, where));
    this.lines.push(line);
  }

  end(): ParsedHistory {
    if (!this.sawHeader) throw new InputError('empty trace: expected a header line', this.file, 'line 1');
    return { history: this.history, lines: this.lines, trace: this.summary };
  }
}

/** A Faultline trace: header line, then events; only invoke/return events make the history. */
export function parseTrace(text: string, file: string): ParsedHistory {
  const r = new LightTraceHistoryReader(file);
  splitLines(text).forEach((raw, i) => r.line(raw, i + 1));
  return r.end();
}

export function parseHistory(format: HistoryFormat, text: string, file: string): ParsedHistory {
  return format === 'etcd' ? parseEtcd(text, file) : format === 'kv' || format === 'edn' ? parseEdn(text, file) : parseTrace(text, file);
}

/** Guess the format from the first non-blank line. */
export function detectFormat(text: string): HistoryFormat | undefined {
  const first = splitLines(text.replace(/^\uFEFF/, '')).find((l) => l.trim() !== '' && !l.trim().startsWith(';'))?.trim() ?? '';
  if (/^INFO\s+jepsen\.util/.test(first)) return 'etcd';
  if (first.startsWith('{"')) return 'trace';
  if (/^(\[\s*)?(\{|#[A-Za-z])/.test(first) || first === '[') return 'edn';
  return undefined;
}
