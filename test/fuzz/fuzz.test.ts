import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import type { TimedFault } from '../../sim/engine/config.ts';
import { caseScenario, fuzz, runScenario } from '../../sim/fuzz/fuzz.ts';
import { parseScenario } from '../../sim/scenario/resolve.ts';
import type { ScenarioInput } from '../../sim/scenario/schema.ts';

vi.mock('../../sim/protocols/registry.ts', async (orig) => (await import('./with-counter.ts')).withCounter(orig));

const counterInput = (bug: boolean): ScenarioInput => ({
  name: 'counter-fuzz',
  description: 'toy counter under generated faults',
  protocol: 'counter',
  config: { servers: 3, increments: 40, bugs: { ackBeforeFsync: bug } },
  duration: '2s',
});
const counterBase = (bug: boolean) => parseScenario(counterInput(bug));

describe('fuzz() on the toy counter', () => {
  it('finds the planted lost-acknowledged-write bug and shrinks it to one crash', () => {
    const report = fuzz({ scenario: counterBase(true), runs: 200 });
    expect(report.violations).toBe(1);
    expect(report.runs).toBeLessThanOrEqual(200);
    const f = report.failures[0]!;
    expect(f.violation.invariant).toBe('acked-writes-durable');
    // Minimal: one crash of one server and its restart (the quiesce is dropped: the violation does not need it).
    expect(f.scenario.faults.timeline.map((x) => x.kind)).toEqual(['crash', 'restart']);
    expect(f.scenario.faults.nemesis).toBeUndefined();
    expect(f.scenario.seed).toBe(f.seed);
    expect(f.scenario.expect).toEqual({ violation: 'acked-writes-durable' });
    expect(f.replay).toBe(`npx faultline replay traces/fuzz/counter-fuzz-${f.seed}.jsonl`);
    // The shrunk scenario reproduces the violation on its own.
    const again = runScenario(f.scenario);
    expect(again.violations[0]?.invariant).toBe('acked-writes-durable');
    expect(again.expectation.held).toBe(true);
  });

  it('shrinks: the shrunk schedule is no longer than the first failing one', () => {
    const shrunk = fuzz({ scenario: counterBase(true), runs: 200, seed: 7 }).failures[0]!;
    const raw = fuzz({ scenario: counterBase(true), runs: 200, seed: 7, shrink: false }).failures[0]!;
    expect(raw.violation.invariant).toBe('acked-writes-durable');
    const tl = shrunk.scenario.faults.timeline;
    expect(tl.length).toBeLessThanOrEqual(raw.scenario.faults.timeline.length);
    // Crashes and restarts only, and locally minimal: without any one crash (and its restart) the run passes. (Its
    // simulation seed is not shrunk, so one crash is not always enough: on this seed it was until session 13's
    // generator change, which moved the draws; now two.)
    expect(new Set(tl.map((x) => x.kind))).toEqual(new Set(['crash', 'restart']));
    const crashes = tl.filter((x) => x.kind === 'crash');
    expect(crashes.length).toBeGreaterThan(0);
    for (const c of crashes) {
      const node = (c as { node: string }).node;
      const restart = tl.find((x) => x.kind === 'restart' && (x as { node: string }).node === node && x.at >= c.at);
      const without = tl.filter((x) => x !== c && x !== restart);
      expect(runScenario({ ...shrunk.scenario, faults: { ...shrunk.scenario.faults, timeline: without }, expect: 'no-violation' }).violations).toEqual([]);
    }
  });

  it("a failure's fast-check seed and path replay it directly, in one run", () => {
    // A fresh draw's failure (a mutant has no fast-check path): search campaign seeds for one (draws move when the generator changes).
    const seed = [1, 2, 3, 9].find((k) => fuzz({ scenario: counterBase(true), runs: 200, seed: k }).failures[0]?.fastCheck !== undefined)!;
    const f = fuzz({ scenario: counterBase(true), runs: 200, seed }).failures[0]!;
    expect(f.fastCheck!.seed).toBe(seed);
    expect(f.fastCheck!.path).toMatch(/^\d+(:\d+)*$/);
    const again = fuzz({ scenario: counterBase(true), runs: 200, seed: f.fastCheck!.seed, path: f.fastCheck!.path });
    expect(again.runs).toBe(1);
    expect(again.failures[0]!.scenario).toEqual(f.scenario);
  });

  it('shrinkBudget bounds the shrinking: 0 reports the first failing run as found', () => {
    const raw = fuzz({ scenario: counterBase(true), runs: 200, seed: 7, shrink: false }).failures[0]!;
    const none = fuzz({ scenario: counterBase(true), runs: 200, seed: 7, shrinkBudget: 0 }).failures[0]!;
    expect(none).toEqual(raw);
    let used = 0;
    const some = fuzz({ scenario: counterBase(true), runs: 200, seed: 7, shrinkBudget: 3, onShrink: (n) => (used = Math.max(used, n)) }).failures[0]!;
    expect(some.violation.invariant).toBe('acked-writes-durable');
    expect(used).toBeGreaterThan(0);
    expect(used).toBeLessThanOrEqual(3);
    expect(runScenario(some.scenario).violations[0]?.invariant).toBe('acked-writes-durable');
  });

  it('swarm mode finds and shrinks the bug too', () => {
    const f = fuzz({ scenario: counterBase(true), runs: 200, faults: { swarm: true } }).failures[0]!;
    expect(f.violation.invariant).toBe('acked-writes-durable');
    // One crash and its restart; an episode whose random draws the failure depends on may stay.
    const kinds = f.scenario.faults.timeline.map((x) => x.kind);
    expect(kinds.filter((k) => k === 'crash')).toHaveLength(1);
    expect(kinds).toContain('restart');
    expect(kinds.length).toBeLessThanOrEqual(4);
  });

  it('is deterministic: the same options give the same report', () => {
    const a = fuzz({ scenario: counterBase(true), runs: 100, seed: 42 });
    const b = fuzz({ scenario: counterBase(true), runs: 100, seed: 42 });
    expect(b).toEqual(a);
  });

  it('finds nothing without the bug, and reports progress for every run', () => {
    const progress: [number, number][] = [];
    const report = fuzz({ scenario: counterBase(false), runs: 60, onProgress: (d, v) => progress.push([d, v]) });
    expect(report).toMatchObject({ runs: 60, violations: 0, failures: [] });
    expect(progress).toEqual(Array.from({ length: 60 }, (_, i) => [i + 1, 0]));
  });

  it('does not find the bug when crashes are not generated', () => {
    const report = fuzz({ scenario: counterBase(true), runs: 60, faults: { kinds: ['partition', 'pause', 'loss'] } });
    expect(report.failures).toEqual([]);
  });

  it('keepFaults keeps the base timeline: crashes planted every 10ms reveal the bug in the first run', () => {
    const timeline = [];
    for (let at = 25_000; at < 1_000_000; at += 10_000) {
      for (const node of ['n1', 'n2', 'n3']) timeline.push({ at, kind: 'crash' as const, node }, { at: at + 1, kind: 'restart' as const, node });
    }
    const base = parseScenario({ ...counterInput(true), faults: { timeline } });
    expect(runScenario(base).violations[0]?.invariant).toBe('acked-writes-durable');
    const kept = fuzz({ scenario: base, runs: 50, keepFaults: true, faults: { kinds: ['loss'] } });
    expect(kept.runs).toBe(1);
    expect(kept.failures[0]?.violation.invariant).toBe('acked-writes-durable');
    expect(kept.failures[0]?.scenario.faults.timeline).toEqual(expect.arrayContaining(timeline));
    // Without keepFaults the base timeline is replaced, and loss bursts alone lose no acknowledged write.
    expect(fuzz({ scenario: base, runs: 30, faults: { kinds: ['loss'] } }).failures).toEqual([]);
  });

  it("keepFaults turns the base's nemesis into explicit faults for each run's seed", () => {
    const base = parseScenario({ ...counterInput(true), faults: { nemesis: { crash: { rate: 30, downtime: { min: '1us', max: '2ms' } } } } });
    expect(fuzz({ scenario: base, runs: 30, faults: { kinds: ['loss'] } }).failures).toEqual([]);
    const report = fuzz({ scenario: base, runs: 30, keepFaults: true, faults: { kinds: ['loss'] } });
    const f = report.failures[0]!;
    expect(f.violation.invariant).toBe('acked-writes-durable');
    expect(f.scenario.faults.nemesis).toBeUndefined();
    expect(f.scenario.faults.timeline.some((x) => x.kind === 'crash')).toBe(true);
    expect(runScenario(f.scenario).violations[0]).toEqual({ ...f.violation, seq: 0, cause: -1 });
  });

  it('shrinks the workload too', () => {
    // Campaign seed 2: the default seed's 200 runs miss the bug since session 13's generator change moved the draws
    // (seeds 1-6 find it in 1-46 runs); this test is about shrinking the workload, not about the search.
    const report = fuzz({
      scenario: counterBase(true),
      runs: 200,
      seed: 2,
      workload: fc.record({ increments: fc.integer({ min: 1, max: 60 }), servers: fc.integer({ min: 1, max: 5 }) }),
    });
    const f = report.failures[0]!;
    expect(f.violation.invariant).toBe('acked-writes-durable');
    // Shrunk to a local minimum: one increment fewer, or one server fewer (with the faults on it dropped), no longer fails.
    const cfg = f.scenario.config as { increments: number; servers: number };
    expect(cfg.increments).toBeLessThan(60);
    const rerun = (patch: Partial<typeof cfg>) =>
      runScenario(caseScenario(counterBase(true), { seed: f.seed, faults: f.scenario.faults.timeline as TimedFault[], workload: { ...cfg, ...patch }, duration: f.scenario.duration })).violations;
    expect(rerun({})[0]?.invariant).toBe('acked-writes-durable');
    if (cfg.increments > 1) expect(rerun({ increments: cfg.increments - 1 })).toEqual([]);
    if (cfg.servers > 1) expect(rerun({ servers: cfg.servers - 1 })).toEqual([]);
  });
});

describe('fuzz() on pingpong', () => {
  it('runs the whole budget with every fault kind and finds nothing (it has no checkers)', () => {
    const base = parseScenario({ name: 'pp', description: 'pp', protocol: 'pingpong', config: { nodes: 4, inFlight: 8 }, duration: '500ms' });
    const report = fuzz({ scenario: base, runs: 40, faults: { kinds: ['crash', 'partition', 'isolate', 'block', 'pause', 'clock', 'loss', 'corrupt'] } });
    expect(report).toMatchObject({ runs: 40, violations: 0, failures: [] });
  });
  it('rejects a bad budget', () => {
    const base = parseScenario({ name: 'pp', description: 'pp', protocol: 'pingpong', duration: '100ms' });
    expect(() => fuzz({ scenario: base, runs: -1 })).toThrow(/runs must be/);
    expect(fuzz({ scenario: base, runs: 0 })).toMatchObject({ runs: 0, violations: 0, failures: [] });
  });
});

describe('fuzz() when a run throws outside the handlers', () => {
  const base = parseScenario({ name: 'counter-throws', description: 'x', protocol: 'counter', config: { factoryThrowsOnRestart: true }, duration: '1s' });
  it('names the shrunk run that threw instead of reporting a violation', () => {
    expect(() => fuzz({ scenario: base, runs: 100, faults: { kinds: ['crash', 'loss'] } })).toThrow(
      /^fuzz: run with seed \d+ and faults \[\{"at":\d+,"kind":"crash","node":"n\d"\},\{"at":\d+,"kind":"restart".*threw: factory bug restarting n\d$/,
    );
  });
  it('says so when the workload arbitrary makes a config the protocol rejects', () => {
    expect(() => fuzz({ scenario: base, runs: 10, workload: fc.constant({ servers: 'three' }) })).toThrow(/the workload arbitrary produced a config counter rejects/);
  });
});
