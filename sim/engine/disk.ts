// A node's simulated disk. put() goes to a volatile write buffer (what the OS
// page cache holds); fsync() makes every buffered write durable; a crash throws
// the buffer away. Records carry a CRC-32 so injected corruption is detected
// on read instead of silently returning wrong data.
//
// A record keeps the value written, with JSON's semantics (a deep copy as
// cloneJson makes it, or, for a value that is already frozen, the value itself:
// frozen means deeply frozen, as at the node boundary), and is serialised only
// when it is corrupted: only corruption changes a record's bytes, so its bytes
// and their checksum are computed then (over the intact bytes), and a record
// without bytes is intact. Same detection as a checksum of every write, without
// a serialisation and a CRC pass over every put.

import { assert } from './assert.ts';
import { cloneJson, deepFreeze } from './json.ts';
import type { Disk, JsonValue } from './types.ts';

export class DiskCorruptionError extends Error {
  override name = 'DiskCorruptionError';
  constructor(readonly key: string) {
    super(`disk record "${key}" failed its checksum`);
  }
}

interface DiskRecord {
  /** The value as written (a copy, or the caller's deeply frozen value); never handed out mutable. */
  value: JsonValue;
  /** The record's bytes, made when it is corrupted (undefined: intact, the bytes are JSON.stringify(value)). */
  json?: string;
  /** CRC-32 of the bytes as written; set with `json`. */
  crc?: number;
}

/** A value as written to disk: a frozen value is shared (deeply frozen by the engine's contract), anything else copied. */
function keep(value: JsonValue): JsonValue {
  return typeof value === 'object' && value !== null && Object.isFrozen(value) ? value : cloneJson(value);
}

/** A stored value as read back: a fresh copy unless it is frozen (nobody can change it). */
function give(value: JsonValue): JsonValue {
  return typeof value === 'object' && value !== null && !Object.isFrozen(value) ? cloneJson(value) : value;
}

/** Whether the value is JSON data at the top (JSON.stringify of it is not undefined). */
function isJsonValue(value: unknown): boolean {
  return value !== undefined && typeof value !== 'function' && typeof value !== 'symbol';
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (IEEE) of a string's UTF-16 code units; enough to detect the corruption we inject. */
export function crc32(text: string): number {
  let c = 0xffffffff;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    c = (CRC_TABLE[(c ^ code) & 0xff] as number) ^ (c >>> 8);
    c = (CRC_TABLE[(c ^ (code >>> 8)) & 0xff] as number) ^ (c >>> 8);
  }
  return (c ^ 0xffffffff) >>> 0;
}

export class SimDisk implements Disk {
  /** What survives a crash. */
  private durableRecords = new Map<string, DiskRecord>();
  /** Writes since the last fsync (undefined marks a buffered delete): what a crash loses. */
  private current = new Map<string, DiskRecord | undefined>();
  fsyncs = 0;
  /** Whether corrupt() ever damaged a record of this disk (the recovery oracle stops judging such a disk). */
  everCorrupted = false;

  /**
   * @param maxKeys bound on the keys the disk holds (EngineLimits.diskKeys): a put of a new key when
   *   the durable and unsynced records already number that many calls `tooMany` (which throws).
   */
  constructor(
    private readonly maxKeys = Number.POSITIVE_INFINITY,
    private readonly tooMany: (bound: number) => never = (bound) => {
      throw new RangeError(`more than ${bound} keys on one disk`);
    },
  ) {}

  get<T = JsonValue>(key: string): T | undefined {
    const rec = this.current.has(key) ? this.current.get(key) : this.durableRecords.get(key);
    if (rec === undefined) return undefined;
    if (rec.json !== undefined && crc32(rec.json) !== rec.crc) throw new DiskCorruptionError(key);
    return give(rec.value) as T;
  }

  put(key: string, value: JsonValue): void {
    assert(isJsonValue(value), () => `disk.put("${key}"): value is not JSON data`);
    // Sizes first: the common case is one comparison (the union of both maps is at most their sum).
    if (this.durableRecords.size + this.current.size >= this.maxKeys && !this.current.has(key) && !this.durableRecords.has(key)) this.tooMany(this.maxKeys);
    this.current.set(key, { value: keep(value) });
  }

  delete(key: string): void {
    this.current.set(key, undefined);
  }

  fsync(): void {
    for (const [key, rec] of this.current) {
      if (rec === undefined) this.durableRecords.delete(key);
      else this.durableRecords.set(key, rec);
    }
    this.current.clear();
    this.fsyncs++;
  }

  keys(prefix = ''): string[] {
    const all = new Set<string>();
    for (const k of this.durableRecords.keys()) if (k.startsWith(prefix)) all.add(k);
    for (const [k, rec] of this.current) {
      if (!k.startsWith(prefix)) continue;
      if (rec === undefined) all.delete(k);
      else all.add(k);
    }
    return [...all].sort();
  }

  /** Crash: buffered writes are lost. Returns how many keys had unsynced changes. */
  crash(): number {
    const lost = this.current.size;
    this.current.clear();
    return lost;
  }

  /** Number of keys with writes not yet synced. */
  get unsynced(): number {
    return this.current.size;
  }

  /** Damage one durable record in place (its checksum no longer matches). */
  corrupt(key: string): boolean {
    const rec = this.durableRecords.get(key);
    if (!rec) return false;
    const json = rec.json ?? JSON.stringify(rec.value);
    // Flip bit 0 of the first byte; on a record already corrupted, bit 1 (flipping bit 0 again would restore it).
    const bit = rec.json === undefined ? 1 : 2;
    const flipped = json.length > 0 ? String.fromCharCode(json.charCodeAt(0) ^ bit) + json.slice(1) : '\u0001';
    this.durableRecords.set(key, { value: rec.value, json: flipped, crc: rec.crc ?? crc32(json) });
    this.everCorrupted = true;
    return true;
  }

  durableKeys(): string[] {
    return [...this.durableRecords.keys()].sort();
  }

  /** One record of durableView() (undefined: absent or corrupt), without building the view. */
  durableGet(key: string): JsonValue | undefined {
    const rec = this.durableRecords.get(key);
    return rec !== undefined && (rec.json === undefined || crc32(rec.json) === rec.crc) ? give(rec.value) : undefined;
  }

  /** Deeply frozen copies of durable records, by record (durableFrozenView): made once per record written. */
  private frozenCopies: WeakMap<DiskRecord, JsonValue> | undefined;

  /**
   * Durable contents as durableView() has them, but each value deeply frozen and shared instead of
   * copied (a record's frozen copy is made once, when first asked for): for a reader that never
   * changes what it reads (the recovery oracle's shadow of a 'freeze' protocol).
   */
  durableFrozenView(): Map<string, JsonValue> {
    const out = new Map<string, JsonValue>();
    const copies = (this.frozenCopies ??= new WeakMap());
    for (const [k, rec] of this.durableRecords) {
      if (rec.json !== undefined && crc32(rec.json) !== rec.crc) continue;
      const v = rec.value;
      if (typeof v !== 'object' || v === null || Object.isFrozen(v)) {
        out.set(k, v);
        continue;
      }
      let copy = copies.get(rec);
      if (copy === undefined) copies.set(rec, (copy = deepFreeze(cloneJson(v))));
      out.set(k, copy);
    }
    return out;
  }

  /** Durable contents parsed (corrupt records omitted), for checkers. */
  durableView(): Map<string, JsonValue> {
    const out = new Map<string, JsonValue>();
    for (const [k, rec] of this.durableRecords) {
      if (rec.json === undefined || crc32(rec.json) === rec.crc) out.set(k, give(rec.value));
    }
    return out;
  }
}
