// SimDisk.durableGet (SimView.durableRecord), which twopc's abort-alone-forced rule reads instead of
// building the whole durable view per unilateral abort: the same answer as durableView().get(key) for
// synced, unsynced, deleted and corrupt records.

import { describe, expect, it } from 'vitest';
import { SimDisk } from '../../sim/engine/disk.ts';

describe('SimDisk.durableGet', () => {
  it('answers as durableView().get for every kind of record', () => {
    const d = new SimDisk();
    d.put('tx/a', { state: 'aborted' });
    d.put('tx/b', { state: 'prepared' });
    d.put('tx/c', 3);
    d.fsync();
    d.put('tx/d', { state: 'aborted' }); // unsynced: not durable
    d.delete('tx/c'); // buffered delete: still durable
    d.put('tx/b', { state: 'committed' }); // unsynced overwrite: the durable one stays
    expect(d.corrupt('tx/a')).toBe(true); // corrupt: omitted
    const view = d.durableView();
    for (const key of ['tx/a', 'tx/b', 'tx/c', 'tx/d', 'tx/none']) expect(d.durableGet(key)).toEqual(view.get(key));
    expect(d.durableGet('tx/b')).toEqual({ state: 'prepared' });
    expect(d.durableGet('tx/a')).toBeUndefined();
    expect(d.durableGet('tx/c')).toBe(3);
  });

  it('gives a copy: changing it leaves the disk alone', () => {
    const d = new SimDisk();
    d.put('k', { n: 1 });
    d.fsync();
    const v = d.durableGet('k') as { n: number };
    v.n = 2;
    expect(d.durableGet('k')).toEqual({ n: 1 });
  });
});
