// A node's simulated disk. put() goes to a volatile write buffer (what the OS
// page cache holds); fsync() makes every buffered write durable; a crash throws
// the buffer away. Records carry a CRC-32 so injected corruption is detected
// on read instead of silently returning wrong data. The checksum is taken lazily:
// only corruption changes a record's bytes, so it is computed (over the intact
// bytes) when a record is corrupted, and a record without one is intact. Same
// detection as a checksum on every write, without a CRC pass over every put.

import { assert } from './assert.ts';
import type { Disk, JsonValue } from './types.ts';

export class DiskCorruptionError extends Error {
  override name = 'DiskCorruptionError';
  constructor(readonly key: string) {
    super(`disk record "${key}" failed its checksum`);
  }
}

interface DiskRecord {
  json: string;
  /** CRC-32 of the bytes as written; undefined until the record is corrupted (intact bytes need no check). */
  crc: number | undefined;
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
  /** Current contents: durable plus buffered writes (undefined marks a buffered delete). */
  private current = new Map<string, DiskRecord | undefined>();
  private dirty = new Set<string>();
  fsyncs = 0;

  get<T = JsonValue>(key: string): T | undefined {
    const rec = this.current.has(key) ? this.current.get(key) : this.durableRecords.get(key);
    if (rec === undefined) return undefined;
    if (rec.crc !== undefined && crc32(rec.json) !== rec.crc) throw new DiskCorruptionError(key);
    return JSON.parse(rec.json) as T;
  }

  put(key: string, value: JsonValue): void {
    const json = JSON.stringify(value);
    assert(json !== undefined, `disk.put("${key}"): value is not JSON data`);
    this.current.set(key, { json, crc: undefined });
    this.dirty.add(key);
  }

  delete(key: string): void {
    this.current.set(key, undefined);
    this.dirty.add(key);
  }

  fsync(): void {
    for (const key of this.dirty) {
      const rec = this.current.get(key);
      if (rec === undefined) this.durableRecords.delete(key);
      else this.durableRecords.set(key, rec);
    }
    this.dirty.clear();
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
    const lost = this.dirty.size;
    this.dirty.clear();
    this.current.clear();
    return lost;
  }

  /** Number of keys with writes not yet synced. */
  get unsynced(): number {
    return this.dirty.size;
  }

  /** Damage one durable record in place (its checksum no longer matches). */
  corrupt(key: string): boolean {
    const rec = this.durableRecords.get(key);
    if (!rec) return false;
    const flipped = rec.json.length > 0 ? String.fromCharCode(rec.json.charCodeAt(0) ^ 1) + rec.json.slice(1) : '\u0001';
    this.durableRecords.set(key, { json: flipped, crc: rec.crc ?? crc32(rec.json) });
    return true;
  }

  durableKeys(): string[] {
    return [...this.durableRecords.keys()].sort();
  }

  /** Durable contents parsed (corrupt records omitted), for checkers. */
  durableView(): Map<string, JsonValue> {
    const out = new Map<string, JsonValue>();
    for (const [k, rec] of this.durableRecords) {
      if (rec.crc === undefined || crc32(rec.json) === rec.crc) out.set(k, JSON.parse(rec.json) as JsonValue);
    }
    return out;
  }
}
