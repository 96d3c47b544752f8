// The ring's hash functions: jump hash against the paper's reference values,
// the fused two-probe hash against two single ones, and the spread of hash32.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hash32, hash32x2, hash32x2Second, hash64, jumpHash, ketamaKeyHash } from '../../sim/protocols/ring/hash.ts';

describe('jumpHash (Lamping and Veach 2014, Figure 1)', () => {
  it('gives the reference implementation\'s buckets', () => {
    // Values published with the C++ and Python implementations of the paper's code.
    expect(jumpHash(256n, 1024)).toBe(520);
    expect(jumpHash(2016238256797177309n, 11)).toBe(3);
    expect(jumpHash(10863919174838991n, 11)).toBe(6);
    expect(jumpHash(1n, 1)).toBe(0);
  });

  it('growing from n to n+1 buckets moves a key only into the new bucket', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.integer({ min: 1, max: 500 }), (key, n) => {
        const before = jumpHash(key, n);
        const after = jumpHash(key, n + 1);
        expect(before).toBeGreaterThanOrEqual(0);
        expect(before).toBeLessThan(n);
        expect(after === before || after === n).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('rejects a bucket count that is not a positive integer', () => {
    expect(() => jumpHash(1n, 0)).toThrow(RangeError);
    expect(() => jumpHash(1n, 1.5)).toThrow(RangeError);
  });
});

/** MurmurHash3_x86_32 over bytes, straight from the reference C (an independent check of hash32). */
function murmur3Bytes(bytes: Uint8Array, seed: number): number {
  let h = seed >>> 0;
  const c1 = 0xcc9e2d51;
  const c2 = 0x1b873593;
  const blocks = bytes.length >> 2;
  for (let i = 0; i < blocks; i++) {
    let k = bytes[4 * i]! | (bytes[4 * i + 1]! << 8) | (bytes[4 * i + 2]! << 16) | (bytes[4 * i + 3]! << 24);
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  const tail = blocks * 4;
  const rest = bytes.length & 3;
  if (rest > 0) {
    let k = 0;
    if (rest === 3) k ^= bytes[tail + 2]! << 16;
    if (rest >= 2) k ^= bytes[tail + 1]! << 8;
    k ^= bytes[tail]!;
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
  }
  h ^= bytes.length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const utf16le = (s: string): Uint8Array => {
  const out = new Uint8Array(s.length * 2);
  for (let i = 0; i < s.length; i++) {
    out[2 * i] = s.charCodeAt(i) & 0xff;
    out[2 * i + 1] = s.charCodeAt(i) >>> 8;
  }
  return out;
};

describe('hash32', () => {
  it('is MurmurHash3_x86_32 of the UTF-16LE encoding', () => {
    // Published vectors of the byte-oriented reference, to trust the reference itself.
    const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);
    expect(murmur3Bytes(ascii(''), 0)).toBe(0);
    expect(murmur3Bytes(ascii(''), 1)).toBe(0x514e28b7);
    expect(murmur3Bytes(ascii('test'), 0)).toBe(0xba6bd213);
    expect(murmur3Bytes(ascii('Hello, world!'), 1234)).toBe(0xfaf6cdb3);
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 30 }), fc.integer({ min: 0, max: 0xffffffff }), (s, seed) => {
        expect(hash32(s, seed)).toBe(murmur3Bytes(utf16le(s), seed));
      }),
      { numRuns: 300 },
    );
  });

  it('hash32x2 equals hash32 with seeds 0 and 1, for any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (s) => {
        expect(hash32x2(s)).toBe(hash32(s, 0));
        expect(hash32x2Second).toBe(hash32(s, 1));
      }),
      { numRuns: 300 },
    );
  });

  it('spreads sequential keys evenly over 64 buckets (chi-square, 63 degrees of freedom, p > 0.001)', () => {
    const counts = new Array<number>(64).fill(0);
    const n = 64_000;
    for (let i = 0; i < n; i++) counts[hash32(`key:${i}`) >>> 26]!++;
    const expected = n / 64;
    const chi2 = counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
    expect(chi2).toBeLessThan(103.4); // the 0.999 quantile of chi-square(63)
  });

  it('flips about half the output bits when one input character changes', () => {
    let flipped = 0;
    const trials = 2000;
    for (let i = 0; i < trials; i++) {
      const a = hash32(`node-${i}#a`);
      const b = hash32(`node-${i}#b`);
      let x = (a ^ b) >>> 0;
      while (x) {
        flipped += x & 1;
        x >>>= 1;
      }
    }
    expect(flipped / trials).toBeGreaterThan(15);
    expect(flipped / trials).toBeLessThan(17);
  });

  it('hash64 is two independent 32-bit halves', () => {
    const h = hash64('abc');
    expect(h >> 32n).toBe(BigInt(hash32('abc', 0x9747b28c)));
    expect(h & 0xffffffffn).toBe(BigInt(hash32('abc', 0x5bd1e995)));
  });
});

describe('ketamaKeyHash', () => {
  it('is the first four bytes of md5, little-endian', () => {
    // md5("") = d41d8cd98f00b204e9800998ecf8427e
    expect(ketamaKeyHash('')).toBe(0xd98c1dd4);
    // md5("a") = 0cc175b9c0f1b6a831c399e269772661
    expect(ketamaKeyHash('a')).toBe(0xb975c10c);
  });
});
