// Generated stress histories with known verdicts (sim/check/linearizability/generate.ts):
// linearizable ones from a sequential model under random concurrency, and the same
// histories with one read or write result corrupted (stale read, phantom read, lost
// write), which are provably not linearizable. Each must get its known verdict under a
// generous per-partition budget; speed is measured by `faultline bench linearizability`,
// not here (the vitest timeout only guards against a hang).

import { describe, expect, it } from 'vitest';
import type { HistoryEvent } from '../../sim/engine/types.ts';
import { checkHistory, generateHistory, historyToOperations, models, type Corruption, type GeneratedModel } from '../../sim/check/linearizability/index.ts';

interface Family {
  clients: number;
  ops: number;
  model: GeneratedModel;
  keys: number;
  seeds: number[];
  corruptions: Corruption[];
}

const ALL: Corruption[] = ['none', 'stale-read', 'phantom-read', 'lost-write'];
const FAMILIES: Family[] = [
  { clients: 10, ops: 1_000, model: 'register', keys: 1, seeds: [1, 2, 3], corruptions: ALL },
  { clients: 10, ops: 10_000, model: 'kv', keys: 10, seeds: [1], corruptions: ALL },
  // Seed 7 has a key with about twenty concurrent writers whose order only later gets reveal (the
  // case the future-reads pruning decides; it was "unknown" after 3M steps without it).
  { clients: 50, ops: 2_000, model: 'kv', keys: 10, seeds: [1, 2, 7], corruptions: ALL },
  { clients: 50, ops: 5_000, model: 'kv', keys: 20, seeds: [1], corruptions: ALL },
  { clients: 100, ops: 10_000, model: 'kv', keys: 50, seeds: [1], corruptions: ALL },
  // Seed 1 has a key (51 puts, 213 appends, 237 gets) where a dozen appends run concurrently with
  // three puts that erase them (the case the dead-state abstraction decides; "unknown" after 2M
  // steps without it, now about 50k).
  { clients: 100, ops: 10_000, model: 'kv', keys: 20, seeds: [1], corruptions: ALL },
  { clients: 100, ops: 100_000, model: 'kv', keys: 100, seeds: [1], corruptions: ['none'] },
];

/** Generous: the largest partition of these families decides in well under a million steps. */
const BUDGET = { maxSteps: 5_000_000, coreSteps: 0 };

describe('generated histories get their known verdicts', () => {
  for (const f of FAMILIES)
    for (const corrupt of f.corruptions)
      it(`${f.clients} clients, ${f.ops} ops, ${f.model} (${f.keys} keys), ${corrupt}: seeds ${f.seeds.join(', ')}`, { timeout: 300_000 }, () => {
        for (const seed of f.seeds) {
          const g = generateHistory({ clients: f.clients, ops: f.ops, model: f.model, keys: f.keys, corrupt, seed });
          expect(g.linearizable).toBe(corrupt === 'none');
          const r = checkHistory(g.history, models[f.model], BUDGET);
          expect({ seed, verdict: r.verdict }).toEqual({ seed, verdict: g.linearizable ? 'linearizable' : 'not-linearizable' });
          if (r.failure) {
            // The failure is on the key of the corrupted operation.
            const corrupted = historyToOperations(g.history).find((o) => o.id === g.corrupted!.op)!;
            expect(r.failure.partition).toBe(corrupted.key ?? '');
          }
        }
      });

  it('the generator is deterministic and really concurrent', () => {
    const a = generateHistory({ clients: 50, ops: 500, model: 'kv', seed: 'x' });
    const b = generateHistory({ clients: 50, ops: 500, model: 'kv', seed: 'x' });
    expect(a.history).toEqual(b.history);
    let open = 0;
    let most = 0;
    for (const ev of a.history) most = Math.max(most, (open += ev.type === 'invoke' ? 1 : -1));
    expect(most).toBeGreaterThan(25);
    expect(() => generateHistory({ clients: 0, ops: 10, model: 'kv', seed: 1 })).toThrow(RangeError);
  });
});

describe('concurrent appends whose order only a later get reveals (the future-reads pruning)', () => {
  /** n appends all overlapping, then one get after they all returned; `order` is what the get saw. */
  function appendsThenGet(n: number, order: number[]): HistoryEvent[] {
    const h: HistoryEvent[] = [];
    for (let i = 0; i < n; i++) h.push({ type: 'invoke', t: i, node: 'c', op: i, process: `p${i}`, f: 'append', key: 'k', value: `<${i}>` });
    for (let i = 0; i < n; i++) h.push({ type: 'return', t: n + i, node: 'c', op: i, process: `p${i}`, outcome: 'ok' });
    h.push({ type: 'invoke', t: 3 * n, node: 'c', op: n, process: 'reader', f: 'get', key: 'k' });
    h.push({ type: 'return', t: 3 * n + 1, node: 'c', op: n, process: 'reader', outcome: 'ok', value: order.map((i) => `<${i}>`).join('') });
    return h;
  }
  const n = 14; // 14! orders, about 8.7e10: a search that tries them is never decided
  const shuffled = [3, 11, 0, 7, 13, 1, 9, 4, 12, 2, 8, 6, 10, 5];

  it('decides the order a get revealed in a few thousand steps', () => {
    const r = checkHistory(appendsThenGet(n, shuffled), models.kv, { maxSteps: 20_000 });
    expect(r.verdict).toBe('linearizable');
    expect(r.steps).toBeLessThan(20_000);
  });

  it('and proves a get that misses one append, or sees two swapped, not linearizable', () => {
    const missing = checkHistory(appendsThenGet(n, shuffled.slice(1)), models.kv, { maxSteps: 20_000, coreSteps: 0 });
    expect(missing.verdict).toBe('not-linearizable');
    const swapped = [...shuffled];
    [swapped[4], swapped[5]] = [swapped[5]!, swapped[4]!];
    // Swapped is still a legal order (all appends overlap), so it is linearizable; a duplicated one is not.
    expect(checkHistory(appendsThenGet(n, swapped), models.kv, { maxSteps: 20_000 }).verdict).toBe('linearizable');
    const duplicated = [...shuffled, shuffled[0]!];
    expect(checkHistory(appendsThenGet(n, duplicated), models.kv, { maxSteps: 20_000, coreSteps: 0 }).verdict).toBe('not-linearizable');
  });
});
