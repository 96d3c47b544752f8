import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TimedFault } from '../../sim/engine/config.ts';
import {
  DEFAULT_FAULT_KINDS,
  composeWorkloads,
  episodesToTimeline,
  faultScheduleArb,
  mergeConfig,
  resolveFaultGen,
} from '../../sim/fuzz/arbitraries.ts';
import { prepareRun, parseScenario } from '../../sim/scenario/resolve.ts';

const NODES = ['n1', 'n2', 'n3', 'n4', 'n5'];
const DURATION = 2_000_000;
const UNTIL = 1_400_000;

/** Every node a fault names. */
function namedNodes(f: TimedFault): string[] {
  if (f.kind === 'partition') return 'groups' in f ? f.groups.flat() : [f.around];
  if (f.kind === 'block') return [f.from, f.to];
  return 'node' in f ? [f.node] : [];
}

describe('faultScheduleArb', () => {
  it('is sorted by time, stays in the window and on the targets, and ends in one quiesce at `until`', () => {
    fc.assert(
      fc.property(faultScheduleArb(NODES, DURATION, { nodes: ['n1', 'n2', 'n3'] }), (tl) => {
        for (let i = 1; i < tl.length; i++) expect(tl[i]!.at).toBeGreaterThanOrEqual(tl[i - 1]!.at);
        expect(tl.at(-1)).toEqual({ at: UNTIL, kind: 'quiesce' });
        expect(tl.filter((f) => f.kind === 'quiesce')).toHaveLength(1);
        for (const f of tl) {
          expect(f.at).toBeGreaterThanOrEqual(0);
          expect(f.at).toBeLessThanOrEqual(UNTIL);
          for (const id of namedNodes(f)) expect(['n1', 'n2', 'n3']).toContain(id);
        }
      }),
      { seed: 1, numRuns: 200 },
    );
  });

  it('closes every episode: crash->restart, pause->resume, cut->heal, burst->loss 0', () => {
    fc.assert(
      fc.property(faultScheduleArb(NODES, DURATION), (tl) => {
        const count = (k: string): number => tl.filter((f) => f.kind === k).length;
        expect(count('restart')).toBe(count('crash'));
        expect(count('resume')).toBe(count('pause'));
        expect(count('heal')).toBe(count('partition') + count('isolate') + count('block'));
        const bursts = tl.filter((f) => f.kind === 'loss');
        expect(bursts.filter((f) => f.p === 0).length * 2).toBe(bursts.length);
        for (const f of tl) {
          if (f.kind === 'partition' && 'groups' in f) {
            expect(f.groups).toHaveLength(2);
            expect(f.groups.every((g) => g.length > 0)).toBe(true);
            expect([...f.groups.flat()].sort()).toEqual([...NODES].sort());
          }
          if (f.kind === 'block') expect(f.from).not.toBe(f.to);
          if (f.kind === 'clock') expect(Math.abs(f.drift ?? 0)).toBeLessThanOrEqual(0.01);
        }
      }),
      { seed: 2, numRuns: 200 },
    );
  });

  it('draws every default kind, and only the kinds asked for', () => {
    const seen = new Set<string>();
    fc.assert(fc.property(faultScheduleArb(NODES, DURATION), (tl) => void tl.forEach((f) => seen.add(f.kind))), { seed: 3, numRuns: 300 });
    for (const k of DEFAULT_FAULT_KINDS) expect(seen).toContain(k);
    expect(seen).not.toContain('corrupt');
    fc.assert(
      fc.property(faultScheduleArb(NODES, DURATION, { kinds: ['pause'], maxFaults: 3 }), (tl) => {
        expect(tl.every((f) => ['pause', 'resume', 'quiesce'].includes(f.kind))).toBe(true);
        expect(tl.filter((f) => f.kind === 'pause').length).toBeLessThanOrEqual(3);
      }),
      { seed: 4, numRuns: 100 },
    );
  });

  it('swarm: runs draw from a subset of the kinds, so single-kind schedules become common', () => {
    const singleKind = (swarm: boolean): number => {
      let n = 0;
      fc.assert(
        fc.property(faultScheduleArb(NODES, DURATION, { swarm }), (tl) => {
          const starts = tl.filter((f) => ['crash', 'partition', 'isolate', 'block', 'pause', 'clock'].includes(f.kind) || (f.kind === 'loss' && f.p > 0));
          if (starts.length >= 3 && new Set(starts.map((f) => f.kind)).size === 1) n++;
        }),
        { seed: 8, numRuns: 300 },
      );
      return n;
    };
    const plain = singleKind(false);
    const swarm = singleKind(true);
    expect(swarm).toBeGreaterThan(3 * Math.max(plain, 5));
  });

  it('weighted swarm: runs dense in one kind that still mix others become common', () => {
    // Dense: at least 4 episode starts, two kinds or more, and one kind holds at least 3 in 4 of them.
    const dense = (swarmWeights: readonly number[] | undefined): number => {
      let n = 0;
      fc.assert(
        fc.property(faultScheduleArb(NODES, DURATION, { swarm: true, ...(swarmWeights ? { swarmWeights } : {}) }), (tl) => {
          const starts = tl.filter((f) => ['crash', 'partition', 'isolate', 'block', 'pause', 'clock', 'corrupt'].includes(f.kind) || (['loss', 'duplicate'].includes(f.kind) && 'p' in f && f.p > 0) || (f.kind === 'slow' && f.factor > 1));
          const count = new Map<string, number>();
          for (const f of starts) count.set(f.kind, (count.get(f.kind) ?? 0) + 1);
          if (starts.length >= 4 && count.size >= 2 && Math.max(...count.values()) * 4 >= 3 * starts.length) n++;
        }),
        { seed: 8, numRuns: 400 },
      );
      return n;
    };
    const even = dense([1]);
    expect(dense(undefined)).toBe(even);
    expect(dense([1, 2, 4, 8])).toBeGreaterThan(2 * Math.max(even, 5));
  });

  it('refuses swarm weights that are not integers >= 1', () => {
    for (const bad of [[], [0], [1, 1.5]]) expect(() => resolveFaultGen({ swarmWeights: bad }, NODES, DURATION)).toThrow(/swarmWeights/);
  });

  it('gives timelines that a scenario accepts', () => {
    fc.assert(
      fc.property(faultScheduleArb(NODES, DURATION, { kinds: [...DEFAULT_FAULT_KINDS, 'corrupt'] }), (tl) => {
        const s = parseScenario({ name: 'x', description: 'x', protocol: 'pingpong', config: { nodes: 5, inFlight: 5 }, duration: DURATION, faults: { timeline: tl } });
        expect(prepareRun(s).timeline).toEqual(tl);
      }),
      { seed: 5, numRuns: 50 },
    );
  });

  it('skips kinds that need two nodes on a one-node cluster', () => {
    fc.assert(
      fc.property(faultScheduleArb(['n1'], DURATION, { kinds: ['partition', 'block', 'crash'] }), (tl) => {
        expect(tl.every((f) => ['crash', 'restart', 'quiesce'].includes(f.kind))).toBe(true);
      }),
      { seed: 6, numRuns: 50 },
    );
  });

  it('rejects an empty window, no targets and unknown kinds', () => {
    expect(() => resolveFaultGen({ from: 10, until: 10 }, NODES, DURATION)).toThrow(/window is empty/);
    expect(() => resolveFaultGen({ nodes: [] }, NODES, DURATION)).toThrow(/at least one target/);
    expect(() => resolveFaultGen({ kinds: ['meteor' as 'crash'] }, NODES, DURATION)).toThrow(/unknown fault kind "meteor"/);
  });
});

describe('episodesToTimeline', () => {
  it('expands episodes, caps ends at the quiesce and keeps order stable at equal times', () => {
    const g = { nodes: ['a', 'b', 'c'], until: 100 };
    expect(
      episodesToTimeline(
        [
          { kind: 'crash', node: 'a', at: 50, length: 80 },
          { kind: 'partition', side: ['b'], at: 10, length: 40 },
          { kind: 'loss', percent: 25, at: 10, length: 5 },
        ],
        g,
      ),
    ).toEqual([
      { at: 10, kind: 'partition', groups: [['b'], ['a', 'c']] },
      { at: 10, kind: 'loss', p: 0.25 },
      { at: 15, kind: 'loss', p: 0 },
      { at: 50, kind: 'crash', node: 'a' },
      { at: 50, kind: 'heal' },
      { at: 100, kind: 'restart', node: 'a' },
      { at: 100, kind: 'quiesce' },
    ]);
  });
});

describe('workloads', () => {
  it('mergeConfig merges objects deeply and replaces arrays and scalars', () => {
    expect(mergeConfig({ a: 1, bugs: { x: false, y: false }, list: [1, 2] }, { bugs: { y: true }, list: [3], b: 2 })).toEqual({
      a: 1,
      bugs: { x: false, y: true },
      list: [3],
      b: 2,
    });
  });
  it('composeWorkloads merges the parts in order', () => {
    const arb = composeWorkloads(fc.constant({ a: 1, w: { k: 1 } }), fc.constant({ a: 2, w: { j: 2 } }));
    fc.assert(
      fc.property(arb, (w) => {
        expect(w).toEqual({ a: 2, w: { k: 1, j: 2 } });
      }),
      { numRuns: 3 },
    );
  });
});
