// The ring library: ketama agrees with the npm hashring package key for key;
// consistency properties over random rings and keys (a join moves keys only to
// the new member, a leave only the leaver's keys, and about 1/(n+1) of them);
// preference lists; weights; bounded loads.

import fc from 'fast-check';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { loadSpread } from '../../sim/protocols/ring/analysis.ts';
import { BoundedLoadRing } from '../../sim/protocols/ring/bounded.ts';
import { HashRing, type RingOptions } from '../../sim/protocols/ring/ring.ts';

interface NpmHashRing {
  get(key: string): string;
  range(key: string, size: number): string[];
}
const NpmHashRingCtor = createRequire(import.meta.url)('hashring') as new (servers: string[] | Record<string, number>) => NpmHashRing;

const KEYS_100K = Array.from({ length: 100_000 }, (_, i) => `key-${i}:${(i * 2654435761) >>> 0}`);

describe('ketama mode agrees with the npm hashring package', () => {
  const servers = Array.from({ length: 10 }, (_, i) => `10.0.${i >> 2}.${i + 1}:11211`);

  it('equal weights: the same server for 100,000 keys, and the same preference lists', () => {
    const ref = new NpmHashRingCtor(servers);
    const mine = new HashRing(servers, { mode: 'ketama' });
    expect(mine.pointCount).toBe(1600);
    const differ = KEYS_100K.filter((k) => ref.get(k) !== mine.lookup(k));
    expect(differ).toEqual([]);
    for (const k of KEYS_100K.slice(0, 2000)) expect(mine.preferenceList(k, 3)).toEqual(ref.range(k, 3));
  });

  it('unequal weights (including ones whose point counts round down): the same server for 100,000 keys', () => {
    const weights: Record<string, number> = {};
    servers.forEach((s, i) => (weights[s] = [600, 300, 1, 250, 1000, 77, 3, 512, 128, 999][i]!));
    const ref = new NpmHashRingCtor(weights);
    const mine = new HashRing(servers.map((id) => ({ id, weight: weights[id]! })), { mode: 'ketama' });
    const differ = KEYS_100K.filter((k) => ref.get(k) !== mine.lookup(k));
    expect(differ).toEqual([]);
  });

  it('random server sets and weights: the same server for every key', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(fc.stringMatching(/^[a-z][a-z0-9.-]{0,12}:[1-9][0-9]{0,4}$/), fc.integer({ min: 1, max: 1000 })), { minLength: 1, maxLength: 12, selector: ([s]) => s }),
        // Prefixed: hashring's LRU cache is a plain object, so a key such as "toString" or
        // "__proto__" reads an inherited property and returns a stale or foreign answer.
        fc.array(fc.string({ maxLength: 16 }).map((s) => `k:${s}`), { minLength: 50, maxLength: 200 }),
        (pairs, keys) => {
          const ref = new NpmHashRingCtor(Object.fromEntries(pairs));
          const mine = new HashRing(pairs.map(([id, weight]) => ({ id, weight })), { mode: 'ketama' });
          for (const k of keys) expect(mine.lookup(k)).toBe(ref.get(k));
        },
      ),
      { numRuns: 40 },
    );
  });
});

const memberIds = fc.uniqueArray(fc.stringMatching(/^[a-z0-9-]{1,10}$/), { minLength: 2, maxLength: 16 });
const someKeys = fc.array(fc.string({ maxLength: 12 }), { minLength: 200, maxLength: 600 });

/**
 * Modes whose rings are consistent under joins and leaves. ketama only while
 * every member keeps its point count: hashring computes floor(w / total * 40 * n)
 * in floating point, which for 7 equal members is floor(39.99999999999999) = 39
 * digests, not 40; unequal weights rescale everyone on every change.
 */
function samePointsPerMember(a: HashRing, b: HashRing): boolean {
  return a.pointCount / a.size === b.pointCount / b.size;
}

const CONSISTENT: [string, RingOptions][] = [
  ['native (2 probes)', { mode: 'native' }],
  ['native (1 probe)', { mode: 'native', probes: 1 }],
  ['ketama, equal weights', { mode: 'ketama' }],
];

describe.each(CONSISTENT)('consistency of %s', (_name, opts) => {
  it('a join moves only keys that the new member now owns', () => {
    fc.assert(
      fc.property(memberIds, someKeys, (ids, keys) => {
        const [newcomer, ...rest] = ids as [string, ...string[]];
        const before = new HashRing(rest, opts);
        const after = new HashRing(rest, opts);
        after.add(newcomer);
        if (!samePointsPerMember(before, after)) return;
        for (const k of keys) {
          const o = after.lookup(k);
          if (o !== before.lookup(k)) expect(o).toBe(newcomer);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('a leave moves only the keys the leaver owned', () => {
    fc.assert(
      fc.property(memberIds, someKeys, fc.nat(), (ids, keys, pick) => {
        const leaver = ids[pick % ids.length]!;
        const before = new HashRing(ids, opts);
        const after = new HashRing(ids, opts);
        after.remove(leaver);
        if (!samePointsPerMember(before, after)) return;
        for (const k of keys) {
          const was = before.lookup(k);
          if (was !== leaver) expect(after.lookup(k)).toBe(was);
          else expect(after.lookup(k)).not.toBe(leaver);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('a join changes a preference list only by taking the newcomer in (so replicas move only to it)', () => {
    fc.assert(
      fc.property(memberIds, someKeys, fc.integer({ min: 1, max: 4 }), (ids, keys, n) => {
        const [newcomer, ...rest] = ids as [string, ...string[]];
        const before = new HashRing(rest, opts);
        const after = new HashRing([...rest, newcomer], opts);
        if (!samePointsPerMember(before, after)) return;
        for (const k of keys) {
          const a = after.preferenceList(k, n);
          const b = before.preferenceList(k, n);
          if (!a.includes(newcomer)) expect(a).toEqual(b);
          // Otherwise the newcomer took one place: the other members were all on the list before.
          else for (const m of a) if (m !== newcomer) expect(b).toContain(m);
        }
      }),
      { numRuns: 40 },
    );
  });

  it('a leave changes a preference list only by replacing the leaver', () => {
    fc.assert(
      fc.property(memberIds, someKeys, fc.integer({ min: 1, max: 4 }), fc.nat(), (ids, keys, n, pick) => {
        const leaver = ids[pick % ids.length]!;
        const before = new HashRing(ids, opts);
        const after = new HashRing(ids.filter((m) => m !== leaver), opts);
        if (!samePointsPerMember(before, after)) return;
        for (const k of keys) {
          const b = before.preferenceList(k, n);
          const a = after.preferenceList(k, n);
          if (!b.includes(leaver)) expect(a).toEqual(b);
          else for (const m of b) if (m !== leaver) expect(a).toContain(m);
        }
      }),
      { numRuns: 40 },
    );
  });

  it('the member order does not change placement', () => {
    fc.assert(
      fc.property(memberIds, someKeys, (ids, keys) => {
        const a = new HashRing(ids, opts);
        const b = new HashRing([...ids].reverse(), opts);
        if (opts.mode === 'ketama') return; // ketama keeps hashring's insertion order on equal points
        for (const k of keys) expect(b.lookup(k)).toBe(a.lookup(k));
      }),
      { numRuns: 30 },
    );
  });
});

describe('ketama point counts follow hashring\'s floating point', () => {
  it('7 equal servers get 39 digests (156 points) each, as in the npm package; 6 or 8 get 40', () => {
    const ring = (n: number) => new HashRing(Array.from({ length: n }, (_, i) => `s${i}:1`), { mode: 'ketama' });
    expect(ring(6).pointCount).toBe(6 * 160);
    expect(ring(7).pointCount).toBe(7 * 156);
    expect(ring(8).pointCount).toBe(8 * 160);
    const ref = new NpmHashRingCtor(Array.from({ length: 7 }, (_, i) => `s${i}:1`)) as unknown as { ring: unknown[] };
    expect(ref.ring.length).toBe(7 * 156);
  });
});

describe('moved fraction on a join', () => {
  // Stated tolerance (relative to the ideal 1/(n+1)), from 200 random rings of
  // 4..24 members and 20,000 keys: native with 2 probes stayed within 0.84..1.13.
  const keys = Array.from({ length: 20_000 }, (_, i) => `user:${i * 7919}`);
  it('native (2 probes, 160 points): within 20% of 1/(n+1)', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.stringMatching(/^[a-z0-9]{1,8}$/), { minLength: 5, maxLength: 25 }), (ids) => {
        const before = new HashRing(ids.slice(1));
        const after = new HashRing(ids);
        let moved = 0;
        for (const k of keys) if (after.lookup(k) !== before.lookup(k)) moved++;
        const ideal = 1 / ids.length;
        expect(Math.abs(moved / keys.length - ideal)).toBeLessThanOrEqual(0.2 * ideal);
      }),
      { numRuns: 25 },
    );
  });
});

describe('preference lists', () => {
  it('are N distinct members, start with the owner, and are shorter only when the ring is', () => {
    fc.assert(
      fc.property(memberIds, someKeys, fc.integer({ min: 1, max: 20 }), fc.constantFrom<RingOptions>({ mode: 'native' }, { mode: 'ketama' }, { mode: 'jump' }), (ids, keys, n, opts) => {
        const r = new HashRing(ids, opts);
        for (const k of keys.slice(0, 50)) {
          const pl = r.preferenceList(k, n);
          expect(pl.length).toBe(Math.min(n, ids.length));
          expect(new Set(pl).size).toBe(pl.length);
          expect(pl[0]).toBe(r.lookup(k));
        }
      }),
      { numRuns: 40 },
    );
  });
});

describe('weights and spread', () => {
  it('native: a member of weight 2 gets about twice the keys of a member of weight 1', () => {
    const r = new HashRing([{ id: 'a', weight: 2 }, { id: 'b', weight: 1 }, { id: 'c', weight: 1 }, { id: 'd', weight: 1 }]);
    const s = loadSpread(['a', 'b', 'c', 'd'], KEYS_100K.map((k) => r.lookup(k)));
    expect(s.counts.a! / ((s.counts.b! + s.counts.c! + s.counts.d!) / 3)).toBeGreaterThan(1.75);
    expect(s.counts.a! / ((s.counts.b! + s.counts.c! + s.counts.d!) / 3)).toBeLessThan(2.25);
  });

  it('native with 2 probes spreads load more evenly than with 1 (10 members, 160 points each, 100,000 keys)', () => {
    const ids = Array.from({ length: 10 }, (_, i) => `10.0.0.${i + 1}:11211`);
    const twoProbes = new HashRing(ids);
    const oneProbe = new HashRing(ids, { probes: 1 });
    const two = loadSpread(ids, KEYS_100K.map((k) => twoProbes.lookup(k)));
    const one = loadSpread(ids, KEYS_100K.map((k) => oneProbe.lookup(k)));
    expect(two.maxOverMean).toBeLessThanOrEqual(1.15);
    expect(two.stddev).toBeLessThan(one.stddev);
  });

  it('jump: near-perfect balance, but no weights', () => {
    const ids = Array.from({ length: 10 }, (_, i) => `s${i}`);
    const r = new HashRing(ids, { mode: 'jump' });
    expect(loadSpread(ids, KEYS_100K.map((k) => r.lookup(k))).maxOverMean).toBeLessThan(1.03);
    expect(() => new HashRing([{ id: 'a', weight: 2 }], { mode: 'jump' })).toThrow(/jump mode has no weights/);
  });

  it('rejects bad members and lookups on an empty ring', () => {
    expect(() => new HashRing(['a', 'a'])).toThrow(/already has member "a"/);
    expect(() => new HashRing([{ id: 'a', weight: 0 }])).toThrow(/weight of "a" must be a positive number/);
    expect(() => new HashRing([''])).toThrow(/non-empty/);
    expect(() => new HashRing([]).lookup('k')).toThrow(/empty ring/);
    expect(() => new HashRing(['a']).remove('b')).toThrow(/no member "b"/);
  });
});

describe('bounded loads (Mirrokni, Thorup and Zadimoghaddam)', () => {
  it('no member ever holds more than ceil(c * m / n) keys, and a key goes to its ring owner while it has room', () => {
    fc.assert(
      fc.property(memberIds, fc.uniqueArray(fc.string({ maxLength: 10 }), { minLength: 1, maxLength: 400 }), fc.constantFrom(1, 1.1, 1.25, 2), (ids, keys, c) => {
        const ring = new HashRing(ids, { probes: 1 });
        const b = new BoundedLoadRing(ring, c);
        keys.forEach((k, i) => {
          const cap = Math.ceil((c * (i + 1)) / ids.length);
          const ownerLoad = b.load(ring.lookup(k));
          const got = b.assign(k);
          if (ownerLoad < cap) expect(got).toBe(ring.lookup(k));
          else expect(ring.preferenceList(k, ids.length).indexOf(got)).toBeGreaterThan(0);
          for (const id of ids) expect(b.load(id)).toBeLessThanOrEqual(cap);
        });
        expect(b.count).toBe(keys.length);
      }),
      { numRuns: 40 },
    );
  });

  it('c = 1.25 keeps max/mean at most 1.25 where the plain ring is above it', () => {
    const ids = Array.from({ length: 10 }, (_, i) => `10.0.0.${i + 1}:11211`);
    const ring = new HashRing(ids, { probes: 1 });
    const plain = loadSpread(ids, KEYS_100K.map((k) => ring.lookup(k)));
    const b = new BoundedLoadRing(ring, 1.25);
    const bounded = loadSpread(ids, KEYS_100K.map((k) => b.assign(k)));
    expect(plain.maxOverMean).toBeGreaterThan(1.15);
    expect(bounded.maxOverMean).toBeLessThanOrEqual(1.25);
  });

  it('release gives the room back', () => {
    const b = new BoundedLoadRing(new HashRing(['a', 'b']), 1);
    const o = b.assign('x');
    expect(b.load(o)).toBe(1);
    b.release('x');
    expect(b.load(o)).toBe(0);
    expect(b.owner('x')).toBeUndefined();
    expect(() => new BoundedLoadRing(new HashRing(['a'], { mode: 'jump' }), 1.25)).toThrow(/native or ketama/);
    expect(() => new BoundedLoadRing(new HashRing(['a']), 0.5)).toThrow(/c must be >= 1/);
  });
});
