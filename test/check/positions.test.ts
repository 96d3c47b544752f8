// The search orders calls and returns by position with a numeric sort when positions are
// integers (the common case) and a comparison sort otherwise; both must give one order:
// by position, a call before a return at the same position (they overlap), then by index.

import { describe, expect, it } from 'vitest';
import { checkOperations, generateHistory, historyToOperations, models, type Operation } from '../../sim/check/linearizability/index.ts';

const w = (id: number, call: number, ret: number, value: number): Operation => ({ id, process: `p${id}`, f: 'write', input: value, outcome: 'ok', call, ret });
const r = (id: number, call: number, ret: number, value: number | null): Operation => ({ id, process: `p${id}`, f: 'read', outcome: 'ok', output: value, call, ret });

describe('real-time order of the search', () => {
  it('a call at the position of another return overlaps it (calls first at equal positions)', () => {
    // write 1 in [0, 2]; a read of 1 called at 2, where the write returns; write 2 in [3, 4]; a read of 1 in [5, 6]: not linearizable.
    const bad = [w(0, 0, 2, 1), r(1, 2, 3, 1), w(2, 3, 4, 2), r(3, 5, 6, 1)];
    expect(checkOperations(bad, models.register).verdict).toBe('not-linearizable');
    // A read called where a write returns may see the value before the write: it overlaps it.
    const overlap = [w(0, 0, 1, 1), w(1, 2, 4, 2), r(2, 4, 5, 1)];
    expect(checkOperations(overlap, models.register).verdict).toBe('linearizable');
    // One position later, the read follows the write of 2 and cannot see 1.
    const after = [w(0, 0, 1, 1), w(1, 2, 4, 2), r(2, 5, 6, 1)];
    expect(checkOperations(after, models.register).verdict).toBe('not-linearizable');
  });

  it('fractional and huge positions give the verdicts and orders of the integer positions', () => {
    for (const corrupt of ['none', 'stale-read', 'lost-write'] as const) {
      const g = generateHistory({ clients: 8, ops: 300, model: 'register', keys: 1, seed: 3, corrupt });
      const ops = historyToOperations(g.history);
      const base = checkOperations(ops, models.register, { coreSteps: 0 });
      expect(base.verdict).toBe(g.linearizable ? 'linearizable' : 'not-linearizable');
      for (const scale of [(p: number) => p / 7 + 0.5, (p: number) => p * 2 ** 45]) {
        const moved = ops.map((op) => ({ ...op, call: scale(op.call), ret: op.ret === Infinity ? Infinity : scale(op.ret) }));
        const got = checkOperations(moved, models.register, { coreSteps: 0 });
        expect(got.verdict).toBe(base.verdict);
        expect(got.steps).toBe(base.steps);
        expect(got.linearizations).toEqual(base.linearizations);
      }
    }
  });
});
