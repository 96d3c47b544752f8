// Parsers never crash: generated and mutated libketama server files and key files
// for `faultline ring lookup`. Each ends in output or one "faultline: FILE: line N:"
// error with exit 2 and nothing on stdout: never a stack trace, never another
// exception. Weights include huge, tiny, negative and non-numeric values; ids and
// keys include invalid UTF-8, very long and hostile strings. The counts are printed.

import fc from 'fast-check';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parserCounts } from '../parser-fuzz-counts.ts';
import { parseKeyBytes, parseServerDefs } from '../../sim/cli/commands/ring.ts';
import { HashRing, RING_MODES, type RingMode } from '../../sim/protocols/ring/ring.ts';
import { InputError } from '../../sim/scenario/errors.ts';
import { inProcess } from '../cli-harness.ts';

const WEIGHTS = ['1', '2', '600', '0', '-1', '1e308', '1e-300', '9007199254740991', '9007199254740993', 'Infinity', 'NaN', 'abc', '', ' 5 ', '0x10', '1.5', '1_000', '١', '100000000'];
const ID = fc.oneof(
  fc.constantFrom('10.0.0.1:11211', 'mc1:11211', 'a', 'b', 'c', '#x', 'é', '\u2028', 'x'.repeat(5000), 'a b', '*', '\u0000'),
  fc.string({ minLength: 1, maxLength: 12 }),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 8 }),
);
const serverLine = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(ID, fc.constantFrom(...WEIGHTS)).map(([id, w]) => `${id}\t${w}`) },
  { weight: 2, arbitrary: ID },
  { weight: 1, arbitrary: fc.constantFrom('', '# comment', '   ', '\t', 'a\t1\t2', 'a  600') },
);
/** Server file bytes: lines joined by \n or \r\n, sometimes with a BOM, a raw invalid byte or a truncation. */
const serversFile = fc
  .tuple(fc.array(serverLine, { maxLength: 8 }), fc.boolean(), fc.constantFrom('none', 'bom', 'bad-byte', 'truncate'), fc.nat())
  .map(([lines, crlf, extra, at]) => {
    let b: Buffer = Buffer.from(lines.join(crlf ? '\r\n' : '\n') + '\n', 'utf8');
    if (extra === 'bom') b = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), b]);
    if (extra === 'bad-byte') b = Buffer.concat([b.subarray(0, at % (b.length + 1)), Buffer.from([0xff]), b.subarray(at % (b.length + 1))]);
    if (extra === 'truncate') b = b.subarray(0, at % (b.length + 1));
    return b;
  });
/** Well-formed server files, so that the end-to-end runs also reach the output. */
const cleanServersFile = fc
  .uniqueArray(fc.tuple(fc.stringMatching(/^[a-z0-9.:]{1,12}$/), fc.integer({ min: 1, max: 1000 })), { minLength: 1, maxLength: 6, selector: ([id]) => id })
  .map((ss) => Buffer.from(ss.map(([id, w]) => `${id}\t${w}`).join('\n') + '\n'));
const keysFile = fc.oneof(
  fc.uint8Array({ maxLength: 200 }),
  fc.array(fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom('caf\u00e9', 'k\r', '', 'x'.repeat(10_000))), { maxLength: 20 }).map((ks) => Buffer.from(ks.join('\n'), 'utf8')),
);

const count = parserCounts();

function expectInputError(err: unknown, file: string): void {
  if (!(err instanceof InputError)) throw err;
  const line = err.describe();
  expect(line).toMatch(new RegExp(`^${file}(: line \\d+)?: `));
  expect(line).not.toMatch(/[\n\r\u2028\u2029]/);
}

describe('parser fuzz: servers and keys files (in process)', () => {
  it('a servers file parses to members a ring accepts, or one InputError naming the line', () => {
    fc.assert(
      fc.property(serversFile, fc.constantFrom<RingMode>(...RING_MODES), (bytes, mode) => {
        const text = bytes.toString('utf8');
        let ok = false;
        try {
          const { members, lines } = parseServerDefs(text, 'S', mode);
          expect(lines).toHaveLength(members.length);
          const ring = new HashRing(members, { mode }); // every precondition of the ring was a parse rule
          if (ring.placedCount > 0) {
            expect(members.map((m) => m.id)).toContain(ring.lookup('some key'));
            expect(ring.preferenceList('some key', 3).length).toBe(Math.min(3, ring.placedCount));
            if (mode === 'ketama') expect(ring.preferenceListOfBytes(Uint8Array.of(0xff, 0x00, 0x0a), 2).length).toBe(Math.min(2, ring.placedCount));
          }
          ok = true;
        } catch (err) {
          expectInputError(err, 'S');
        }
        count('servers files (parser)', ok);
      }),
      { numRuns: 1500 },
    );
  });

  it('a keys file splits into byte keys (no \\n inside, a trailing \\r dropped) or one InputError naming the line', () => {
    fc.assert(
      fc.property(keysFile, (bytes) => {
        let ok = false;
        try {
          const keys = parseKeyBytes(bytes, 'K');
          for (const k of keys) {
            expect(k.includes(0x0a)).toBe(false);
            expect(k.includes(0x09)).toBe(false);
          }
          const joined = Buffer.concat(keys.flatMap((k) => [k, Buffer.from('\n')]));
          // Every byte of the file is in a key, except the newlines and the \r before them.
          expect(joined.length).toBeLessThanOrEqual(bytes.length + 1);
          ok = true;
        } catch (err) {
          expectInputError(err, 'K');
        }
        count('keys files (parser)', ok);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('parser fuzz: faultline ring lookup end to end (in process)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-ringfuzz-'));
  it('output for every key, or exit 2 with one error line and nothing on stdout', async () => {
    const cases = fc.sample(fc.tuple(fc.oneof(serversFile, cleanServersFile), keysFile, fc.constantFrom<RingMode>(...RING_MODES), fc.constantFrom([], ['--replicas', '2'], ['--replicas', '5'])), { numRuns: 300, seed: 5 });
    for (const [i, [servers, keys, mode, extra]] of cases.entries()) {
      const s = join(dir, `s${i}.servers`);
      const k = join(dir, `k${i}.keys`);
      writeFileSync(s, servers);
      writeFileSync(k, keys);
      const r = await inProcess(['ring', 'lookup', '--mode', mode, '--servers', s, '--keys', k, ...extra]);
      const errors = r.stderr.split('\n').filter((l) => l !== '' && !l.startsWith('faultline: warning: '));
      if (r.code === 2) {
        expect(errors).toHaveLength(1);
        expect(errors[0]!.startsWith(`faultline: ${s}`) || errors[0]!.startsWith(`faultline: ${k}`)).toBe(true);
        expect(r.stdout).toBe('');
      } else {
        expect(r.code).toBe(0);
        expect(errors).toEqual([]);
        expect(r.stdout.split('\n').length - 1).toBe(parseKeyBytes(keys, k).length);
      }
      count('ring lookup (CLI, in process)', r.code === 0);
    }
  });
});
