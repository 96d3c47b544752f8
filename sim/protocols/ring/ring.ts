// A consistent hash ring (Karger et al. 1997) with virtual nodes and weights,
// in three placement modes:
//
// - native: points are hash32("<id>#<i>"), round(vnodes * weight) of them per
//   member, kept in a sorted Uint32Array. A key is hashed `probes` times
//   (seeds 0, 1, ...) and owned by the point that follows one of its probes
//   most closely, wrapping (multi-probe consistent hashing, Appleton and
//   O'Reilly 2015): with 2 probes the largest member's load over 10 members
//   and 160 points each drops from about 1.12-1.24 times the mean to about
//   1.07-1.11, and it stays consistent, since a new point can only win a key
//   for its own member and removing points only loses their own keys.
//   Equal point values are ordered by member id, so the ring does not depend
//   on the order members were added in.
// - ketama: libketama's continuum, exactly as the npm `hashring` package
//   builds it: floor(weight / totalWeight * 40 * members) md5 digests of
//   "<id>-<i>" per member, 4 little-endian 32-bit points per digest; a key is
//   owned by the first point >= the first 4 bytes of md5(key), little-endian,
//   wrapping. Equal points keep insertion order (member order, then i, then j),
//   as the package's stable sort does.
// - jump: jump consistent hash over the members in order (no weights, no
//   points); for comparison.
//
// A preference list is the first N distinct members met walking clockwise
// from the key (Dynamo, section 4.3); with several probes, the owner and then
// the walk from the first probe, so that a join only ever inserts the newcomer
// into a list and a leave only removes the leaver; in jump mode, the key's
// bucket and the buckets after it.

import { assert } from '../../engine/assert.ts';
import { md5 } from '@noble/hashes/legacy.js';
import { digestWord, hash32, hash32x2, hash32x2Second, hash64, jumpHash, ketamaDigest, ketamaKeyHash } from './hash.ts';

export type RingMode = 'native' | 'ketama' | 'jump';
export const RING_MODES: readonly RingMode[] = ['native', 'ketama', 'jump'];

/** A ring member (a type alias: rings travel in messages and live on disks as JSON). */
export type Member = {
  id: string;
  weight: number;
};

export interface RingOptions {
  mode?: RingMode;
  /** native: points per unit of weight (default 160, libketama's count at equal weights). */
  vnodes?: number;
  /** native: hashes per key; the closest following point wins (default 2; 1 is the classic ring). */
  probes?: number;
}

/** libketama's digests per member at equal weight; 4 points per digest. */
const KETAMA_DIGESTS = 40;
export const DEFAULT_VNODES = 160;
export const DEFAULT_PROBES = 2;
export const MAX_POINTS_PER_MEMBER = 1_000_000;
const BUCKET_BITS = 12;
const BUCKET_SHIFT = 32 - BUCKET_BITS;
const BUCKETS = 1 << BUCKET_BITS;

/**
 * Points each member gets on the continuum, in member order: native
 * max(1, round(vnodes * weight)); ketama 4 * floor(weight / totalWeight * 40 * members)
 * (libketama's ketama_create_continuum, so a light member next to heavy ones may get 0
 * and then owns no key); jump 0 (no points). Pure, for config validation and reports.
 */
export function pointCounts(members: readonly Member[], mode: RingMode, vnodes = DEFAULT_VNODES): number[] {
  if (mode === 'jump') return members.map(() => 0);
  if (mode === 'native') return members.map((m) => Math.max(1, Math.round(vnodes * m.weight)));
  const total = members.reduce((s, m) => s + m.weight, 0);
  return members.map((m) => 4 * Math.floor((m.weight / total) * KETAMA_DIGESTS * members.length));
}

export class HashRing {
  readonly mode: RingMode;
  readonly vnodes: number;
  readonly probes: number;
  private list: Member[] = [];
  /** Sorted point positions and, for each, the index in `list` of its owner. */
  private points = new Uint32Array(0);
  private owners = new Uint32Array(0);
  /** bucketStart[b]: index of the first point >= b << BUCKET_SHIFT; narrows the binary search to one bucket. */
  private bucketStart = new Uint32Array(BUCKETS + 1);
  private jumpBuckets: string[] = [];
  /** Members that own at least one point (all of them in native and jump mode). */
  private placed = 0;

  constructor(members: readonly (Member | string)[] = [], opts: RingOptions = {}) {
    this.mode = opts.mode ?? 'native';
    this.vnodes = opts.vnodes ?? DEFAULT_VNODES;
    this.probes = opts.probes ?? DEFAULT_PROBES;
    if (!Number.isInteger(this.vnodes) || this.vnodes < 1) throw new RangeError(`vnodes must be a positive integer (got ${this.vnodes})`);
    if (!Number.isInteger(this.probes) || this.probes < 1 || this.probes > 64) throw new RangeError(`probes must be an integer in 1..64 (got ${this.probes})`);
    for (const m of members) this.insert(typeof m === 'string' ? { id: m, weight: 1 } : m);
    this.rebuild();
  }

  /** Members in the order they were added. */
  get members(): readonly Member[] {
    return this.list;
  }

  get size(): number {
    return this.list.length;
  }

  /** Number of points on the continuum (0 in jump mode). */
  get pointCount(): number {
    return this.points.length;
  }

  has(id: string): boolean {
    return this.list.some((m) => m.id === id);
  }

  add(id: string, weight = 1): void {
    this.insert({ id, weight });
    this.rebuild();
  }

  remove(id: string): void {
    const i = this.list.findIndex((m) => m.id === id);
    if (i < 0) throw new RangeError(`ring has no member "${id}"`);
    this.list.splice(i, 1);
    this.rebuild();
  }

  /** A copy with the same mode, vnodes and members. */
  clone(): HashRing {
    return new HashRing(this.list, { mode: this.mode, vnodes: this.vnodes, probes: this.probes });
  }

  /** Index of the point that owns the key: the first point >= its hash (ketama) or the closest follower of its probes (native). */
  private startIndex(key: string): number {
    if (this.mode === 'ketama') return this.firstPointAtOrAfter(ketamaKeyHash(key));
    const pts = this.points;
    if (this.probes === 1) return this.firstPointAtOrAfter(hash32(key, 0));
    // Ties go to the lower point index, so the choice is a function of the ring alone.
    const h0 = hash32x2(key);
    const h1 = hash32x2Second;
    let best = this.firstPointAtOrAfter(h0);
    let bestDist = (pts[best]! - h0) >>> 0;
    const i1 = this.firstPointAtOrAfter(h1);
    const d1 = (pts[i1]! - h1) >>> 0;
    if (d1 < bestDist || (d1 === bestDist && i1 < best)) {
      best = i1;
      bestDist = d1;
    }
    for (let p = 2; p < this.probes; p++) {
      const h = hash32(key, p);
      const i = this.firstPointAtOrAfter(h);
      const d = (pts[i]! - h) >>> 0;
      if (d < bestDist || (d === bestDist && i < best)) {
        best = i;
        bestDist = d;
      }
    }
    return best;
  }

  /** Index into the sorted points of the first point >= h, wrapping to 0. */
  private firstPointAtOrAfter(h: number): number {
    const pts = this.points;
    const b = h >>> BUCKET_SHIFT;
    let lo = this.bucketStart[b]!;
    let hi = this.bucketStart[b + 1]!;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (pts[mid]! < h) lo = mid + 1;
      else hi = mid;
    }
    return lo === pts.length ? 0 : lo;
  }

  /** Members that own at least one point; in ketama mode a light member may own none (see pointCounts). */
  get placedCount(): number {
    return this.placed;
  }

  /** The member that owns `key`. Throws on an empty ring. */
  lookup(key: string): string {
    if (this.placed === 0) throw new RangeError('lookup on an empty ring');
    if (this.mode === 'jump') return this.jumpBuckets[jumpHash(hash64(key), this.jumpBuckets.length)]!;
    return this.list[this.owners[this.startIndex(key)]!]!.id;
  }

  /** Index (into `members`) of the key's owner; avoids nothing but the id lookup, for tight loops. */
  ownerIndex(key: string): number {
    if (this.mode === 'jump') return jumpHash(hash64(key), this.jumpBuckets.length);
    return this.owners[this.startIndex(key)]!;
  }

  /** The first `n` distinct members clockwise from the key (fewer if the ring has fewer). */
  preferenceList(key: string, n: number): string[] {
    const want = Math.min(n, this.placed);
    const out: string[] = [];
    if (want <= 0) return out;
    if (this.mode === 'jump') {
      const b = jumpHash(hash64(key), this.jumpBuckets.length);
      for (let i = 0; i < want; i++) out.push(this.jumpBuckets[(b + i) % this.jumpBuckets.length]!);
      return out;
    }
    // The owner first; then the members met walking clockwise from the first
    // probe's position. (Walking from the owner's point instead would make the
    // list depend on which probe won: a newcomer winning a key would reshuffle
    // its other replicas among the old members.)
    const len = this.points.length;
    let start = this.startIndex(key);
    if (this.mode === 'native' && this.probes > 1) {
      out.push(this.list[this.owners[start]!]!.id);
      start = this.firstPointAtOrAfter(hash32(key, 0));
    }
    for (let k = 0; k < len && out.length < want; k++) {
      const id = this.list[this.owners[(start + k) % len]!]!.id;
      if (!out.includes(id)) out.push(id);
    }
    assert(out.length === want, () => `preference list of "${key}" found ${out.length} of ${want} members`);
    return out;
  }

  /**
   * ketama only: the first `n` distinct members clockwise from a key given as raw bytes,
   * hashed as they are (libketama hashes the bytes of its C string, whatever their
   * encoding; the string methods hash a key's UTF-8 encoding). n = 1 is the owner.
   */
  preferenceListOfBytes(key: Uint8Array, n: number): string[] {
    if (this.mode !== 'ketama') throw new RangeError(`only ketama mode hashes raw key bytes (this ring is ${this.mode})`);
    if (this.placed === 0) throw new RangeError('lookup on an empty ring');
    const want = Math.min(Math.max(1, n), this.placed);
    const len = this.points.length;
    const start = this.firstPointAtOrAfter(digestWord(md5(key), 0));
    const out: string[] = [];
    for (let k = 0; k < len && out.length < want; k++) {
      const id = this.list[this.owners[(start + k) % len]!]!.id;
      if (!out.includes(id)) out.push(id);
    }
    assert(out.length === want, () => `preference list of a ${key.length}-byte key found ${out.length} of ${want} members`);
    return out;
  }

  private insert(m: Member): void {
    if (typeof m.id !== 'string' || m.id === '') throw new RangeError('a member id must be a non-empty string');
    if (!(Number.isFinite(m.weight) && m.weight > 0)) throw new RangeError(`weight of "${m.id}" must be a positive number (got ${m.weight})`);
    if (this.list.some((x) => x.id === m.id)) throw new RangeError(`ring already has member "${m.id}"`);
    if (this.mode === 'native' && Math.round(this.vnodes * m.weight) > MAX_POINTS_PER_MEMBER) {
      throw new RangeError(`weight ${m.weight} of "${m.id}" gives ${Math.round(this.vnodes * m.weight)} points; at most ${MAX_POINTS_PER_MEMBER} per member (in native mode a weight multiplies the member's vnodes)`);
    }
    if (this.mode === 'jump' && m.weight !== 1) throw new RangeError(`jump mode has no weights ("${m.id}" has weight ${m.weight})`);
    this.list.push({ id: m.id, weight: m.weight });
  }

  private rebuild(): void {
    if (this.mode === 'jump') {
      this.jumpBuckets = this.list.map((m) => m.id);
      this.placed = this.list.length;
      return;
    }
    const values: number[] = [];
    const owners: number[] = [];
    // Same arithmetic, in the same order, as hashring's continuum() in ketama mode:
    // the float rounding of weight / total * 40 * n decides the digest count.
    const counts = pointCounts(this.list, this.mode, this.vnodes);
    this.placed = counts.filter((c) => c > 0).length;
    if (this.mode === 'native') {
      this.list.forEach((m, idx) => {
        const count = counts[idx]!;
        for (let i = 0; i < count; i++) {
          values.push(hash32(`${m.id}#${i}`));
          owners.push(idx);
        }
      });
    } else {
      this.list.forEach((m, idx) => {
        const digests = counts[idx]! / 4;
        for (let i = 0; i < digests; i++) {
          const d = ketamaDigest(`${m.id}-${i}`);
          for (let j = 0; j < 4; j++) {
            values.push(digestWord(d, j));
            owners.push(idx);
          }
        }
      });
    }
    const order = values.map((_, i) => i);
    const ids = this.list.map((m) => m.id);
    const native = this.mode === 'native';
    order.sort((a, b) => {
      const d = values[a]! - values[b]!;
      if (d !== 0) return d;
      if (native) {
        const ia = ids[owners[a]!]!;
        const ib = ids[owners[b]!]!;
        if (ia !== ib) return ia < ib ? -1 : 1;
      }
      return a - b;
    });
    this.points = Uint32Array.from(order, (i) => values[i]!);
    this.owners = Uint32Array.from(order, (i) => owners[i]!);
    for (let i = 1; i < this.points.length; i++) assert(this.points[i - 1]! <= this.points[i]!, 'ring points must be sorted');
    let p = 0;
    for (let b = 0; b <= BUCKETS; b++) {
      const floor = b * 2 ** BUCKET_SHIFT;
      while (p < this.points.length && this.points[p]! < floor) p++;
      this.bucketStart[b] = p;
    }
  }
}
