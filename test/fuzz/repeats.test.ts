// Shrink waste (issue 11, session 13): once a campaign has a shrunk counterexample of a property, later failing runs
// of the same property are repeats: counted and kept for replay (run, seed, fast-check coordinates), not shrunk
// again, and not failures (they do not use up maxFailures), so the budget goes to search.
import { describe, expect, it, vi } from 'vitest';
import { fuzz, REPEATS_KEPT, type FuzzOptions } from '../../sim/fuzz/fuzz.ts';
import { parseScenario } from '../../sim/scenario/resolve.ts';

vi.mock('../../sim/protocols/registry.ts', async (orig) => (await import('./with-counter.ts')).withCounter(orig));

const base = parseScenario({ name: 'counter-fuzz', description: 'toy counter', protocol: 'counter', config: { servers: 3, increments: 40, bugs: { ackBeforeFsync: true } }, duration: '2s' });
const opts = (extra: Partial<FuzzOptions> = {}): FuzzOptions => ({ scenario: base, runs: 120, seed: 2, strategy: 'targeted', maxFailures: 5, keepGoing: true, shrinkBudget: 60, ...extra });

describe('repeats of an invariant already shrunk', () => {
  it('one failure per invariant is shrunk; the later failing runs of it are repeats, counted and kept, never shrunk', () => {
    let shrinkRuns = 0;
    const r = fuzz(opts({ onShrink: () => shrinkRuns++ }));
    expect(r.failures.map((f) => f.violation.invariant)).toEqual(['acked-writes-durable']);
    expect(r.repeats).toBeGreaterThan(0);
    expect(r.violations).toBe(1 + r.repeats!);
    // One failure's shrinking at most: the repeats cost no shrinking run.
    expect(shrinkRuns).toBeLessThanOrEqual(60);
    expect(r.repeated!.length).toBe(Math.min(r.repeats!, REPEATS_KEPT));
    for (const x of r.repeated!) {
      expect(x.invariant).toBe('acked-writes-durable');
      expect(x.run).toBeGreaterThan(r.failures[0]!.run);
    }
  });

  it("invariants the caller already has are not shrunk at all; another invariant's failure still is", () => {
    let shrinkRuns = 0;
    const known = fuzz(opts({ shrunkInvariants: ['acked-writes-durable'], onShrink: () => shrinkRuns++ }));
    expect(known.failures).toEqual([]);
    expect(known.repeats).toBe(known.violations);
    expect(known.violations).toBeGreaterThan(1);
    expect(shrinkRuns).toBe(0);
    const other = fuzz(opts({ shrunkInvariants: ['some-other-checker'], maxFailures: 1, keepGoing: false }));
    expect(other.failures.map((f) => f.violation.invariant)).toEqual(['acked-writes-durable']);
    expect(other.repeats).toBe(0);
  });

  it('a repeat replays from its fast-check coordinates to the same run (seed and invariant)', () => {
    const r = fuzz(opts({ shrunkInvariants: ['acked-writes-durable'] }));
    const x = r.repeated![0]!;
    expect(x.origin).toBe('drawn');
    const again = fuzz({ scenario: base, runs: 1, strategy: 'targeted', seed: x.fastCheck!.seed, path: x.fastCheck!.path, shrink: false });
    expect(again.failures[0]?.seed).toBe(x.seed);
    expect(again.failures[0]?.violation.invariant).toBe(x.invariant);
  });

  it('with shrinking off there are no repeats: every failure is reported as found, as before', () => {
    const r = fuzz(opts({ shrink: false, shrunkInvariants: ['acked-writes-durable'] }));
    expect(r.repeats).toBeUndefined();
    expect(r.failures.length).toBe(Math.min(5, r.violations));
  });
});

describe('faultline fuzz: repeats in --json and the summary', () => {
  it('a batch lists one shrunk counterexample of lock skipFsync and counts its other failing runs as repeats; every failing run is accounted for', async () => {
    const { inProcess } = await import('../cli-harness.ts');
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const out = mkdtempSync(join(tmpdir(), 'faultline-repeats-'));
    try {
      const args = ['fuzz', 'lock', '--bug', 'skipFsync', '--runs', '40', '--batch', '40', '--workers', '1', '--strategy', 'targeted', '--seed', '1', '--max-failures', '5', '--shrink-budget', '30', '--out', out];
      const r = await inProcess([...args, '--json']);
      expect(r.code, r.stderr).toBe(1);
      const j = JSON.parse(r.stdout) as { violations: number; failures: { invariant: string }[]; duplicates: number; not_written: number; repeats: number; repeated: { batch: number; run: number; invariant: string }[] };
      const invariants = j.failures.map((f) => f.invariant);
      // One counterexample per property: a property shrunk once is never written again.
      expect(new Set(invariants).size).toBe(invariants.length);
      expect(j.repeats).toBeGreaterThan(0);
      expect(j.repeated.every((x) => invariants.includes(x.invariant))).toBe(true);
      expect(j.violations).toBe(j.failures.length + j.duplicates + j.repeats + j.not_written);
      const human = await inProcess(args);
      expect(human.stdout).toMatch(new RegExp(`^repeats {5}${j.repeats} more failing runs? of .* after its counterexample was shrunk: counted, not shrunk again`, 'm'));
      // The summary prints the replay line of the first few, as --json lists them.
      const printed = human.stdout.split('\n').filter((l) => l.startsWith('repeat  '));
      expect(printed.length).toBe(Math.min(3, j.repeated.length));
      printed.forEach((l, k) => expect(l).toContain(`${(j.repeated[k] as unknown as { replay: string }).replay}   # ${j.repeated[k]!.invariant}`));
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

describe('fuzz-report merge keeps the repeats', () => {
  it('`repeated` of the shards is merged in batch and run order, capped as one campaign caps it; `repeats` adds up', async () => {
    const { mergeFuzzReports, readFuzzReport, MERGED_REPEATS_KEPT } = await import('../../sim/fuzz/merge.ts');
    expect(MERGED_REPEATS_KEPT).toBe(REPEATS_KEPT);
    const rep = (batch: number, run: number) => ({ batch, run, seed: 100 * batch + run, invariant: 'i', message: 'm', origin: 'drawn', replay: `npx faultline replay t-${batch}-${run}.jsonl` });
    const shard = (i: number, repeated: ReturnType<typeof rep>[]) =>
      readFuzzReport({ runs: 50, violations: repeated.length, scenario: 's', protocol: 'raft', seed: 1, shard: `${i}/2`, repeats: repeated.length, repeated, failures: [], batches: [{ batch: i - 1, seed: 1, runs: 50, violations: repeated.length }] }, `s${i}.json`);
    const a = Array.from({ length: 15 }, (_, k) => rep(0, 2 * k + 1));
    const b = Array.from({ length: 15 }, (_, k) => rep(1, k));
    // Given in the other order: the merge sorts by batch, then run.
    const m = mergeFuzzReports([{ file: 'b', report: shard(2, b) }, { file: 'a', report: shard(1, a) }]);
    expect(m.repeats).toBe(30);
    expect(m.repeated).toEqual([...a, ...b].slice(0, REPEATS_KEPT));
    // A report from before the list was written has none.
    expect(readFuzzReport({ runs: 1, violations: 0, failures: [], scenario: 's', protocol: 'raft', seed: 1, shard: '1/1', batches: [] }, 'old.json').repeated).toEqual([]);
  });
});

describe('faultline fuzz: every kept repeat replays', () => {
  // Data-driven: a fresh-draw campaign (targeted) and a guided one, whose repeats include mutants (no fast-check coordinates).
  const campaigns = [
    { name: 'targeted', origins: ['drawn'], args: ['fuzz', 'lock', '--bug', 'skipFsync', '--runs', '40', '--batch', '40', '--strategy', 'targeted', '--seed', '1'] },
    { name: 'guided', origins: ['drawn', 'mutant'], args: ['fuzz', 'lock', '--bug', 'skipFsync', '--runs', '60', '--batch', '60', '--strategy', 'guided', '--seed', '1'] },
  ];
  it.each(campaigns)('$name: each repeat in --json has its message, trace, scenario and replay line; the replay line re-runs it to the same invariant', async ({ args, origins }) => {
    const { inProcess } = await import('../cli-harness.ts');
    const { mkdtempSync, rmSync, readFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const out = mkdtempSync(join(tmpdir(), 'faultline-repeats-replay-'));
    try {
      const r = await inProcess([...args, '--workers', '1', '--max-failures', '5', '--shrink-budget', '30', '--out', out, '--json']);
      expect(r.code, r.stderr).toBe(1);
      type Rep = { batch: number; run: number; seed: number; invariant: string; message: string; origin: string; replay: string; trace: string; scenario: string };
      const j = JSON.parse(r.stdout) as { repeats: number; repeated: Rep[] };
      expect(j.repeated.length).toBe(Math.min(j.repeats, REPEATS_KEPT));
      expect(j.repeated.length).toBeGreaterThan(0);
      for (const x of j.repeated) {
        expect(x.message.length).toBeGreaterThan(0);
        expect(x.replay).toBe(`npx faultline replay ${x.trace}`);
        expect(JSON.parse(readFileSync(x.scenario, 'utf8'))).toMatchObject({ expect: { violation: x.invariant } });
      }
      expect([...new Set(j.repeated.map((x) => x.origin))].sort()).toEqual(origins);
      // Replay the first of each origin: the trace re-runs identically and fails with the repeat's invariant and message.
      for (const origin of new Set(j.repeated.map((x) => x.origin))) {
        const x = j.repeated.find((y) => y.origin === origin)!;
        const again = await inProcess(['replay', x.trace, '--json']);
        const rj = JSON.parse(again.stdout) as { identical: boolean; violations: { invariant: string; message: string }[] };
        expect(rj.identical).toBe(true);
        expect(rj.violations[0]).toMatchObject({ invariant: x.invariant, message: x.message });
        // The scenario alone fails with it too (faultline run: exit 0 when its expected violation happened).
        expect((await inProcess(['run', x.scenario])).code).toBe(0);
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
