// Parsers never crash: generated and mutated scenario files (JSON bytes, and a
// handful of TypeScript modules) each end in a scenario or in one InputError line
// naming the file and the place: never another exception, a stack trace or a hang.
// Mutations: truncations, wrong types, huge numbers, deep nesting, invalid UTF-8,
// very long strings, hostile strings, unknown keys. Inputs stay small, so each is
// quick; no timing is asserted. The counts are printed at the end.

import fc from 'fast-check';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parserCounts } from '../parser-fuzz-counts.ts';
import { loadScenario, scenarioFromJsonBytes } from '../../sim/cli/scenarios.ts';
import { InputError } from '../../sim/scenario/errors.ts';
import { prepareRun } from '../../sim/scenario/resolve.ts';
import { cli } from '../cli-harness.ts';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Valid scenario documents of every protocol, the seeds of the mutations. */
const SEEDS: Json[] = [
  { name: 'pp', description: 'd', protocol: 'pingpong', duration: '200ms', config: { nodes: 4, inFlight: 20 }, network: { latency: { kind: 'uniform', min: '1ms', max: '5ms' }, loss: 0.01, links: [{ from: 'n1', to: '*', loss: 0.5 }] }, clocks: { n2: { offset: '-5ms', drift: 0.001 } }, faults: { timeline: [{ at: '50ms', kind: 'partition', groups: [['n1', 'n2'], ['n3']] }, { at: '80ms', kind: 'heal' }, { at: '90ms', kind: 'crash', node: 'n4' }] } },
  { name: 'raft', description: 'd', protocol: 'raft', duration: '300ms', seed: 7, config: { servers: 3, clients: 1, heartbeat: '40ms', electionTimeout: { min: '150ms', max: '300ms' }, electionTimeoutOf: { n1: { min: '100ms', max: '120ms' } }, preload: { n2: { term: 2, log: [1, 2] } } }, faults: { nemesis: { crash: { rate: 2, downtime: { min: '10ms', max: '50ms' } } } }, expect: 'no-violation' },
  { name: 'lock', description: 'd', protocol: 'lock', duration: '300ms', config: { clients: 2, ttl: '200ms', keepAlive: '50ms', margin: '20ms', retry: '30ms' }, faults: { timeline: [{ at: '100ms', kind: 'pause', node: 's1' }, { at: '150ms', kind: 'resume', node: 's1' }, { at: '200ms', kind: 'quiesce' }] } },
  { name: 'twopc', description: 'd', protocol: 'twopc', duration: '300ms', config: { participants: 2, clients: 2, retryInterval: '40ms', amount: { min: 1, max: 10 } }, expect: { violation: 'atomicity' } },
  { name: 'ring', description: 'd', protocol: 'ring', duration: '300ms', config: { mode: 'ketama', servers: 3, spares: 1, clients: 1, keys: 10, changes: [{ at: '100ms', join: 'n4', weight: 2 }] } },
];

const HOSTILE_STRINGS = ['', ' ', '\u0000', 'a\nb\r\nc', '\u2028\u2029', '__proto__', 'constructor', 'toString', '\ud800', '\uffff', 'x'.repeat(20_000), '1e300s', '-5ms', 'NaNms', '١٠ms', '10 ms', '0x10', 'Infinity', '*', '@leader', '"quoted"', '${x}', '../../etc/passwd'];
const HUGE_NUMBERS = [1e308, -1e308, 2 ** 53 + 2, -(2 ** 53) - 2, 1e21, -0, 0.1, 5e-324, 2 ** 31, -1];
const deep = (depth: number, leaf: Json): Json => {
  let v = leaf;
  for (let i = 0; i < depth; i++) v = i % 2 === 0 ? [v] : { a: v };
  return v;
};

const hostileValue: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom(...HOSTILE_STRINGS),
  fc.constantFrom(...HUGE_NUMBERS),
  fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>,
  fc.integer({ min: 10, max: 3000 }).map((d) => deep(d, 1)),
  fc.constantFrom<Json>(true, null, [], {}, [[]], { at: '1s' }),
  fc.string({ unit: 'binary', maxLength: 40 }),
);

/** Every path (of keys and indexes) in a document. */
function paths(doc: Json, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(prefix);
  if (Array.isArray(doc)) doc.forEach((v, i) => paths(v, [...prefix, i], out));
  else if (doc !== null && typeof doc === 'object') for (const [k, v] of Object.entries(doc)) paths(v, [...prefix, k], out);
  return out;
}

function setAt(doc: Json, path: (string | number)[], value: Json | undefined): Json {
  if (path.length === 0) return value ?? null;
  const copy = structuredClone(doc) as Record<string | number, Json>;
  let cur: Record<string | number, Json> = copy;
  for (const k of path.slice(0, -1)) cur = cur[k] as Record<string | number, Json>;
  const last = path.at(-1) as string | number;
  if (value === undefined) {
    if (Array.isArray(cur)) cur.splice(last as number, 1);
    else delete cur[last];
  } else cur[last] = value;
  return copy as Json;
}

/** A structural mutation: replace a value, delete it, or add an unknown key. */
const mutatedDoc: fc.Arbitrary<Json> = fc
  .tuple(fc.constantFrom(...SEEDS), fc.nat(), fc.constantFrom('replace', 'delete', 'add'), hostileValue, fc.constantFrom('colour', 'x', '__proto__', 'constructor', ''))
  .map(([seed, pick, op, value, key]) => {
    const all = paths(seed);
    const path = all[pick % all.length] as (string | number)[];
    if (op === 'replace') return setAt(seed, path, value);
    if (op === 'delete') return setAt(seed, path, undefined);
    const target = path.reduce<Json>((v, k) => (v as Record<string | number, Json>)[k] as Json, seed);
    if (target === null || typeof target !== 'object' || Array.isArray(target)) return setAt(seed, path, value);
    return setAt(seed, [...path, key], value);
  });

/** Bytes of a (mutated) document, then byte-level mutations: truncation, random bytes, a flipped byte, a BOM. */
const mutatedBytes: fc.Arbitrary<Uint8Array> = fc
  .tuple(
    fc.oneof(mutatedDoc, fc.constantFrom(...SEEDS)),
    fc.array(
      fc.oneof(
        fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
        fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 6 }) }),
        fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
        fc.record({ kind: fc.constant('bom' as const) }),
        fc.record({ kind: fc.constant('nest' as const), at: fc.nat(), depth: fc.integer({ min: 100, max: 20_000 }) }),
      ),
      { maxLength: 3 },
    ),
  )
  .map(([doc, edits]) => {
    let b: Uint8Array = Buffer.from(JSON.stringify(doc) ?? 'null', 'utf8');
    for (const e of edits) {
      const at = e.kind === 'bom' ? 0 : e.at % (b.length + 1);
      if (e.kind === 'truncate') b = b.subarray(0, at);
      else if (e.kind === 'insert') b = Buffer.concat([b.subarray(0, at), e.bytes, b.subarray(at)]);
      else if (e.kind === 'flip' && at < b.length) b = Buffer.concat([b.subarray(0, at), Uint8Array.of(b[at]! ^ (1 << e.bit)), b.subarray(at + 1)]);
      else if (e.kind === 'bom') b = Buffer.concat([Uint8Array.of(0xef, 0xbb, 0xbf), b]);
      else if (e.kind === 'nest') b = Buffer.concat([b.subarray(0, at), Buffer.from('['.repeat(e.depth)), b.subarray(at)]);
    }
    return b;
  });

const count = parserCounts();

/** The one-line contract of a rejection: names the file, no line break, bounded length. */
function expectOneLine(err: unknown, file: string): void {
  if (!(err instanceof InputError)) throw err; // any other exception fails the property, with its stack
  const line = err.describe();
  // `file: where: what`, or `file:line:col: message` for a syntax or type error in a module.
  expect(line.startsWith(`${file}: `) || line === file || /^:\d+:\d+: /.test(line.slice(file.length)) && line.startsWith(file)).toBe(true);
  expect(line).not.toMatch(/[\n\r\u2028\u2029]/);
  expect(line.length).toBeLessThan(3200);
}

describe('parser fuzz: scenario JSON files', () => {
  it('generated and mutated JSON scenario bytes: a scenario (which prepares or is rejected) or one InputError line', () => {
    const file = 'fuzz/scenario.json';
    fc.assert(
      fc.property(mutatedBytes, (bytes) => {
        let ok = false;
        try {
          const scenario = scenarioFromJsonBytes(bytes, file);
          prepareRun(scenario, { file });
          ok = true;
        } catch (err) {
          expectOneLine(err, file);
        }
        count('scenario JSON', ok);
      }),
      { numRuns: 2500 },
    );
  });

  it('structurally mutated documents (wrong types, huge numbers, hostile strings, deep nesting) name the path in the document', () => {
    const file = 'fuzz/doc.json';
    fc.assert(
      fc.property(mutatedDoc, (doc) => {
        let ok = false;
        try {
          prepareRun(scenarioFromJsonBytes(Buffer.from(JSON.stringify(doc) ?? 'null'), file), { file });
          ok = true;
        } catch (err) {
          expectOneLine(err, file);
        }
        count('scenario documents', ok);
      }),
      { numRuns: 2500 },
    );
  });
});

describe('parser fuzz: scenario TypeScript modules', () => {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-modfuzz-'));
  const seed = JSON.stringify(SEEDS[0]);
  const modules: [string, string][] = [
    ['syntax-error', `export default { name: 'x', ${seed}`],
    ['wrong-types', `export default { ...${seed}, duration: { amount: 5 }, config: { nodes: 'five' } };`],
    ['bom', `\ufeffexport default ${seed};`],
    ['no-default', `export const scenario = ${seed};`],
    ['throws-on-import', `throw new Error('no\\nway');\nexport default ${seed};`],
    ['throws-a-string', `throw 'plain string';\nexport default 1;`],
    ['default-function', `export default function () { return ${seed}; }`],
    ['default-number', 'export default 42;'],
    ['getter-throws', `export default { ...${seed}, get description(): string { throw new TypeError('boom'); } };`],
    ['proxy', `export default new Proxy({}, { get() { throw new RangeError('proxy'); }, ownKeys() { throw new Error('keys'); } });`],
    ['cyclic', `const s: Record<string, unknown> = { ...${seed} }; s.config = s; export default s;`],
    ['huge-number', `export default { ...${seed}, duration: 1e300 };`],
    ['hostile-name', `export default { ...${seed}, name: 'a\\nb\\u2028' + 'x'.repeat(5000) };`],
    ['bad-import', `import { nothing } from './does-not-exist.ts';\nexport default nothing;`],
    ['invalid-utf8', `export default { ...${seed}, description: '\xff\xfe' };`],
  ];

  it.each(modules)('%s: a scenario or one InputError line naming the file', async (name, source) => {
    const file = join(dir, `${name}.ts`);
    writeFileSync(file, name === 'invalid-utf8' ? Buffer.from(source, 'latin1') : source);
    let ok = false;
    try {
      await loadScenario(file, { quiet: true });
      ok = true;
    } catch (err) {
      expectOneLine(err, file);
    }
    count('scenario TypeScript modules', ok);
    expect(ok).toBe(name === 'bom' || name === 'invalid-utf8');
  });
});

describe('parser fuzz: a few real CLI runs on mutated files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-clifuzz-'));
  const samples = fc.sample(mutatedBytes, { numRuns: 4, seed: 11 });
  it('exit 0, 1 or 2; on 2 exactly one "faultline:" error line and no trace file', async () => {
    for (const [i, bytes] of samples.entries()) {
      const file = join(dir, `m${i}.json`);
      writeFileSync(file, bytes);
      const trace = join(dir, `m${i}.jsonl`);
      const r = await cli(['run', file, '--trace', trace]);
      const errors = r.stderr.split('\n').filter((l) => l !== '' && !l.startsWith('faultline: warning: '));
      if (r.code === 2) {
        expect(errors).toHaveLength(1);
        expect(errors[0]).toMatch(new RegExp(`^faultline: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
        const { existsSync } = await import('node:fs');
        expect(existsSync(trace)).toBe(false);
      } else {
        expect([0, 1]).toContain(r.code);
        expect(errors).toEqual([]);
      }
      count('scenario files via the CLI', r.code !== 2);
    }
  });
});
