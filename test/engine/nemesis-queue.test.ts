import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expandNemesis } from '../../sim/engine/nemesis.ts';
import { EventQueue } from '../../sim/engine/queue.ts';
import { rootRng } from '../../sim/engine/random.ts';
import { parseDuration } from '../../sim/engine/time.ts';

describe('event queue', () => {
  it('pops in (time, insertion) order: a total order', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 300 }), (times) => {
        const q = new EventQueue<{ t: number; q: number; i: number }>();
        times.forEach((t, i) => q.push({ t, q: 0, i }));
        const out: { t: number; i: number }[] = [];
        for (let e = q.pop(); e; e = q.pop()) out.push(e);
        const expected = times.map((t, i) => ({ t, i })).sort((a, b) => a.t - b.t || a.i - b.i);
        expect(out.map((e) => [e.t, e.i])).toEqual(expected.map((e) => [e.t, e.i]));
      }),
    );
  });
});

describe('random streams', () => {
  it('forked streams are independent of each other: adding a stream changes no other', () => {
    const a1 = rootRng(7).fork('node').fork('n1');
    const draws1 = Array.from({ length: 5 }, () => a1.next());
    const root = rootRng(7);
    root.fork('node').fork('n9').next(); // another node draws first
    const a2 = root.fork('node').fork('n1');
    expect(Array.from({ length: 5 }, () => a2.next())).toEqual(draws1);
    expect(rootRng(8).fork('node').fork('n1').next()).not.toBe(draws1[0]);
  });
});

describe('durations', () => {
  it('parses units and rejects nonsense', () => {
    expect([parseDuration('250us'), parseDuration('10ms'), parseDuration('1.5s'), parseDuration('2m'), parseDuration(42)]).toEqual([250, 10_000, 1_500_000, 120_000_000, 42]);
    expect([parseDuration('10 parsecs'), parseDuration(1.5), parseDuration('')]).toEqual([undefined, undefined, undefined]);
  });
});

describe('nemesis', () => {
  const cfg = {
    crash: { rate: 2, downtime: { min: 100_000, max: 500_000 } },
    partition: { rate: 1, duration: { min: 100_000, max: 300_000 } },
    pause: { rate: 1, duration: { min: 10_000, max: 200_000 } },
    clock: { rate: 1, maxOffset: 50_000, maxDrift: 0.01 },
    loss: { rate: 1, p: 0.3, duration: { min: 50_000, max: 100_000 } },
  };
  const nodes = ['n1', 'n2', 'n3'];

  it('expands deterministically into a sorted timeline that ends in a quiesce', () => {
    const a = expandNemesis(cfg, nodes, 10_000_000, rootRng(1).fork('nemesis'));
    const b = expandNemesis(cfg, nodes, 10_000_000, rootRng(1).fork('nemesis'));
    expect(b).toEqual(a);
    expect(a.map((f) => f.at)).toEqual([...a.map((f) => f.at)].sort((x, y) => x - y));
    expect(a.at(-1)).toEqual({ at: 7_000_000, kind: 'quiesce' });
    const long = expandNemesis(cfg, nodes, 100_000_000, rootRng(1).fork('nemesis'));
    expect(new Set(long.map((f) => f.kind))).toEqual(new Set(['crash', 'restart', 'partition', 'isolate', 'block', 'heal', 'pause', 'resume', 'clock', 'loss', 'quiesce']));
  });

  it('every crash is followed by a restart of the same node, and a node is not crashed twice at once', () => {
    const tl = expandNemesis(cfg, nodes, 60_000_000, rootRng(3).fork('nemesis'));
    const down = new Set<string>();
    for (const f of tl) {
      if (f.kind === 'crash') {
        expect(down.has(f.node)).toBe(false);
        down.add(f.node);
      }
      if (f.kind === 'restart') {
        expect(down.has(f.node)).toBe(true);
        down.delete(f.node);
      }
    }
    expect(down.size).toBe(0);
  });

  it('adding a fault kind does not change the draws of another', () => {
    const crashesOnly = expandNemesis({ crash: cfg.crash }, nodes, 10_000_000, rootRng(5).fork('nemesis')).filter((f) => f.kind === 'crash');
    const all = expandNemesis(cfg, nodes, 10_000_000, rootRng(5).fork('nemesis')).filter((f) => f.kind === 'crash');
    expect(all).toEqual(crashesOnly);
  });
});

describe('cloneJson', () => {
  it('copies JSON data exactly as a JSON round trip does, sharing nothing', async () => {
    const { cloneJson } = await import('../../sim/engine/json.ts');
    const json = fc.jsonValue();
    fc.assert(
      fc.property(json, (v) => {
        const c = cloneJson(v);
        expect(JSON.stringify(c)).toBe(JSON.stringify(v));
        expect(c).toEqual(JSON.parse(JSON.stringify(v)) as unknown);
        if (typeof v === 'object' && v !== null) expect(c).not.toBe(v);
      }),
    );
    const withHoles = { a: undefined, b: [1, undefined, { c: undefined, d: 2 }] };
    expect(cloneJson(withHoles)).toEqual(JSON.parse(JSON.stringify(withHoles)) as unknown);
    expect(Object.keys(cloneJson(withHoles))).toEqual(['b']);
    expect(cloneJson([[-0], NaN, Infinity])).toEqual([[0], null, null]);
    expect(Object.is(cloneJson(-0), 0)).toBe(true);
  });
});
