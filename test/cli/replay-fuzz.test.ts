// Parser fuzzing of the trace files `faultline replay` reads: a valid trace of
// a tiny run, mutated by fast-check (truncated at any byte, lines dropped,
// duplicated or swapped, a line replaced by arbitrary JSON, a field of the
// header, an event or the footer set to a wrong type or a huge number, invalid
// UTF-8 inserted, a very long line, deep nesting, a byte-order mark, CRLF).
// Each replay must end in a result (exit 0 identical, 1 different) or ONE
// line `faultline: <file>: ...` with exit 2; never a stack trace.

import fc from 'fast-check';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inProcess } from '../cli-harness.ts';

const TINY = 'test/cli/fixtures/tiny.json';
const tmp = mkdtempSync(join(tmpdir(), 'faultline-replay-fuzz-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Inputs tried (stated in the closing report of issue 14). */
export const TRACE_RUNS = 300;

let original: Buffer;
beforeAll(async () => {
  const file = join(tmp, 'tiny.jsonl');
  const r = await inProcess(['run', TINY, '--trace', file]);
  expect(r.code, r.stderr).toBe(0);
  original = readFileSync(file);
});

const hostileValue = fc.oneof(
  fc.constantFrom<unknown>(null, true, -1, 0, 1e300, -1e300, 2 ** 53 + 2, 1.5, '', 'x', [], {}, '\u0000', 'é😀', 'x'.repeat(100_000)),
  fc.jsonValue({ maxDepth: 3 }),
  fc.integer({ min: 1, max: 60 }).map((d) => JSON.parse('['.repeat(d * 50) + ']'.repeat(d * 50)) as unknown),
);

type Mutation = (lines: string[], bytes: Buffer) => Buffer;
const joinLines = (lines: string[]): Buffer => Buffer.from(lines.join('\n') + '\n', 'utf8');

/** Set `path` inside a JSON line to `v` (keys chosen among the object's own). */
function setField(line: string, pick: number[], v: unknown): string {
  let doc: unknown;
  try {
    doc = JSON.parse(line);
  } catch {
    return line;
  }
  const root = { doc };
  let parent: Record<string, unknown> = root;
  let key = 'doc';
  for (const p of pick) {
    const cur = parent[key];
    if (cur === null || typeof cur !== 'object') break;
    const keys = Object.keys(cur);
    if (keys.length === 0) break;
    parent = cur as Record<string, unknown>;
    key = keys[p % keys.length] as string;
  }
  parent[key] = v;
  return JSON.stringify(root.doc);
}

const mutation: fc.Arbitrary<[string, Mutation]> = fc.oneof(
  fc.nat().map((n): [string, Mutation] => [`truncate at byte ${n}`, (_l, b) => b.subarray(0, n % (b.length + 1))]),
  fc.tuple(fc.nat(), fc.nat()).map(([i, j]): [string, Mutation] => [`swap lines ${i} ${j}`, (l) => {
    const c = [...l];
    const a = i % c.length;
    const b = j % c.length;
    [c[a], c[b]] = [c[b] as string, c[a] as string];
    return joinLines(c);
  }]),
  fc.nat().map((i): [string, Mutation] => [`drop line ${i}`, (l) => joinLines(l.filter((_, k) => k !== i % l.length))]),
  fc.nat().map((i): [string, Mutation] => [`duplicate line ${i}`, (l) => joinLines(l.flatMap((x, k) => (k === i % l.length ? [x, x] : [x])))]),
  fc.tuple(fc.nat(), fc.jsonValue({ maxDepth: 2 })).map(([i, v]): [string, Mutation] => [`replace line ${i}`, (l) => joinLines(l.map((x, k) => (k === i % l.length ? JSON.stringify(v) : x)))]),
  fc.tuple(fc.constantFrom('header', 'event', 'footer'), fc.nat(), fc.array(fc.nat(), { minLength: 1, maxLength: 4 }), hostileValue).map(([which, i, pick, v]): [string, Mutation] => [
    `set a field of the ${which}`,
    (l) => {
      const k = which === 'header' ? 0 : which === 'footer' ? l.length - 1 : 1 + (i % Math.max(1, l.length - 2));
      return joinLines(l.map((x, n) => (n === k ? setField(x, pick, v) : x)));
    },
  ]),
  fc.tuple(fc.nat(), fc.constantFrom([0xff], [0xc3], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0x80])).map(([at, bad]): [string, Mutation] => [`invalid UTF-8 at ${at}`, (_l, b) => {
    const p = at % (b.length + 1);
    return Buffer.concat([b.subarray(0, p), Buffer.from(bad), b.subarray(p)]);
  }]),
  fc.nat().map((i): [string, Mutation] => [`very long line ${i}`, (l) => joinLines(l.map((x, k) => (k === i % l.length ? `{"seq":1,"t":0,"type":"log","node":"n1","text":"${'y'.repeat(2_000_000)}"}` : x)))]),
  fc.constantFrom<[string, Mutation]>(
    ['byte-order mark', (_l, b) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), b])],
    ['CRLF line ends', (l) => Buffer.from(l.join('\r\n') + '\r\n')],
    ['empty file', () => Buffer.alloc(0)],
    ['no final newline', (_l, b) => b.subarray(0, b.length - 1)],
    ['a line nested 100000 deep', (l) => joinLines([...l.slice(0, 2), '['.repeat(100_000) + ']'.repeat(100_000), ...l.slice(2)])],
    ['binary', () => Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 131) % 256))],
  ),
);

describe('faultline replay never crashes on a damaged trace', () => {
  it(`${TRACE_RUNS} mutated traces: exit 0 or 1 with a result, or one line and exit 2`, async () => {
    const outcomes = new Map<number, number>();
    let tried = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 3 }), fc.boolean(), async (ms, json) => {
        tried++;
        let bytes: Buffer = original;
        for (const [, m] of ms) bytes = m(bytes.toString('utf8').trimEnd().split('\n'), bytes);
        const file = join(tmp, `m${tried}.jsonl`);
        writeFileSync(file, bytes);
        const r = await inProcess(['replay', file, ...(json ? ['--json'] : [])]);
        rmSync(file);
        outcomes.set(r.code, (outcomes.get(r.code) ?? 0) + 1);
        const label = ms.map(([d]) => d).join(', ');
        expect([0, 1, 2], label).toContain(r.code);
        expect(r.stderr, label).not.toMatch(/\n\s+at /);
        if (r.code === 2) {
          expect(r.stdout, label).toBe('');
          expect(r.stderr.trimEnd().split('\n'), label).toHaveLength(1);
          expect(r.stderr.startsWith(`faultline: ${file}: `), `${label}: ${r.stderr}`).toBe(true);
        } else {
          expect(r.stderr, label).toBe('');
        }
      }),
      { numRuns: TRACE_RUNS },
    );
    expect(tried).toBe(TRACE_RUNS);
    expect(outcomes.get(2)).toBeGreaterThan(0);
    expect((outcomes.get(0) ?? 0) + (outcomes.get(1) ?? 0)).toBeGreaterThan(0);
  });

  it('the unmutated trace replays exactly; invalid UTF-8 is named with its line', async () => {
    const file = join(tmp, 'ok.jsonl');
    writeFileSync(file, original);
    expect((await inProcess(['replay', file])).code).toBe(0);
    const lines = original.toString('utf8').split('\n');
    writeFileSync(file, Buffer.concat([Buffer.from(lines.slice(0, 3).join('\n') + '\n'), Buffer.from([0xff]), Buffer.from(lines.slice(3).join('\n'))]));
    const r = await inProcess(['replay', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^faultline: ${file}: line 4: expected UTF-8 text, found an invalid byte sequence at byte \\d+\\n$`));
  });
});
