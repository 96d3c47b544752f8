// A reader for EDN (extensible data notation, https://github.com/edn-format/edn),
// the text form of Jepsen and Knossos histories. Hand-written rather than a
// library: the npm EDN readers we tried either accept truncated input silently
// and round integers above 2^53 (edn-data 1.2) or are unmaintained and have no
// exact big integers (jsedn 0.4). A checker must compare integers exactly and must
// reject a cut-off file, so this reader does both, and never recurses without a bound.
//
// Values: nil, true/false, integers (exact: beyond 2^53 they stay as their decimal
// digits, see EdnInt), floats, ratios (as floats), strings, characters (as strings),
// :keywords, symbols, (lists) and [vectors] (both arrays), {maps} (Map, keys any
// value), #{sets} (EdnSet), #tag value (the value; #inst and #uuid become strings),
// #_ discard, ; comments. Commas are whitespace.

import type { JsonValue } from '../../engine/types.ts';

/** A keyword such as :ok (name without the colon, namespace kept: "jepsen/foo"). */
export class EdnKeyword {
  /** The keyword as written, ":name". */
  readonly text: string;
  constructor(readonly name: string) {
    this.text = `:${name}`;
  }
  toString(): string {
    return this.text;
  }
}

/** A symbol (an unquoted name that is not nil/true/false). */
export class EdnSymbol {
  constructor(readonly name: string) {}
}

/** An integer outside the exactly representable range of a double (|n| > 2^53 - 1): kept as its digits. */
export class EdnInt {
  constructor(readonly digits: string) {}
}

export class EdnSet {
  constructor(readonly items: EdnValue[]) {}
}

export type EdnValue = null | boolean | number | string | EdnKeyword | EdnSymbol | EdnInt | EdnSet | EdnValue[] | Map<EdnValue, EdnValue>;

/** A syntax error at a 1-based line. */
export class EdnSyntaxError extends Error {
  override name = 'EdnSyntaxError';
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
  }
}

/** Nesting deeper than this is refused (a history nests 3-4 levels). */
export const MAX_EDN_DEPTH = 200;

const DELIMITERS = new Set([' ', '\t', '\n', '\r', ',', '(', ')', '[', ']', '{', '}', '"', ';', '\f', '\v']);
/** DELIMITERS by character code (all are ASCII). */
const DELIMITER_CODES = new Uint8Array(128);
for (const d of DELIMITERS) DELIMITER_CODES[d.charCodeAt(0)] = 1;

/** Reads top-level EDN values one at a time; `line` is the line where the last value began. */
export class EdnReader {
  private pos = 0;
  private lineNo = 1;
  /** Line of the first character of the last value read. */
  line = 1;
  constructor(private readonly text: string) {}

  private fail(message: string, line = this.lineNo): never {
    throw new EdnSyntaxError(message, line);
  }

  private skipSpace(depth = 0): void {
    const t = this.text;
    while (this.pos < t.length) {
      const c = t[this.pos]!;
      if (c === '\n') {
        this.lineNo++;
        this.pos++;
      } else if (c === ' ' || c === ',' || c === '\t' || c === '\r' || c === '\f' || c === '\v' || c === '\uFEFF') this.pos++;
      else if (c === ';') {
        while (this.pos < t.length && t[this.pos] !== '\n') this.pos++;
      } else if (c === '#' && t[this.pos + 1] === '_') {
        this.pos += 2;
        this.read(depth + 1); // discarded
      } else break;
    }
  }

  /** The next character that is not whitespace or a comment ('' at the end). */
  peekChar(): string {
    this.skipSpace();
    return this.text[this.pos] ?? '';
  }

  /** Enter a top-level vector: consume its "[" (throws when the next value is not a vector). */
  openVector(): void {
    this.skipSpace();
    this.line = this.lineNo;
    if (this.text[this.pos] !== '[') this.fail('expected a vector "["');
    this.pos++;
    this.vectorLine = this.lineNo;
  }

  /** Inside a vector entered by openVector: consume its "]" if it is next (true), else false. */
  closeVector(): boolean {
    this.skipSpace(1);
    if (this.pos >= this.text.length) this.fail(`unterminated vector (opened on line ${this.vectorLine})`);
    if (this.text[this.pos] !== ']') return false;
    this.pos++;
    return true;
  }
  private vectorLine = 1;

  /** True when only whitespace and comments are left. */
  atEnd(): boolean {
    this.skipSpace();
    return this.pos >= this.text.length;
  }

  /** The next top-level value. */
  next(): EdnValue {
    this.skipSpace();
    this.line = this.lineNo;
    return this.read(0);
  }

  private read(depth: number): EdnValue {
    if (depth > MAX_EDN_DEPTH) this.fail(`nested deeper than ${MAX_EDN_DEPTH} levels`);
    this.skipSpace(depth);
    const t = this.text;
    if (this.pos >= t.length) this.fail('unexpected end of input');
    const c = t[this.pos]!;
    switch (c) {
      case '"':
        return this.string();
      case '[':
      case '(': {
        const start = this.lineNo;
        this.pos++;
        return this.seq(c === '[' ? ']' : ')', depth, start);
      }
      case '{': {
        const start = this.lineNo;
        this.pos++;
        const items = this.seq('}', depth, start);
        if (items.length % 2 !== 0) this.fail('a map needs an even number of forms (key value ...)', start);
        const m = new Map<EdnValue, EdnValue>();
        for (let i = 0; i < items.length; i += 2) m.set(mapKey(items[i]!), items[i + 1]!);
        return m;
      }
      case ')':
      case ']':
      case '}':
        return this.fail(`unexpected "${c}"`);
      case '\\':
        return this.char();
      case '#': {
        const n = t[this.pos + 1];
        if (n === '{') {
          const start = this.lineNo;
          this.pos += 2;
          return new EdnSet(this.seq('}', depth, start));
        }
        if (n === '#') {
          const tok = this.token();
          if (tok === '##Inf') return Infinity;
          if (tok === '##-Inf') return -Infinity;
          if (tok === '##NaN') return NaN;
          return this.fail(`unknown symbolic value "${tok}"`);
        }
        // #tag value: the value (a tagged literal such as #inst "..." or #jepsen.history.Op{...}).
        this.pos++;
        const tag = this.token();
        if (tag === '' || !/^[A-Za-z]/.test(tag)) this.fail('a tag must start with a letter after "#"');
        return this.read(depth + 1);
      }
      default:
        return this.atom();
    }
  }

  private seq(close: string, depth: number, startLine: number): EdnValue[] {
    const out: EdnValue[] = [];
    for (;;) {
      this.skipSpace(depth + 1);
      if (this.pos >= this.text.length) this.fail(`unterminated ${close === ']' ? 'vector' : close === ')' ? 'list' : 'map or set'} (opened on line ${startLine})`);
      if (this.text[this.pos] === close) {
        this.pos++;
        return out;
      }
      out.push(this.read(depth + 1));
    }
  }

  private string(): string {
    const t = this.text;
    const start = this.lineNo;
    this.pos++;
    let out = '';
    let from = this.pos;
    while (this.pos < t.length) {
      const c = t[this.pos]!;
      if (c === '"') {
        out += t.slice(from, this.pos);
        this.pos++;
        return out;
      }
      if (c === '\n') this.lineNo++;
      if (c === '\\') {
        out += t.slice(from, this.pos);
        const e = t[this.pos + 1];
        this.pos += 2;
        if (e === 'n') out += '\n';
        else if (e === 't') out += '\t';
        else if (e === 'r') out += '\r';
        else if (e === 'b') out += '\b';
        else if (e === 'f') out += '\f';
        else if (e === '"' || e === '\\') out += e;
        else if (e === 'u') {
          const hex = t.slice(this.pos, this.pos + 4);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail(`bad \\u escape "\\u${hex}"`);
          out += String.fromCharCode(parseInt(hex, 16));
          this.pos += 4;
        } else this.fail(`bad escape "\\${e ?? ''}" in a string`);
        from = this.pos;
        continue;
      }
      this.pos++;
    }
    return this.fail(`unterminated string (opened on line ${start})`);
  }

  private char(): string {
    this.pos++; // backslash
    const tok = this.token(true);
    const named: Record<string, string> = { newline: '\n', space: ' ', tab: '\t', return: '\r', formfeed: '\f', backspace: '\b' };
    if (tok.length === 1) return tok;
    if (tok in named) return named[tok]!;
    if (/^u[0-9a-fA-F]{4}$/.test(tok)) return String.fromCharCode(parseInt(tok.slice(1), 16));
    return this.fail(`bad character literal "\\${tok}"`);
  }

  /** The characters up to the next delimiter (at least one when `one` is set). */
  private token(one = false): string {
    const t = this.text;
    const start = this.pos;
    if (one && this.pos < t.length) this.pos++;
    for (; this.pos < t.length; this.pos++) {
      const c = t.charCodeAt(this.pos);
      if (c < 128 && DELIMITER_CODES[c] === 1) break;
    }
    return t.slice(start, this.pos);
  }

  /** Keywords read so far, by their text: a history repeats a few dozen keywords over and over. */
  private readonly keywords = new Map<string, EdnKeyword>();

  private atom(): EdnValue {
    const tok = this.token();
    if (tok === '') return this.fail(`unexpected "${this.text[this.pos]}"`);
    if (tok === 'nil') return null;
    if (tok === 'true') return true;
    if (tok === 'false') return false;
    if (tok.charCodeAt(0) === 58 /* : */) {
      let kw = this.keywords.get(tok);
      if (kw === undefined) {
        if (tok.length === 1 || tok === '::') this.fail('an empty keyword ":"');
        this.keywords.set(tok, (kw = new EdnKeyword(tok.slice(1))));
      }
      return kw;
    }
    if (tok.length < 16 && isDigits(tok)) return Number(tok);
    const int = /^([-+]?)(0|[1-9]\d*)N?$/.exec(tok);
    if (int) {
      const digits = (int[1] === '-' ? '-' : '') + int[2]!;
      const n = Number(digits);
      return Number.isSafeInteger(n) ? n : new EdnInt(digits);
    }
    if (/^[-+]?\d+(\.\d*)?([eE][-+]?\d+)?M?$/.test(tok)) return Number(tok.replace(/M$/, ''));
    const ratio = /^([-+]?\d+)\/(\d+)$/.exec(tok);
    if (ratio) return Number(ratio[1]) / Number(ratio[2]);
    if (/^[-+]?\d/.test(tok)) this.fail(`bad number "${tok.slice(0, 40)}"`);
    return new EdnSymbol(tok);
  }
}

/** Whether `tok` is one or more decimal digits without a leading zero (or "0"): a plain integer. */
function isDigits(tok: string): boolean {
  if (tok.length > 1 && tok.charCodeAt(0) === 48) return false;
  for (let i = 0; i < tok.length; i++) {
    const c = tok.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return tok.length > 0;
}

/** Map keys compare by identity in a JS Map: keywords, symbols and big integers become canonical strings. */
function mapKey(k: EdnValue): EdnValue {
  if (k instanceof EdnKeyword) return k.text;
  if (k instanceof EdnSymbol) return k.name;
  if (k instanceof EdnInt) return k.digits;
  return k;
}

/** The value of a keyword key in a map read by EdnReader. */
export function field(m: Map<EdnValue, EdnValue>, name: string): EdnValue | undefined {
  return m.get(`:${name}`);
}

/** Read every top-level value of `text`, with the line each began on. */
export function readAll(text: string): { value: EdnValue; line: number }[] {
  const r = new EdnReader(text);
  const out: { value: EdnValue; line: number }[] = [];
  while (!r.atEnd()) {
    const value = r.next();
    out.push({ value, line: r.line });
  }
  return out;
}

/**
 * An EDN value as JSON, for operation values: keywords become ":name" strings, symbols
 * their name, sets sorted arrays, lists and vectors arrays, maps objects (keys as strings,
 * keywords as ":name"), integers beyond 2^53 `{"$int": "digits"}` (so they compare exactly),
 * non-finite floats the strings "##Inf", "##-Inf", "##NaN".
 */
export function ednToJson(v: EdnValue): JsonValue {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : Number.isNaN(v) ? '##NaN' : v > 0 ? '##Inf' : '##-Inf';
  if (v instanceof EdnKeyword) return v.text;
  if (v instanceof EdnSymbol) return v.name;
  if (v instanceof EdnInt) return { $int: v.digits };
  if (v instanceof EdnSet) {
    const items = v.items.map(ednToJson);
    const keyed = items.map((x) => [JSON.stringify(x), x] as const).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return keyed.map(([, x]) => x);
  }
  if (Array.isArray(v)) return v.map(ednToJson);
  const out: Record<string, JsonValue> = {};
  for (const [k, x] of v) out[typeof k === 'string' ? k : JSON.stringify(ednToJson(k))] = ednToJson(x);
  return out;
}

/** Short EDN-like text of a value, for messages. */
export function showEdn(v: EdnValue | undefined): string {
  if (v === undefined) return '(missing)';
  const s = JSON.stringify(ednToJson(v)) ?? 'nil';
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
