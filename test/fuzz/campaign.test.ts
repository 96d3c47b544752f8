import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { batchSeed, parseShard, planBatches, runBatch } from '../../sim/fuzz/campaign.ts';
import { parseScenario } from '../../sim/scenario/resolve.ts';

vi.mock('../../sim/protocols/registry.ts', async (orig) => (await import('./with-counter.ts')).withCounter(orig));

describe('shards', () => {
  it('parses i/n with 1 <= i <= n and nothing else', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, count: 4 });
    expect(parseShard(' 1/1 ')).toEqual({ index: 1, count: 1 });
    for (const bad of ['0/4', '5/4', '1/0', '1', 'a/b', '1/2/3', '-1/2', '1.5/2']) expect(parseShard(bad)).toBeUndefined();
  });

  it('n shards together run exactly the batches of one machine, each once', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 500 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 7 }), fc.nat(), (runs, batchSize, n, seed) => {
        const whole = [...planBatches({ runs, batchSize, seed })];
        expect(whole.reduce((s, b) => s + b.runs, 0)).toBe(runs);
        expect(whole.every((b) => b.runs >= 1 && b.runs <= batchSize)).toBe(true);
        const union = Array.from({ length: n }, (_, i) => [...planBatches({ runs, batchSize, seed, shard: { index: i + 1, count: n } })]).flat();
        expect(union.sort((a, b) => a.batch - b.batch)).toEqual(whole);
      }),
      { seed: 11, numRuns: 200 },
    );
  });

  it('a time budget gives an endless plan that shards the same way', () => {
    const it1 = planBatches({ runs: undefined, batchSize: 10, seed: 1, shard: { index: 2, count: 3 } });
    const first = Array.from({ length: 4 }, () => it1.next().value!);
    expect(first.map((b) => b.batch)).toEqual([1, 4, 7, 10]);
    expect(first.every((b) => b.runs === 10)).toBe(true);
    expect(first[0]!.seed).toBe(batchSeed(1, 1));
  });

  it('batch seeds are 31-bit, deterministic and distinct across batches and campaign seeds', () => {
    const seen = new Set<number>();
    for (let s = 0; s < 20; s++) {
      for (let b = 0; b < 500; b++) {
        const x = batchSeed(s, b);
        expect(x).toBe(batchSeed(s, b));
        expect(x >= 0 && x <= 0x7fffffff).toBe(true);
        seen.add(x);
      }
    }
    expect(seen.size).toBe(20 * 500);
  });
});

describe('runBatch', () => {
  const base = parseScenario({ name: 'counter-batch', description: 'x', protocol: 'counter', config: { bugs: { ackBeforeFsync: true } }, duration: '2s' });
  it('runs one fuzz() of the batch and counts each run of the budget once', () => {
    const calls: boolean[] = [];
    const r = runBatch({ scenario: base, task: { batch: 3, seed: batchSeed(1, 3), runs: 100 } }, (v) => calls.push(v));
    expect(r.batch).toBe(3);
    expect(r.violations).toBe(1);
    expect(calls).toHaveLength(r.runs);
    expect(calls.filter((v) => v)).toHaveLength(1);
    expect(calls.at(-1)).toBe(true);
    expect(r.failures[0]?.violation.invariant).toBe('acked-writes-durable');
    expect(runBatch({ scenario: base, task: { batch: 3, seed: batchSeed(1, 3), runs: 100 } })).toEqual(r);
  });

  it.each(['guided', 'random'] as const)('%s: stop() ends the batch before its next run; the runs made are the full batch\'s first ones', (strategy) => {
    const clean = parseScenario({ ...base, config: {} });
    const task = { batch: 0, seed: batchSeed(5, 0), runs: 40 };
    const full: string[] = [];
    runBatch({ scenario: clean, task, strategy }, { onRunStart: (_i, seed) => full.push(seed) });
    expect(full).toHaveLength(40);
    const cut: string[] = [];
    const r = runBatch({ scenario: clean, task, strategy }, { onRunStart: (_i, seed) => cut.push(seed), stop: () => cut.length >= 25 });
    expect(r.runs).toBe(25);
    expect(cut).toEqual(full.slice(0, 25));
  });
});
