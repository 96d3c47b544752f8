// TigerBeetle's discipline for the lock server's tables: the locks (holders and fencing tokens)
// are bounded by the config's lock names, asserted; waiters of a lock are distinct live sessions,
// asserted. A config beyond the bound is bad input (one line naming the field).

import { describe, expect, it } from 'vitest';
import { AssertionFailure } from '../../sim/engine/assert.ts';
import { LockTable, type LockCommand } from '../../sim/protocols/lock/table.ts';
import { InputError } from '../../sim/scenario/errors.ts';
import { parseScenario } from '../../sim/scenario/resolve.ts';
import { runScenario } from '../../sim/scenario/run.ts';

const acquire = (session: string, lock: string, now: number): LockCommand => ({ op: 'acquire', session, lock, ttl: 100, wait: true, now });

describe('lock table bounds', () => {
  it('holds at most maxLocks lock names: one more is an assertion, the ones it has keep working', () => {
    const t = new LockTable({ maxLocks: 2 });
    t.apply(acquire('a', 'L1', 0));
    t.apply(acquire('b', 'L2', 0));
    expect(() => t.apply(acquire('c', 'L3', 1))).toThrow(AssertionFailure);
    expect(() => t.apply(acquire('c', 'L3', 1))).toThrow('lock table: a lock "L3" beyond the 2 it may hold');
    expect(t.apply(acquire('c', 'L1', 2)).reply).toMatchObject({ kind: 'queued', lock: 'L1', position: 0 });
    expect(() => LockTable.restore({ now: 0, nextToken: 4, sessions: { a: { expiresAt: 9 } }, locks: { L1: { holder: 'a', token: 1, waiters: [] }, L2: { holder: null, token: 2, waiters: [] }, L3: { holder: null, token: 3, waiters: [] } } }, { maxLocks: 2 })).toThrow('lock table: restored 3 locks, more than the 2 it may hold');
  });

  it('a lock config over the bound is bad input naming the field; a run with every lock in use passes', () => {
    let message = 'accepted';
    try {
      parseScenario({ name: 'x', description: 'd', protocol: 'lock', duration: '1s', config: { locks: 65 } }, 'f.json');
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      message = e.describe();
    }
    expect(message).toMatch(/^f\.json: config\.locks: Too big: expected number to be <=64$/);
    const r = runScenario({ name: 'x', description: 'd', protocol: 'lock', duration: '4s', seed: 2, config: { locks: 3, clients: 6 }, expect: 'no-violation' }, { hash: false });
    expect(r.violations).toEqual([]);
    expect(r.stats.operations.ok).toBeGreaterThan(3);
  });
});
