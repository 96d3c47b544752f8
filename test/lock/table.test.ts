import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { LockTable, type LockCommand } from '../../sim/protocols/common/lock-table.ts';

const acquire = (session: string, lock: string, now: number, ttl = 100, wait = true): Extract<LockCommand, { op: 'acquire' }> => ({ op: 'acquire', session, lock, ttl, wait, now });

describe('lock table', () => {
  it('grants a free lock with token 1 and the session lease as expiry', () => {
    const t = new LockTable();
    expect(t.apply(acquire('a', 'L', 10)).reply).toEqual({ kind: 'granted', grant: { lock: 'L', session: 'a', token: 1, expiresAt: 110 } });
    expect(t.state()).toEqual({ locks: { L: { holder: 'a', token: 1, expiresAt: 110, waiters: [] } }, nextToken: 2 });
  });

  it('is idempotent for the holder: a retried acquire gets the same token', () => {
    const t = new LockTable();
    t.apply(acquire('a', 'L', 0));
    expect(t.apply(acquire('a', 'L', 5)).reply).toEqual({ kind: 'granted', grant: { lock: 'L', session: 'a', token: 1, expiresAt: 105 } });
    expect(t.tokenCounter()).toBe(2);
  });

  it('queues waiters FIFO and hands the lock over on release with a higher token', () => {
    const t = new LockTable();
    t.apply(acquire('a', 'L', 0));
    expect(t.apply(acquire('b', 'L', 1)).reply).toEqual({ kind: 'queued', lock: 'L', position: 0, expiresAt: 101 });
    expect(t.apply(acquire('c', 'L', 2)).reply).toEqual({ kind: 'queued', lock: 'L', position: 1, expiresAt: 102 });
    const r = t.apply({ op: 'release', session: 'a', lock: 'L', token: 1, now: 3 });
    expect(r.reply).toEqual({ kind: 'released', lock: 'L', token: 1 });
    expect(r.grants).toEqual([{ lock: 'L', session: 'b', token: 2, expiresAt: 101 }]);
    expect(t.holder('L')).toBe('b');
  });

  it('answers busy to a non-waiting (Redis SET NX) acquire', () => {
    const t = new LockTable();
    t.apply(acquire('a', 'L', 0));
    expect(t.apply(acquire('v1', 'L', 1, 100, false)).reply).toEqual({ kind: 'busy', lock: 'L', holder: 'a' });
    expect(t.state().locks['L']?.waiters).toEqual([]);
  });

  it('releases only for the holder with the matching token (compare-value delete)', () => {
    const t = new LockTable();
    t.apply(acquire('a', 'L', 0));
    expect(t.apply({ op: 'release', session: 'b', lock: 'L', now: 1 }).reply).toEqual({ kind: 'not-held', lock: 'L' });
    expect(t.apply({ op: 'release', session: 'a', lock: 'L', token: 7, now: 1 }).reply).toEqual({ kind: 'not-held', lock: 'L' });
    expect(t.holder('L')).toBe('a');
  });

  it('expires a session exactly at its lease end, frees its locks and serves the next live waiter', () => {
    const t = new LockTable();
    t.apply(acquire('a', 'L', 0, 100));
    t.apply(acquire('b', 'L', 10, 50)); // b's own lease ends at 60
    t.apply(acquire('c', 'L', 20, 500));
    expect(t.apply({ op: 'tick', now: 99 }).expired).toEqual(['b']);
    expect(t.holder('L')).toBe('a');
    const r = t.apply({ op: 'tick', now: 100 });
    expect(r.expired).toEqual(['a']);
    expect(r.grants).toEqual([{ lock: 'L', session: 'c', token: 2, expiresAt: 520 }]);
  });

  it('keep-alives extend the lease of held locks; an expired session is told so', () => {
    const t = new LockTable();
    t.apply(acquire('a', 'L', 0, 100));
    expect(t.apply({ op: 'keepalive', session: 'a', ttl: 100, now: 90 }).reply).toEqual({ kind: 'alive', expiresAt: 190, held: [{ lock: 'L', token: 1 }] });
    expect(t.apply({ op: 'tick', now: 150 }).expired).toEqual([]);
    expect(t.nextExpiry()).toBe(190);
    t.apply({ op: 'tick', now: 190 });
    expect(t.apply({ op: 'keepalive', session: 'a', ttl: 100, now: 191 }).reply).toEqual({ kind: 'no-session', session: 'a' });
  });

  it('open: false never resurrects an expired session (a retried acquire can only confirm the first)', () => {
    const t = new LockTable();
    expect(t.apply({ ...acquire('a', 'L', 0, 10), open: false }).reply).toEqual({ kind: 'no-session', session: 'a' });
    t.apply(acquire('a', 'L', 0, 10));
    expect(t.apply({ ...acquire('a', 'L', 5, 10), open: false }).reply).toMatchObject({ kind: 'granted', grant: { token: 1 } });
    t.apply({ op: 'tick', now: 20 });
    expect(t.apply({ ...acquire('a', 'L', 21, 10), open: false }).reply).toEqual({ kind: 'no-session', session: 'a' });
    expect(t.holder('L')).toBeNull();
    expect(t.tokenCounter()).toBe(2);
  });

  it('never lets its time go backwards', () => {
    const t = new LockTable();
    t.apply(acquire('a', 'L', 100, 10));
    // A command stamped earlier (another replica's clock) does not revive the lease.
    expect(t.apply({ op: 'tick', now: 50 }).expired).toEqual([]);
    expect(t.apply(acquire('b', 'L', 0, 10, false)).reply).toEqual({ kind: 'busy', lock: 'L', holder: 'a' });
    expect(t.apply({ op: 'tick', now: 110 }).expired).toEqual(['a', 'b']); // the busy acquire opened b's session too
  });

  it('planted bug expireEarlyBy grants while the old lease still runs', () => {
    const t = new LockTable({ expireEarlyBy: 30 });
    t.apply(acquire('a', 'L', 0, 100));
    expect(t.apply(acquire('b', 'L', 75, 100, false)).reply).toMatchObject({ kind: 'granted' });
  });

  const cmd: fc.Arbitrary<LockCommand> = fc.oneof(
    fc.record({ op: fc.constant('acquire' as const), session: fc.constantFrom('a', 'b', 'c'), lock: fc.constantFrom('L', 'M'), ttl: fc.integer({ min: 1, max: 50 }), wait: fc.boolean(), now: fc.nat(20) }),
    fc.record({ op: fc.constant('keepalive' as const), session: fc.constantFrom('a', 'b', 'c'), ttl: fc.integer({ min: 1, max: 50 }), now: fc.nat(20) }),
    fc.record({ op: fc.constant('release' as const), session: fc.constantFrom('a', 'b', 'c'), lock: fc.constantFrom('L', 'M'), now: fc.nat(20) }),
    fc.record({ op: fc.constant('tick' as const), now: fc.nat(20) }),
  );
  // Commands carry small increments of time; make them absolute.
  const script = fc.array(cmd, { maxLength: 60 }).map((cs) => {
    let now = 0;
    return cs.map((c) => ({ ...c, now: (now += c.now) }));
  });

  it('property: tokens strictly increase per lock, one holder per lock, snapshot/restore replays identically', () => {
    fc.assert(
      fc.property(script, fc.nat(60), (cmds, cut) => {
        const t = new LockTable();
        const last = new Map<string, number>();
        let copy: LockTable | undefined;
        const outA: unknown[] = [];
        const outB: unknown[] = [];
        cmds.forEach((c, i) => {
          if (i === cut) copy = LockTable.restore(JSON.parse(JSON.stringify(t.snapshot())));
          const r = t.apply(c);
          if (copy) {
            outA.push(r);
            outB.push(copy.apply(c));
          }
          const grants = [...r.grants, ...(r.reply?.kind === 'granted' ? [r.reply.grant] : [])];
          for (const g of grants) {
            const prev = last.get(g.lock) ?? 0;
            // An idempotent re-grant repeats the token; a new grant must exceed it.
            if (g.token !== prev) expect(g.token).toBeGreaterThan(prev);
            last.set(g.lock, g.token);
            expect(t.holder(g.lock)).toBe(g.session);
          }
        });
        expect(outB).toEqual(outA);
        if (copy) expect(copy.snapshot()).toEqual(t.snapshot());
      }),
      { seed: 4, numRuns: 300 },
    );
  });
});
