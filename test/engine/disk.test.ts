// The simulated disk keeps values, not bytes (sim/engine/disk.ts): what was written is what is
// read back, with JSON's semantics, whatever the writer or the reader does to its own objects
// afterwards; a corrupted record still fails its checksum; a crash loses exactly the unsynced writes.

import { describe, expect, it } from 'vitest';
import { DiskCorruptionError, SimDisk } from '../../sim/engine/disk.ts';
import { deepFreeze } from '../../sim/engine/json.ts';

describe('SimDisk', () => {
  it('reads back what was written, as JSON would: later changes by the writer or the reader do not reach the disk', () => {
    const disk = new SimDisk();
    const v = { a: [1, 2, { b: 'x' }], gone: undefined, nan: Number.NaN, neg: -0 };
    disk.put('k', v as never);
    v.a.push(3);
    (v.a[2] as { b: string }).b = 'changed';
    const expected = JSON.parse(JSON.stringify({ a: [1, 2, { b: 'x' }], gone: undefined, nan: Number.NaN, neg: -0 }));
    const first = disk.get<typeof expected>('k');
    expect(first).toEqual(expected);
    expect(Object.keys(first as object)).toEqual(Object.keys(expected));
    (first as { a: unknown[] }).a.length = 0;
    disk.fsync();
    expect(disk.get('k')).toEqual(expected);
    expect(disk.durableView().get('k')).toEqual(expected);
  });

  it('shares a frozen value (deeply frozen by the isolation contract) and hands it back as is', () => {
    const disk = new SimDisk();
    const v = deepFreeze({ term: 3, cmd: { kind: 'noop' } });
    disk.put('e', v);
    expect(disk.get('e')).toBe(v);
  });

  it('refuses a value that is not JSON data', () => {
    expect(() => new SimDisk().put('k', undefined as never)).toThrow(/not JSON data/);
  });

  it('a crash loses the unsynced writes and deletes, counted once per key', () => {
    const disk = new SimDisk();
    disk.put('a', 1);
    disk.put('b', 2);
    disk.fsync();
    disk.put('a', 10);
    disk.put('a', 11);
    disk.delete('b');
    disk.put('c', 3);
    expect(disk.unsynced).toBe(3);
    expect(disk.keys()).toEqual(['a', 'c']);
    expect(disk.crash()).toBe(3);
    expect(disk.get('a')).toBe(1);
    expect(disk.get('b')).toBe(2);
    expect(disk.get('c')).toBeUndefined();
    expect(disk.keys()).toEqual(['a', 'b']);
  });

  it('a corrupted record fails its checksum on read and is left out of the durable view; others still read', () => {
    const disk = new SimDisk();
    disk.put('bad', { votedFor: 'n2', term: 7 });
    disk.put('good', { x: 1 });
    disk.fsync();
    expect(disk.corrupt('bad')).toBe(true);
    expect(disk.corrupt('absent')).toBe(false);
    expect(() => disk.get('bad')).toThrow(DiskCorruptionError);
    expect([...disk.durableView().keys()]).toEqual(['good']);
    expect(disk.get('good')).toEqual({ x: 1 });
    // Rewritten: intact again.
    disk.put('bad', { term: 8 });
    disk.fsync();
    expect(disk.get('bad')).toEqual({ term: 8 });
  });
});
