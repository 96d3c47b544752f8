// The history panel's analysis: the linearization the checker found is drawn
// as points inside each operation's interval, in real-time order; a broken
// history shows the stuck operation and a failing core that contains the
// planted wrong result.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { OperationRec } from '../../sim/trace/model.ts';
import { analyzeHistory, historyOf } from '../../sim/trace/history.ts';

interface Step {
  process: number;
  f: 'read' | 'write';
  key: number;
  value: number;
  /** Start before, end after the atomic point (µs). */
  before: number;
  after: number;
}

/**
 * Operations of a sequential execution of a register per key, each at its own
 * atomic point 10 µs apart, given an interval around it: linearizable by
 * construction. One operation at a time per process is not needed by the checker,
 * so processes are only labels.
 */
function execute(steps: Step[]): OperationRec[] {
  const state = new Map<number, number | null>();
  return steps.map((s, i) => {
    const point = 100 + i * 10;
    const key = `k${s.key}`;
    const cur = state.get(s.key) ?? null;
    if (s.f === 'write') state.set(s.key, s.value);
    return { op: i, process: `p${s.process}`, node: `c${s.process}`, f: s.f, key, value: s.f === 'write' ? s.value : undefined, invokeSeq: 0, invokeT: point - s.before, returnSeq: 0, returnT: point + s.after, outcome: 'ok', result: s.f === 'read' ? cur : undefined };
  });
}

/** Give the operations seqs in real-time order of their invokes and returns (as a trace would). */
function sequence(ops: OperationRec[]): OperationRec[] {
  const evs = ops.flatMap((o, i) => [
    { t: o.invokeT, i, ret: false },
    { t: o.returnT!, i, ret: true },
  ]);
  evs.sort((a, b) => a.t - b.t || Number(a.ret) - Number(b.ret) || a.i - b.i);
  const out = ops.map((o) => ({ ...o }));
  evs.forEach((e, seq) => {
    if (e.ret) out[e.i]!.returnSeq = seq;
    else out[e.i]!.invokeSeq = seq;
  });
  // Operations are listed in invoke order.
  return out.sort((a, b) => a.invokeSeq - b.invokeSeq).map((o, i) => ({ ...o, op: i }));
}

const stepArb = fc.record({ process: fc.integer({ min: 1, max: 3 }), f: fc.constantFrom('read' as const, 'write' as const), key: fc.integer({ min: 1, max: 2 }), value: fc.integer({ min: 1, max: 5 }), before: fc.integer({ min: 0, max: 25 }), after: fc.integer({ min: 0, max: 25 }) });

describe('analyzeHistory', () => {
  it('for a linearizable history: every operation placed once, in an order and at points that respect real time', () => {
    fc.assert(
      fc.property(fc.array(stepArb, { minLength: 1, maxLength: 14 }), (steps) => {
        const ops = sequence(execute(steps));
        const a = analyzeHistory(ops);
        expect(a.model).toBe('register');
        expect(a.verdict).toBe('linearizable');
        expect(a.failure).toBeUndefined();
        const placed = a.partitions.flatMap((p) => p.order);
        expect([...placed].sort((x, y) => x - y)).toEqual([...new Set(placed)].sort((x, y) => x - y));
        expect(placed.length + a.ignored.length).toBe(ops.length);
        for (const p of a.partitions) {
          expect(p.verdict).toBe('linearizable');
          p.order.forEach((i, k) => {
            const o = ops[i]!;
            expect(o.key).toBe(p.key);
            expect(p.points[k]).toBeGreaterThanOrEqual(o.invokeT);
            expect(p.points[k]).toBeLessThanOrEqual(o.returnT!);
            if (k > 0) expect(p.points[k]).toBeGreaterThanOrEqual(p.points[k - 1]!);
          });
          // Real-time order: an operation that returned before another was invoked comes first.
          const pos = new Map(p.order.map((i, k) => [i, k]));
          for (const i of p.order) for (const j of p.order) if (ops[i]!.returnT! < ops[j]!.invokeT) expect(pos.get(i)!).toBeLessThan(pos.get(j)!);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('for a planted wrong read: not linearizable, and the stuck operation or the core is that read', () => {
    fc.assert(
      fc.property(fc.array(stepArb, { minLength: 1, maxLength: 12 }), fc.nat(), (steps, pick) => {
        const ops = sequence(execute(steps));
        const reads = ops.map((o, i) => [o, i] as const).filter(([o]) => o.f === 'read');
        fc.pre(reads.length > 0);
        const [, bad] = reads[pick % reads.length]!;
        ops[bad] = { ...ops[bad]!, result: 99 }; // a value nobody wrote
        const a = analyzeHistory(ops);
        expect(a.verdict).toBe('not-linearizable');
        const f = a.failure!;
        expect(f.key).toBe(ops[bad]!.key);
        expect(f.core).toContain(bad);
        expect(f.prefix).not.toContain(bad);
        const p = a.partitions.find((x) => x.key === f.key)!;
        expect(p.verdict).toBe('not-linearizable');
        expect(p.order).toEqual(f.prefix);
        // The other key is still checked and drawn, though the checker stops at the first failing key.
        for (const other of a.partitions.filter((x) => x.key !== f.key)) {
          expect(other.verdict).toBe('linearizable');
          expect(other.order.length).toBe(other.ops.length);
        }
      }),
      { numRuns: 40 },
    );
  });

  it('says when no model fits the operations, and maps history positions back to seqs', () => {
    const ops = sequence(execute([{ process: 1, f: 'write', key: 1, value: 1, before: 1, after: 1 }])).map((o) => ({ ...o, f: 'frobnicate' }));
    expect(analyzeHistory(ops).verdict).toBe('no-model');
    expect(analyzeHistory([]).verdict).toBe('no-operations');
    const { history, seqs } = historyOf(sequence(execute([{ process: 1, f: 'write', key: 1, value: 1, before: 5, after: 5 }, { process: 2, f: 'read', key: 1, value: 0, before: 20, after: 5 }])));
    expect(history.map((e) => e.type)).toEqual(['invoke', 'invoke', 'return', 'return']);
    expect(seqs).toEqual([0, 1, 2, 3]);
  });
});
