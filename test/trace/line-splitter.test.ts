// The streaming line splitter in strict mode names invalid UTF-8 exactly as
// the whole-file reader does (same line, same byte), whatever the chunking;
// `faultline replay` and `faultline check` read traces through it.

import fc from 'fast-check';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTextFile } from '../../sim/cli/read-input.ts';
import { InputError } from '../../sim/scenario/errors.ts';
import { LineSplitter } from '../../sim/trace/reader.ts';

const dir = mkdtempSync(join(tmpdir(), 'faultline-splitter-'));

/** Feed `bytes` to the splitter in chunks cut at `cuts` (those inside the bytes, in order). */
function pushInChunks(s: LineSplitter, bytes: Uint8Array, cuts: number[]): void {
  let at = 0;
  for (const c of [...cuts.filter((x) => x > 0 && x < bytes.length).sort((a, b) => a - b), bytes.length]) {
    if (c <= at) continue;
    s.push(bytes.subarray(at, c));
    at = c;
  }
}

function splitError(bytes: Uint8Array, cuts: number[]): string | undefined {
  const lines: string[] = [];
  const s = new LineSplitter((t) => lines.push(t), { file: 'f' });
  try {
    pushInChunks(s, bytes, cuts);
    s.end();
    return undefined;
  } catch (err) {
    if (err instanceof InputError) return err.describe();
    throw err;
  }
}

function wholeError(bytes: Uint8Array): string | undefined {
  const f = join(dir, 'f');
  writeFileSync(f, bytes);
  try {
    readTextFile(f, 'trace file');
    return undefined;
  } catch (err) {
    if (err instanceof InputError) return err.describe().replace(f, 'f');
    throw err;
  }
}

describe('LineSplitter strict UTF-8', () => {
  it('names the same line and byte as reading the whole file, for any chunking', () => {
    const piece = fc.oneof(fc.constant('{"a":1}\n'), fc.constant('é→\n'), fc.constant('x'), fc.constant('\n'), fc.constant(new Uint8Array([0xff])), fc.constant(new Uint8Array([0xe2, 0x86])));
    fc.assert(
      fc.property(fc.array(piece, { minLength: 1, maxLength: 20 }), fc.array(fc.nat(200), { maxLength: 5 }), (pieces, cuts) => {
        const bytes = Buffer.concat(pieces.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))));
        const want = wholeError(bytes);
        const got = splitError(bytes, cuts);
        expect(got).toBe(want);
      }),
      { numRuns: 300, seed: 12 },
    );
  });
});

describe('LineSplitter offsets', () => {
  it('gives each line the bytes it came from, whatever the chunking, ASCII, multi-byte or invalid bytes', () => {
    // Chunks of ASCII only take the path where a line's byte offsets are its text offsets; the others search bytes.
    const piece = fc.oneof(fc.constant('{"a":1}\n'), fc.constant('é→\n'), fc.constant('x'), fc.constant('\n'), fc.constant('😀'), fc.constant(new Uint8Array([0xff])), fc.constant(new Uint8Array([0xe2, 0x86])));
    fc.assert(
      fc.property(fc.array(piece, { minLength: 1, maxLength: 20 }), fc.array(fc.nat(200), { maxLength: 5 }), (pieces, cuts) => {
        const bytes = Buffer.concat(pieces.map((p) => Buffer.from(p)));
        const got: [string, number, number][] = [];
        const s = new LineSplitter((t, start, length) => got.push([t, start, length]));
        pushInChunks(s, bytes, cuts);
        s.end();
        // The lines of the whole text, and each line's bytes decoding to it (with its "\n").
        const whole = new TextDecoder().decode(bytes);
        const lines = whole.endsWith('\n') ? whole.slice(0, -1).split('\n') : whole.split('\n');
        expect(got.map((g) => g[0])).toEqual(bytes.length === 0 ? [] : lines);
        let next = 0;
        for (const [t, start, length] of got) {
          expect(start).toBe(next);
          const raw = bytes.subarray(start, start + length);
          expect(new TextDecoder().decode(raw[raw.length - 1] === 10 ? raw.subarray(0, -1) : raw)).toBe(t);
          next = start + length;
        }
        expect(next).toBe(bytes.length);
      }),
      { numRuns: 400 },
    );
  });
});
