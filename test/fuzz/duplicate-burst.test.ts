// The `duplicate` episode (a duplication burst): a default kind of targeted and guided drawn in a minority of
// runs (a rare kind, 1 run in 4; random keeps its issue-11 kinds; sim/fuzz/README.md), or as an ordinary kind when named in --kinds, expanded to a start and an end like a loss burst, shrunk like one (dropped,
// shorter, milder), and deterministic: the same campaign seed gives the same runs.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Checker, RunStats } from '../../sim/engine/types.ts';
import { DEFAULT_FAULT_KINDS, DEFAULT_RARE_KINDS, GEN_FAULT_KINDS, RARE_KIND_SHARE, episodeArb, pickKind, episodesArb, episodesToTimeline, resolveFaultGen, type FaultEpisode, type FaultGenOptions } from '../../sim/fuzz/arbitraries.ts';
import { fuzz, strategyGen, type FuzzStrategy } from '../../sim/fuzz/fuzz.ts';
import { describeFault as cliDescribeFault } from '../../sim/cli/commands/fuzz.ts';
import { defineProtocol } from '../../sim/scenario/protocol.ts';
import { parseScenario, prepareRun } from '../../sim/scenario/resolve.ts';
import { runPrepared } from '../../sim/scenario/run.ts';
import type { ScenarioInput } from '../../sim/scenario/schema.ts';
import { counter, counterConfig } from './counter-protocol.ts';
import { vi } from 'vitest';

/** The toy counter with one more checker: no message was delivered twice (only a duplication burst does that here). */
const noCopies: Checker = {
  name: 'no-copies',
  description: 'no message is delivered twice',
  when: 'final',
  check: (view) => {
    // The run's counters (the simulation is the view; not part of SimView's published type).
    const n = (view as unknown as { stats: RunStats }).stats.messages.duplicated;
    return n > 0 ? `${n} messages duplicated` : undefined;
  },
};
const once = defineProtocol({
  name: 'once',
  description: 'toy counter that fails when a message is duplicated (duplication-burst tests)',
  configSchema: counterConfig,
  build: (config, ctx) => ({ ...counter.build(config, ctx), checkers: [noCopies] }),
});

vi.mock('../../sim/protocols/registry.ts', async (importOriginal) => {
  const orig = await importOriginal<typeof import('../../sim/protocols/registry.ts')>();
  return { ...orig, getProtocol: (name: string) => (name === 'once' ? once : orig.getProtocol(name)), protocolNames: () => [...orig.protocolNames(), 'once'] };
});

describe('duplicate episodes in the generator', () => {
  it('is a default kind, a rare one (1 run in 4 enables it); kinds named explicitly are all ordinary', () => {
    expect(GEN_FAULT_KINDS).toContain('duplicate');
    expect(DEFAULT_FAULT_KINDS).toContain('duplicate');
    expect(DEFAULT_RARE_KINDS).toEqual(['duplicate']);
    expect(RARE_KIND_SHARE).toBe(0.25);
    const nodes = ['n1', 'n2', 'n3'];
    expect(resolveFaultGen({}, nodes, 2_000_000).rareKinds).toEqual(['duplicate']);
    expect(resolveFaultGen({ kinds: [...DEFAULT_FAULT_KINDS] }, nodes, 2_000_000).rareKinds).toEqual([]);
    expect(resolveFaultGen({ kinds: ['crash'], rareKinds: ['duplicate'] }, nodes, 2_000_000).rareKinds).toEqual([]);
    expect(() => resolveFaultGen({ rareShare: 1.5 }, nodes, 2_000_000)).toThrow(/rareShare/);
  });

  it('by default random draws no bursts; targeted and guided draw them in a minority of runs, explicit --kinds in many more', () => {
    const raft = parseScenario({ name: 'dup-gen', description: 'x', protocol: 'raft', duration: '2s' });
    const explicit = { kinds: [...DEFAULT_FAULT_KINDS] };
    const runs = (s: FuzzStrategy, faults: FaultGenOptions): FaultEpisode[][] => fc.sample(episodesArb(strategyGen(raft, s, faults).gen), { seed: 3, numRuns: 1000 });
    const share = (rs: FaultEpisode[][]): number => rs.filter((eps) => eps.some((e) => e.kind === 'duplicate')).length / rs.length;
    expect(share(runs('random', {}))).toBe(0);
    for (const s of ['targeted', 'guided'] as FuzzStrategy[]) {
      const byDefault = share(runs(s, {}));
      const named = share(runs(s, explicit));
      // A run enables duplication with probability 1/4, and then may still draw no burst (0-8 episodes over its kinds).
      expect(byDefault).toBeGreaterThan(0.05);
      expect(byDefault).toBeLessThan(0.25);
      // Named with --kinds, it is a swarm kind like the others: enabled in half the runs.
      expect(named).toBeGreaterThan(byDefault * 1.5);
      expect(share(runs(s, { rareShare: 0 }))).toBe(0);
      expect(share(runs(s, { rareShare: 1 }))).toBeGreaterThan(named);
      for (const e of runs(s, {}).flat()) if (e.kind === 'duplicate') expect(e.percent >= 1 && e.percent <= 50 && e.length >= 1).toBe(true);
    }
  });

  it("guided's add and branch mutations pick a rare kind with weight rareShare against 1 for each other kind", () => {
    const g = { rareKinds: ['duplicate'] as const, rareShare: 0.25 };
    // crash 1, duplicate 0.25: total 1.25, so duplicate for u in [0.8, 1).
    expect(pickKind(['crash', 'duplicate'], g, 0)).toBe('crash');
    expect(pickKind(['crash', 'duplicate'], g, 0.79)).toBe('crash');
    expect(pickKind(['crash', 'duplicate'], g, 0.81)).toBe('duplicate');
    expect(pickKind(['duplicate', 'crash'], g, 0.19)).toBe('duplicate');
    expect(pickKind(['duplicate', 'crash'], g, 0.21)).toBe('crash');
    expect(pickKind(['duplicate'], { rareKinds: ['duplicate'], rareShare: 0 }, 0.5)).toBeUndefined();
    expect(pickKind(['crash', 'duplicate'], { rareKinds: [], rareShare: 0.25 }, 0.6)).toBe('duplicate');
  });

  it('expands to a start with p = percent/100 and an end with p = 0, cut at the window end', () => {
    const g = resolveFaultGen({ kinds: ['duplicate'] }, ['n1', 'n2', 'n3'], 2_000_000);
    expect(episodesToTimeline([{ kind: 'duplicate', percent: 40, at: 100, length: 50 }, { kind: 'duplicate', percent: 100, at: 1_300_000, length: 900_000 }], g)).toEqual([
      { at: 100, kind: 'duplicate', p: 0.4 },
      { at: 150, kind: 'duplicate', p: 0 },
      { at: 1_300_000, kind: 'duplicate', p: 1 },
      { at: 1_400_000, kind: 'duplicate', p: 0 },
      { at: 1_400_000, kind: 'quiesce' },
    ]);
    // With a trigger, the end comes `length` after the start fired (as every triggered episode).
    const tg = resolveFaultGen({ kinds: ['duplicate'], triggers: ['t'] }, ['n1', 'n2', 'n3'], 2_000_000);
    expect(episodesToTimeline([{ kind: 'duplicate', percent: 5, at: 10, length: 70, on: { event: 't', nth: 1, delay: 0 } }], tg).slice(0, 2)).toEqual([
      { at: 10, id: 'duplicate-10', on: { event: 't', nth: 1 }, delay: 0, kind: 'duplicate', p: 0.05 },
      { at: 10, after: 'duplicate-10', delay: 70, kind: 'duplicate', p: 0 },
    ]);
    expect(cliDescribeFault({ at: 1_000_000, kind: 'duplicate', p: 0.4 })).toBe('duplicate 0.4 @1s');
  });

  it('shrinks toward 1% and shorter bursts', () => {
    const g = resolveFaultGen({ kinds: ['duplicate'] }, ['n1', 'n2', 'n3'], 2_000_000);
    const arb = episodeArb('duplicate', g)!;
    const big: FaultEpisode = { kind: 'duplicate', percent: 80, at: 500_000, length: 400_000 };
    const shrunk = [...arb.shrink(big, undefined).take(200)].map((v) => v.value_);
    expect(shrunk.some((e) => e.kind === 'duplicate' && e.percent < 80)).toBe(true);
    expect(shrunk.some((e) => e.kind === 'duplicate' && e.length < 400_000)).toBe(true);
    expect(shrunk.some((e) => e.at < 500_000)).toBe(true);
  });

  it('fuzz finds a failure only duplication causes, shrinks it to one burst, the shrunk scenario replays; same seed, same runs', () => {
    const base = parseScenario({ name: 'once', description: 'x', protocol: 'once', duration: '1s' });
    let checked = 0;
    for (const seed of [1, 2, 3]) {
      const r = fuzz({ scenario: base, runs: 40, seed, strategy: 'targeted', faults: { kinds: ['duplicate', 'crash'] } });
      const f = r.failures[0];
      if (f === undefined) continue;
      expect(f.violation.invariant).toBe('no-copies');
      const tl = f.scenario.faults.timeline;
      // One burst start and its end are left (the crashes were shrunk away), at 1% or so.
      expect(tl.filter((x) => x.kind === 'crash')).toEqual([]);
      const starts = tl.filter((x) => x.kind === 'duplicate' && x.p > 0);
      expect(starts).toHaveLength(1);
      const again = runPrepared(prepareRun(parseScenario(JSON.parse(JSON.stringify(f.scenario)) as ScenarioInput)), { hash: true });
      expect(again.violations[0]?.invariant).toBe('no-copies');
      const twice = fuzz({ scenario: base, runs: 40, seed, strategy: 'targeted', faults: { kinds: ['duplicate', 'crash'] } });
      expect(twice.runs).toBe(r.runs);
      expect(twice.failures[0]?.scenario).toEqual(f.scenario);
      checked++;
    }
    expect(checked).toBeGreaterThan(0);
  });
  it('with the default kinds (no --kinds) a guided campaign finds it too, and its shrunk scenario is plain data that replays', () => {
    const base = parseScenario({ name: 'once', description: 'x', protocol: 'once', duration: '1s' });
    let found = 0;
    for (const seed of [1, 2, 3]) {
      const r = fuzz({ scenario: base, runs: 150, seed });
      const f = r.failures[0];
      if (f === undefined) continue;
      expect(f.violation.invariant).toBe('no-copies');
      const tl = JSON.parse(JSON.stringify(f.scenario.faults.timeline)) as { kind: string; p?: number }[];
      expect(tl.filter((x) => x.kind === 'duplicate' && (x.p ?? 0) > 0).length).toBeGreaterThan(0);
      const again = runPrepared(prepareRun(parseScenario(JSON.parse(JSON.stringify(f.scenario)) as ScenarioInput)), { hash: true });
      expect(again.violations[0]?.invariant).toBe('no-copies');
      found++;
    }
    expect(found).toBe(3);
  });
});
