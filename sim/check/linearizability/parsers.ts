// Parsers from history files to the engine's HistoryEvent[]: Jepsen's etcd logs,
// the Jepsen/Porcupine key-value EDN maps, and Faultline traces (JSON Lines).
// Each event remembers its source line, so explanations and errors name it.
// Formats: testdata/linearizability/README.md and docs/architecture.md.

import { z } from 'zod';
import type { HistoryEvent, JsonValue, OpOutcome } from '../../engine/types.ts';
import { InputError } from '../../scenario/errors.ts';
import type { ModelName } from './models.ts';

export type HistoryFormat = 'etcd' | 'kv' | 'trace';
export const historyFormats: readonly HistoryFormat[] = ['etcd', 'kv', 'trace'];

export interface ParsedHistory {
  history: HistoryEvent[];
  /** 1-based source line of each event of `history`. */
  lines: number[];
  /** The model the format implies (undefined for traces: inferred from the operations). */
  model?: ModelName;
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
    const call = this.history[this.invokeIndex.get(op)!];
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

// ---------------------------------------------------------------- EDN values

/** The EDN subset these logs use: nil, true/false, integers, strings, :keywords, [vectors], {maps}. */
type Edn = JsonValue | { keyword: string } | EdnMap;
type EdnMap = Map<string, Edn>;

class EdnReader {
  pos = 0;
  constructor(
    readonly text: string,
    private readonly fail: (msg: string) => never,
  ) {}

  skip(): void {
    while (this.pos < this.text.length && /[\s,]/.test(this.text[this.pos]!)) this.pos++;
  }

  atEnd(): boolean {
    this.skip();
    return this.pos >= this.text.length;
  }

  value(): Edn {
    this.skip();
    const c = this.text[this.pos];
    if (c === undefined) this.fail('unexpected end of line');
    if (c === '"') return this.string();
    if (c === '[') {
      this.pos++;
      const out: JsonValue[] = [];
      while ((this.skip(), this.text[this.pos] !== ']')) {
        if (this.pos >= this.text.length) this.fail('unterminated vector');
        const v = this.value();
        if (v instanceof Map || (typeof v === 'object' && v !== null && 'keyword' in v && !Array.isArray(v))) this.fail('only plain values inside a vector');
        out.push(v as JsonValue);
      }
      this.pos++;
      return out;
    }
    if (c === '{') {
      this.pos++;
      const out: EdnMap = new Map();
      while ((this.skip(), this.text[this.pos] !== '}')) {
        if (this.pos >= this.text.length) this.fail('unterminated map');
        const k = this.value();
        if (typeof k !== 'object' || k === null || !('keyword' in k)) this.fail('map keys must be :keywords');
        out.set((k as { keyword: string }).keyword, this.value());
      }
      this.pos++;
      return out;
    }
    const m = /^[^\s,\]}]+/.exec(this.text.slice(this.pos));
    if (!m) this.fail(`unexpected "${c}"`);
    const tok = m[0];
    this.pos += tok.length;
    if (tok === 'nil') return null;
    if (tok === 'true' || tok === 'false') return tok === 'true';
    if (tok.startsWith(':') && tok.length > 1) return { keyword: tok.slice(1) };
    if (/^-?\d+$/.test(tok)) return Number(tok);
    return this.fail(`unexpected token "${tok}"`);
  }

  private string(): string {
    let out = '';
    this.pos++;
    while (this.pos < this.text.length) {
      const c = this.text[this.pos++]!;
      if (c === '"') return out;
      if (c === '\\') {
        const e = this.text[this.pos++];
        out += e === 'n' ? '\n' : e === 't' ? '\t' : (e ?? '');
      } else out += c;
    }
    return this.fail('unterminated string');
  }
}

function keywordOf(v: Edn | undefined): string | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Map) && 'keyword' in v ? (v as { keyword: string }).keyword : undefined;
}

function isPlain(v: Edn | undefined): v is JsonValue {
  return v !== undefined && !(v instanceof Map) && keywordOf(v) === undefined;
}

function splitLines(text: string): string[] {
  return text.split(/\r?\n/);
}

// ---------------------------------------------------------------- etcd

const ETCD_LINE = /^\s*INFO\s+jepsen\.util\s+-\s+(\S+)\s+:(\S+)\s+:(\S+)\s*(.*?)\s*$/;

/**
 * Jepsen etcd logs: `INFO  jepsen.util - <process> :<type> :<f> <value>`, tabs or
 * spaces. Model: one register. `:info` and `:fail :read` (timed out) have unknown
 * outcome; `:fail :cas` is a definite failed compare.
 */
export function parseEtcd(text: string, file: string): ParsedHistory {
  const h = new ProcessHistory(file);
  splitLines(text).forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === '') return;
    const where = `line ${line}`;
    const m = ETCD_LINE.exec(raw);
    if (!m) throw new InputError(`expected "INFO jepsen.util - <process> :<invoke|ok|fail|info> :<read|write|cas> <value>", got ${JSON.stringify(raw.slice(0, 80))}`, file, where);
    const [, process, type, f, valueText] = m as unknown as [string, string, string, string, string];
    if (f !== 'read' && f !== 'write' && f !== 'cas') throw new InputError(`unknown operation :${f} (expected :read, :write or :cas)`, file, where);
    const reader = new EdnReader(valueText, (msg) => {
      throw new InputError(`bad value ${JSON.stringify(valueText)}: ${msg}`, file, where);
    });
    const value = valueText === '' ? null : reader.value();
    if (!reader.atEnd()) throw new InputError(`unexpected text after the value: ${JSON.stringify(valueText)}`, file, where);
    const timedOut = keywordOf(value) !== undefined;
    if (!isPlain(value) && !(timedOut && type !== 'invoke')) throw new InputError(`bad value ${JSON.stringify(valueText)}`, file, where);
    const checkValue = (v: Edn): JsonValue => {
      if (f === 'cas' && !(Array.isArray(v) && v.length === 2)) throw new InputError(`cas needs a value [expected new], got ${JSON.stringify(valueText)}`, file, where);
      if (f === 'write' && (v === null || Array.isArray(v))) throw new InputError(`write needs a value, got ${JSON.stringify(valueText)}`, file, where);
      return v as JsonValue;
    };
    switch (type) {
      case 'invoke':
        h.invoke(line, process, f, undefined, f === 'read' ? undefined : checkValue(value));
        break;
      case 'ok':
        if (timedOut) throw new InputError(`an :ok return needs a value, got ${valueText}`, file, where);
        h.complete(line, process, f, 'ok', f === 'read' ? (value as JsonValue) : undefined);
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
  return { history: h.history, lines: h.lines, model: 'register' };
}

// ---------------------------------------------------------------- kv (EDN maps)

/**
 * One EDN map per line: `{:process N, :type :invoke|:ok|:fail|:info, :f :get|:put|:append, :key "K", :value nil|"V"}`.
 * Model: key-value map; a get's result is the value of its `:ok`.
 */
export function parseKv(text: string, file: string): ParsedHistory {
  const h = new ProcessHistory(file);
  splitLines(text).forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === '') return;
    const where = `line ${line}`;
    const reader = new EdnReader(raw, (msg) => {
      throw new InputError(`expected an EDN map {:process N, :type :invoke|:ok, :f ..., :key "K", :value ...}: ${msg}`, file, where);
    });
    const map = reader.value();
    if (!(map instanceof Map) || !reader.atEnd()) throw new InputError('expected one EDN map {:process N, :type ..., :f ..., :key ..., :value ...} per line', file, where);
    const process = map.get('process');
    const type = keywordOf(map.get('type'));
    const f = keywordOf(map.get('f'));
    const key = map.get('key');
    const value = map.get('value');
    if (typeof process !== 'number' && typeof process !== 'string') throw new InputError(':process must be a number or string', file, where);
    if (f === undefined) throw new InputError(':f must be a keyword such as :get, :put or :append', file, where);
    if (key !== undefined && typeof key !== 'string' && typeof key !== 'number') throw new InputError(':key must be a string or number', file, where);
    if (value !== undefined && !isPlain(value)) throw new InputError(':value must be nil, a string, a number or a vector', file, where);
    const p = String(process);
    const k = key === undefined ? undefined : String(key);
    switch (type) {
      case 'invoke':
        h.invoke(line, p, f, k, f === 'get' || value === null ? undefined : (value as JsonValue));
        break;
      case 'ok':
        h.complete(line, p, f, 'ok', f === 'get' ? (value as JsonValue | undefined) ?? null : undefined);
        break;
      case 'fail':
        h.complete(line, p, f, 'fail', undefined);
        break;
      case 'info':
        h.complete(line, p, f, 'info', undefined);
        break;
      default:
        throw new InputError(`:type must be :invoke, :ok, :fail or :info (got ${JSON.stringify(type ?? null)})`, file, where);
    }
  });
  return { history: h.history, lines: h.lines, model: 'kv' };
}

// ---------------------------------------------------------------- Faultline traces

const traceHeader = z.object({ format: z.literal('faultline-trace'), version: z.literal(1) }).loose();
const jsonValue: z.ZodType<JsonValue> = z.json();
const invokeEvent = z.object({ type: z.literal('invoke'), t: z.number(), node: z.string(), op: z.number().int(), process: z.string(), f: z.string(), key: z.string().optional(), value: jsonValue.optional() }).loose();
const returnEvent = z.object({ type: z.literal('return'), t: z.number(), node: z.string(), op: z.number().int(), process: z.string(), outcome: z.enum(['ok', 'fail', 'info']), value: jsonValue.optional() }).loose();

/** A Faultline trace: header line, then events; only invoke/return events make the history. */
export function parseTrace(text: string, file: string): ParsedHistory {
  const history: HistoryEvent[] = [];
  const lines: number[] = [];
  let sawHeader = false;
  splitLines(text).forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === '') return;
    const where = `line ${line}`;
    let obj: unknown;
    try {
      obj = JSON.parse(raw);
    } catch {
      throw new InputError('expected one JSON object per line (JSON Lines)', file, where);
    }
    if (!sawHeader) {
      if (!traceHeader.safeParse(obj).success) throw new InputError('expected a trace header {"format":"faultline-trace","version":1,...} on the first line', file, where);
      sawHeader = true;
      return;
    }
    const type = typeof obj === 'object' && obj !== null ? (obj as { type?: unknown }).type : undefined;
    if (type !== 'invoke' && type !== 'return') return;
    const parsed = type === 'invoke' ? invokeEvent.safeParse(obj) : returnEvent.safeParse(obj);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new InputError(`bad ${type} event: ${issue.path.join('.') || '(event)'}: ${issue.message}`, file, where);
    }
    const { seq: _seq, ...ev } = parsed.data as HistoryEvent & { seq?: number };
    history.push(ev as HistoryEvent);
    lines.push(line);
  });
  if (!sawHeader) throw new InputError('empty trace: expected a header line', file, 'line 1');
  return { history, lines };
}

export function parseHistory(format: HistoryFormat, text: string, file: string): ParsedHistory {
  return format === 'etcd' ? parseEtcd(text, file) : format === 'kv' ? parseKv(text, file) : parseTrace(text, file);
}

/** Guess the format from the first non-blank line. */
export function detectFormat(text: string): HistoryFormat | undefined {
  const first = splitLines(text).find((l) => l.trim() !== '')?.trim() ?? '';
  if (/^INFO\s+jepsen\.util/.test(first)) return 'etcd';
  if (first.startsWith('{:')) return 'kv';
  if (first.startsWith('{"')) return 'trace';
  return undefined;
}
