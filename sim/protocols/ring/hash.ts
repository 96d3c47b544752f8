// Hash functions of the ring, all pure and identical in Node and the browser.
//
// - hash32: the native mode's hash: exactly MurmurHash3_x86_32 of the key's
//   UTF-16LE encoding, computed from the code units directly (two per 32-bit
//   block), so a key is hashed without encoding it to bytes first. Fast, well
//   mixed, not cryptographic.
// - ketamaDigest / ketamaKeyHash: libketama's md5 continuum (md5 from
//   @noble/hashes, which needs no Node built-ins).
// - jumpHash: Lamping and Veach, "A Fast, Minimal Memory, Consistent Hash
//   Algorithm" (2014), Figure 1.

import { md5 } from '@noble/hashes/legacy.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

/** MurmurHash3's finaliser: every input bit affects every output bit. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** 32-bit hash of a string's UTF-16 code units (MurmurHash3 x86_32 over them, little-endian pairs). */
export function hash32(key: string, seed = 0): number {
  let h = seed | 0;
  const len = key.length;
  const pairs = len & ~1;
  let i = 0;
  for (; i < pairs; i += 2) {
    let k = key.charCodeAt(i) | (key.charCodeAt(i + 1) << 16);
    k = Math.imul(k, C1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, C2);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  if (i < len) {
    let k = key.charCodeAt(i);
    k = Math.imul(k, C1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, C2);
    h ^= k;
  }
  return fmix32(h ^ (len * 2));
}

/** Second result of hash32x2 (module state instead of an allocation per call). */
export let hash32x2Second = 0;

/**
 * hash32(key, 0) and hash32(key, 1) in one pass over the key: returns the
 * first and leaves the second in hash32x2Second. The ring's two probes.
 */
export function hash32x2(key: string): number {
  let h = 0;
  let g = 1;
  const len = key.length;
  const pairs = len & ~1;
  let i = 0;
  for (; i < pairs; i += 2) {
    let k = key.charCodeAt(i) | (key.charCodeAt(i + 1) << 16);
    k = Math.imul(k, C1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, C2);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
    g ^= k;
    g = (g << 13) | (g >>> 19);
    g = (Math.imul(g, 5) + 0xe6546b64) | 0;
  }
  if (i < len) {
    let k = key.charCodeAt(i);
    k = Math.imul(k, C1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, C2);
    h ^= k;
    g ^= k;
  }
  hash32x2Second = fmix32(g ^ (len * 2));
  return fmix32(h ^ (len * 2));
}

/** md5 of the UTF-8 bytes of a string, as Node's crypto.createHash('md5').update(s) computes it. */
export function ketamaDigest(s: string): Uint8Array {
  return md5(utf8ToBytes(s));
}

/** The 32-bit little-endian word `j` (0..3) of a digest: libketama's point value. */
export function digestWord(d: Uint8Array, j: number): number {
  const o = j * 4;
  return ((d[o + 3]! << 24) | (d[o + 2]! << 16) | (d[o + 1]! << 8) | d[o]!) >>> 0;
}

/** A key's position on the ketama continuum: the first 4 bytes of its md5, little-endian. */
export function ketamaKeyHash(key: string): number {
  return digestWord(ketamaDigest(key), 0);
}

const JUMP_MUL = 2862933555777941757n;
const MASK64 = (1n << 64n) - 1n;

/**
 * Jump consistent hash: the bucket in [0, buckets) of a 64-bit key, exactly as
 * the paper's C++ (Figure 1): a linear congruential step per jump, and the
 * next candidate bucket (b + 1) * 2^31 / ((key >> 33) + 1) in double arithmetic.
 */
export function jumpHash(key: bigint, buckets: number): number {
  if (!Number.isInteger(buckets) || buckets < 1) throw new RangeError(`jumpHash: buckets must be a positive integer (got ${buckets})`);
  let k = key & MASK64;
  let b = -1;
  let j = 0;
  while (j < buckets) {
    b = j;
    k = (k * JUMP_MUL + 1n) & MASK64;
    j = Math.floor((b + 1) * (2147483648 / (Number(k >> 33n) + 1)));
  }
  return b;
}

/** A 64-bit key for jumpHash from a string: two independent 32-bit hashes. */
export function hash64(key: string): bigint {
  return (BigInt(hash32(key, 0x9747b28c)) << 32n) | BigInt(hash32(key, 0x5bd1e995));
}
