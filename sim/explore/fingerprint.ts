// State fingerprints for exhaustive exploration: a canonical text of a state
// (object keys, Map and Set entries sorted, so that equal states reached by
// different paths serialise identically), hashed to 64 bits, and a compact
// table of the fingerprints seen with the parent of each (for the
// counterexample path). Only fingerprints are kept, as TLC does: 1M distinct
// states cost the table's 16 bytes each (see FingerprintTable), not the states.

/**
 * Canonical text of a value graph. Plain objects and class instances are
 * written as their own enumerable properties in sorted key order; Maps and Sets
 * as their entries sorted by canonical text; arrays in order. Functions, and
 * objects for which `skip` says so, are left out (engine handles such as a
 * node's context). A cycle is written as "~". `rename` maps string values and
 * keys (used for symmetry: node ids permuted). Properties named in `skipKeys` are left out.
 */
export function canonical(value: unknown, opts: CanonicalOptions = {}): string {
  return walk(value, { onPath: new Set(), skip: opts.skip, skipKeys: opts.skipKeys, rename: opts.rename, positions: opts.positions }) ?? 'undefined';
}

export interface CanonicalOptions {
  skip?: (v: object) => boolean;
  skipKeys?: ReadonlySet<string>;
  rename?: ReadonlyMap<string, string>;
  /**
   * Numeric fields that hold a position in a list of node ids (the raft client's `target`, an index
   * into its servers): written as the id at that position (renamed, with `rename`), so that they permute with the ids.
   */
  positions?: { keys: ReadonlySet<string>; ids: readonly string[] };
}

interface WalkState {
  onPath: Set<object>;
  skip: ((v: object) => boolean) | undefined;
  skipKeys: ReadonlySet<string> | undefined;
  rename: ReadonlyMap<string, string> | undefined;
  positions: CanonicalOptions['positions'];
}

function str(s: string, w: WalkState): string {
  return JSON.stringify(w.rename?.get(s) ?? s);
}

function walk(v: unknown, w: WalkState): string | undefined {
  switch (typeof v) {
    case 'string':
      return str(v, w);
    case 'number':
      return Number.isFinite(v) ? String(v) : `"${String(v)}"`;
    case 'boolean':
      return v ? 'true' : 'false';
    case 'bigint':
      return `${v}n`;
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
  }
  if (v === null) return 'null';
  const o = v as object;
  if (w.skip?.(o)) return undefined;
  if (w.onPath.has(o)) return '"~"';
  w.onPath.add(o);
  let out: string;
  if (Array.isArray(o)) {
    out = '[';
    for (let i = 0; i < o.length; i++) out += (i > 0 ? ',' : '') + (walk(o[i], w) ?? 'null');
    out += ']';
  } else if (ArrayBuffer.isView(o)) {
    out = '[' + Array.from(o as unknown as ArrayLike<number>).join(',') + ']';
  } else if (o instanceof Map) {
    const parts: string[] = [];
    for (const [k, x] of o) {
      const s = walk(x, w);
      if (s !== undefined) parts.push((walk(k, w) ?? 'null') + ':' + s);
    }
    out = 'M{' + parts.sort().join(',') + '}';
  } else if (o instanceof Set) {
    const parts: string[] = [];
    for (const x of o) parts.push(walk(x, w) ?? 'null');
    out = 'S[' + parts.sort().join(',') + ']';
  } else {
    const keys = Object.keys(o).sort();
    const parts: string[] = [];
    for (const k of keys) {
      if (w.skipKeys?.has(k)) continue;
      const x = (o as Record<string, unknown>)[k];
      const at = w.positions?.keys.has(k) && typeof x === 'number' ? w.positions.ids[x] : undefined;
      const s = at !== undefined ? 'P' + str(at, w) : walk(x, w);
      if (s !== undefined) parts.push(str(k, w) + ':' + s);
    }
    // With renaming, keys that are node ids change order: sort the written pairs.
    if (w.rename) parts.sort();
    out = '{' + parts.join(',') + '}';
  }
  w.onPath.delete(o);
  return out;
}

/**
 * 64-bit hash of a text as two 32-bit halves [hi, lo]: two MurmurHash3-style
 * 32-bit mixes with different seeds over the UTF-16 code units. Not
 * cryptographic; with 64 bits the chance that some pair among 10M states
 * collides is about 3e-6 (birthday bound n^2 / 2^65).
 */
export function hash64(text: string): [number, number] {
  let h1 = 0x9747b28c;
  let h2 = 0x85ebca6b ^ text.length;
  for (let i = 0; i < text.length; i++) {
    let k = text.charCodeAt(i);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h1 ^= k;
    h1 = (h1 << 13) | (h1 >>> 19);
    h1 = (Math.imul(h1, 5) + 0xe6546b64) | 0;
    h2 ^= Math.imul(k ^ (k >>> 7), 0x27d4eb2f);
    h2 = (h2 << 11) | (h2 >>> 21);
    h2 = (Math.imul(h2, 9) + 0x165667b1) | 0;
  }
  return [fmix(h1 ^ text.length) >>> 0, fmix(h2 ^ h1) >>> 0];
}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h;
}

/**
 * The set of fingerprints seen, with each state's parent, the choice that led
 * to it and its depth: an open-addressing hash table over typed arrays
 * (hi, lo: 8 bytes; parent: 4; choice: 2; depth: 2 => 16 bytes per slot,
 * load factor <= 0.5, so about 32 bytes per distinct state incl. slack, i.e.
 * about 32 MB per million states). States are numbered 0, 1, 2... in order of
 * discovery; the numbering indexes a side array (order -> slot).
 */
export class FingerprintTable {
  private cap: number;
  private hi: Uint32Array;
  private lo: Uint32Array;
  private idOf: Int32Array;
  private parentOf = new Int32Array(1024);
  private choiceOf = new Uint16Array(1024);
  private depthOf = new Uint16Array(1024);
  size = 0;

  constructor(initialCapacity = 1 << 12) {
    this.cap = 1 << Math.ceil(Math.log2(Math.max(16, initialCapacity)));
    this.hi = new Uint32Array(this.cap);
    this.lo = new Uint32Array(this.cap);
    this.idOf = new Int32Array(this.cap).fill(-1);
  }

  /** Bytes held by the table's arrays. */
  get bytes(): number {
    return this.cap * 12 + this.parentOf.length * 8;
  }

  private slot(hi: number, lo: number): number {
    const mask = this.cap - 1;
    let i = (lo ^ Math.imul(hi, 0x9e3779b1)) & mask;
    while (this.idOf[i] !== -1 && !(this.hi[i] === hi && this.lo[i] === lo)) i = (i + 1) & mask;
    return i;
  }

  /** The id of a fingerprint, or -1 when unseen. */
  find(fp: readonly [number, number]): number {
    return this.idOf[this.slot(fp[0], fp[1])] as number;
  }

  /** Insert an unseen fingerprint; returns its id. */
  add(fp: readonly [number, number], parent: number, choice: number, depth: number): number {
    if ((this.size + 1) * 2 > this.cap) this.grow();
    const i = this.slot(fp[0], fp[1]);
    if (this.idOf[i] !== -1) throw new Error('FingerprintTable.add: fingerprint already present');
    const id = this.size++;
    this.hi[i] = fp[0];
    this.lo[i] = fp[1];
    this.idOf[i] = id;
    if (id >= this.parentOf.length) {
      const n = this.parentOf.length * 2;
      const p = new Int32Array(n);
      p.set(this.parentOf);
      this.parentOf = p;
      const c = new Uint16Array(n);
      c.set(this.choiceOf);
      this.choiceOf = c;
      const d = new Uint16Array(n);
      d.set(this.depthOf);
      this.depthOf = d;
    }
    this.parentOf[id] = parent;
    this.choiceOf[id] = choice;
    this.depthOf[id] = depth;
    return id;
  }

  parent(id: number): number {
    return this.parentOf[id] as number;
  }
  depth(id: number): number {
    return this.depthOf[id] as number;
  }
  /** Re-parent a state reached again by a shorter path (depth-first search). */
  relink(id: number, parent: number, choice: number, depth: number): void {
    this.parentOf[id] = parent;
    this.choiceOf[id] = choice;
    this.depthOf[id] = depth;
  }

  /** The choice indices from the initial state to state `id`. */
  path(id: number): number[] {
    const out: number[] = [];
    for (let s = id; this.parentOf[s] !== -1; s = this.parentOf[s] as number) out.push(this.choiceOf[s] as number);
    return out.reverse();
  }

  private grow(): void {
    const { hi, lo, idOf } = this;
    this.cap *= 2;
    this.hi = new Uint32Array(this.cap);
    this.lo = new Uint32Array(this.cap);
    this.idOf = new Int32Array(this.cap).fill(-1);
    for (let j = 0; j < idOf.length; j++) {
      if (idOf[j] === -1) continue;
      const i = this.slot(hi[j] as number, lo[j] as number);
      this.hi[i] = hi[j] as number;
      this.lo[i] = lo[j] as number;
      this.idOf[i] = idOf[j] as number;
    }
  }
}
