// Parsers never crash: the readers of Jepsen etcd logs, Jepsen/Knossos EDN histories
// (Porcupine's key-value files among them) and Faultline traces are fed generated and
// mutated inputs (truncations, deleted and duplicated spans, hostile tokens, huge
// numbers, deep nesting, invalid UTF-8 decoded as U+FFFD, lone surrogates, very long
// lines). Each input must end in a parsed history or an InputError that names the file
// and the line; a parsed history must then check (within a small budget) or be refused
// as a HistoryError, never anything else. The number of inputs per parser is printed.

import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { checkHistory, detectFormat, HistoryError, inferModel, models, parseEdn, parseEtcd, parseTrace, type Model, type ModelName, type ParsedHistory } from '../../sim/check/linearizability/index.ts';
import { InputError } from '../../sim/scenario/errors.ts';

const ROOT = fileURLToPath(new URL('../../testdata/', import.meta.url));
const read = (p: string) => readFileSync(ROOT + p, 'utf8');
const seedsFor = (dir: string, ext: RegExp) => readdirSync(ROOT + dir).filter((f) => ext.test(f)).map((f) => read(`${dir}/${f}`));

/** Small enough that a mutated input parses and checks in well under a second. */
const firstLines = (text: string, n: number) => text.split('\n').slice(0, n).join('\n');

const HOSTILE = [
  '"', '\\', '[', ']', '{', '}', '(', ')', '#', '#{', '#_', '#inst', '##NaN', ':', '::', ',', ';', '\n', '\r\n', '\t', '\u0000', '\uFFFD', '\uFEFF', '\uD800', '\u2028',
  'nil', 'true', ':nemesis', ':info', ':invoke', ':ok', ':fail', '-', '+', '1e400', '-0', '99999999999999999999999', '9007199254740993', '1/0', '0/0', 'NaN', 'Infinity',
  '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[', '{:a {:a {:a {:a {:a {:a', '"unterminated', 'x'.repeat(5000), '\\u12', '\\newline', 'INFO  jepsen.util - ', '{"type":"invoke"}',
];

/** A mutation of `text`: positions and lengths are fractions of its length. */
const mutation = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.double({ min: 0, max: 1, noNaN: true }), len: fc.nat(40) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.double({ min: 0, max: 1, noNaN: true }), what: fc.oneof(fc.constantFrom(...HOSTILE), fc.string({ unit: 'binary', maxLength: 20 })) }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.double({ min: 0, max: 1, noNaN: true }), len: fc.nat(200) }),
  fc.record({ kind: fc.constant('swapLines' as const), a: fc.nat(), b: fc.nat() }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

function mutate(text: string, ms: Mutation[]): string {
  let t = text;
  for (const m of ms) {
    const at = 'at' in m ? Math.floor(m.at * t.length) : 0;
    if (m.kind === 'truncate') t = t.slice(0, at);
    else if (m.kind === 'delete') t = t.slice(0, at) + t.slice(at + m.len);
    else if (m.kind === 'insert') t = t.slice(0, at) + m.what + t.slice(at);
    else if (m.kind === 'duplicate') t = t.slice(0, at + m.len) + t.slice(at, at + m.len) + t.slice(at + m.len);
    else {
      const lines = t.split('\n');
      if (lines.length > 1) {
        const a = m.a % lines.length;
        const b = m.b % lines.length;
        [lines[a], lines[b]] = [lines[b]!, lines[a]!];
        t = lines.join('\n');
      }
    }
  }
  return t;
}

const counts: Record<string, number> = {};
afterAll(() => {
  process.stdout.write(`parser fuzz inputs: ${Object.entries(counts).map(([k, n]) => `${k} ${n}`).join(', ')}\n`);
});

/** Parse, then check with the model the file implies: a result, or an InputError / HistoryError naming the place. */
function survives(name: string, parse: (text: string, file: string) => ParsedHistory, text: string): void {
  counts[name] = (counts[name] ?? 0) + 1;
  let parsed: ParsedHistory;
  try {
    parsed = parse(text, 'in.txt');
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    expect(err.file).toBe('in.txt');
    expect(err.where).toMatch(/^line \d+$/);
    expect(err.message).not.toMatch(/\n/);
    return;
  }
  expect(parsed.lines).toHaveLength(parsed.history.length);
  const fs = parsed.history.flatMap((e) => (e.type === 'invoke' ? [e.f] : []));
  const model: ModelName | undefined = parsed.model ?? inferModel(fs);
  if (model === undefined) return; // the CLI asks for --model: an InputError
  try {
    const r = checkHistory(parsed.history, models[model] as Model<unknown>, { maxSteps: 20_000, coreSteps: 2_000 });
    expect(['linearizable', 'not-linearizable', 'unknown']).toContain(r.verdict);
    if (r.failure) expect(typeof r.failure.explanation).toBe('string');
  } catch (err) {
    if (!(err instanceof HistoryError)) throw err;
    expect(err.position).toBeGreaterThanOrEqual(0);
  }
}

const families: [string, (text: string, file: string) => ParsedHistory, string[]][] = [
  ['etcd', parseEtcd, [...seedsFor('linearizability/etcd', /\.log$/).map((t) => firstLines(t, 60)), read('reported/C6-etcd-nemesis-line.log'), read('reported/C7-etcd-bigint-precision.log')]],
  ['edn-kv', parseEdn, [...seedsFor('linearizability/kv', /\.txt$/).map((t) => firstLines(t, 60)), ...['C4-kv-register-read-dropped.edn', 'C4b-kv-queue-dequeue-dropped.edn', 'C5-kv-error-vector.edn', 'C6b-kv-nemesis-process.edn'].map((f) => read(`reported/${f}`))]],
  ['edn-knossos', parseEdn, [...seedsFor('knossos', /\.edn$/), read('reported/C3-knossos-vector-format.edn')]],
];

describe('parsers never crash on mutated inputs', () => {
  for (const [name, parse, seeds] of families)
    it(`${name}: ${seeds.length} seed files, mutated`, () => {
      fc.assert(
        fc.property(fc.constantFrom(...seeds), fc.array(mutation, { minLength: 1, maxLength: 4 }), (seed, ms) => survives(name, parse, mutate(seed, ms))),
        { numRuns: 400, seed: 42 },
      );
    });

  it('every parser on arbitrary text, and format detection', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 300 }), fc.array(fc.constantFrom(...HOSTILE), { maxLength: 30 }).map((xs) => xs.join(' '))), (text) => {
        survives('etcd', parseEtcd, text);
        survives('edn-kv', parseEdn, text);
        survives('trace', parseTrace, text);
        expect(['etcd', 'edn', 'kv', 'trace', undefined]).toContain(detectFormat(text));
      }),
      { numRuns: 400, seed: 7 },
    );
  });

  it('deep nesting and very long lines end in a one-line error, not a stack overflow', () => {
    for (const text of ['['.repeat(100_000), '{:a '.repeat(50_000), `{:process 0, :type :invoke, :f :read, :value "${'x'.repeat(1_000_000)}`, '#_'.repeat(100_000)]) {
      survives('edn-kv', parseEdn, text);
      survives('etcd', parseEtcd, `INFO  jepsen.util - 0\t:invoke\t:write\t${text}`);
    }
  });
});
