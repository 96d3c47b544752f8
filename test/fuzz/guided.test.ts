// Coverage-guided fuzzing (sim/fuzz/guided.ts, fuzz({ strategy: 'guided' })):
// abstract states per protocol, mutation operators, purity of a guided
// campaign in its seed, failures found by mutants shrinking and replaying,
// `--runs N` semantics, and the R3 reported input (a workload patch clashing
// with the scenario's per-server settings is not a failure).

import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { rootRng } from '../../sim/engine/random.ts';
import { MemorySink } from '../../sim/engine/trace.ts';
import { resolveFaultGen, type FaultEpisode } from '../../sim/fuzz/arbitraries.ts';
import { fuzz, prepareCase, runScenario, stateParts } from '../../sim/fuzz/fuzz.ts';
import { applyMutation, coverageFinal, coverageObserver, FOCUS_PICKS, MUTATIONS, mutate, pickEntry, rarity, type CorpusEntry, type EpisodeCase, type RunCoverage } from '../../sim/fuzz/guided.ts';
import { replayTrace } from '../../sim/fuzz/replay.ts';
import { getProtocol } from '../../sim/protocols/registry.ts';
import { raftFuzzWorkload } from '../../sim/protocols/raft/fuzz-workload.ts';
import { parseScenario, prepareRun } from '../../sim/scenario/resolve.ts';
import { runPrepared } from '../../sim/scenario/run.ts';

const base = (protocol: string, config: Record<string, unknown> = {}, duration = '3s') =>
  parseScenario({ name: `${protocol}-guided`, description: 'guided fuzz test', protocol, config, duration });

/** Abstract states and transitions of one run of `s`. */
function coverage(s: ReturnType<typeof base>): RunCoverage {
  const abs = getProtocol(s.protocol)!.abstractState!;
  const cov: RunCoverage = { states: new Set(), edges: new Set() };
  const p = prepareRun(s);
  runPrepared({ ...p, checkers: [...p.checkers, coverageObserver(abs, cov), coverageFinal(abs, cov)] }, { hash: false });
  return cov;
}

describe('abstract states', () => {
  it.each(['raft', 'twopc', 'lock', 'ring'])('%s: a few to a few hundred per run, the same on a re-run', (protocol) => {
    const s = base(protocol);
    const a = coverage(s);
    expect(a.states.size).toBeGreaterThanOrEqual(1);
    expect(a.states.size).toBeLessThan(300);
    expect([...coverage(s).states]).toEqual([...a.states]);
  });

  it('raft: roles, down servers and a leader appear; crashing the leader changes the state', () => {
    const quiet = coverage(base('raft'));
    expect([...quiet.states].some((x) => x.startsWith('L0 C0 F3 x0'))).toBe(true);
    expect([...quiet.states].some((x) => x.startsWith('L1 C0 F2 x0'))).toBe(true);
    const crashed = base('raft');
    const withCrash = parseScenario({ ...crashed, faults: { timeline: [{ at: '1s', kind: 'crash', node: 'n1' }, { at: '1s', kind: 'crash', node: 'n2' }] } } as never);
    expect([...coverage(withCrash).states].some((x) => / x2 /.test(x))).toBe(true);
  });

  it('raft: `diverge` flags conflicting uncommitted entries (Figure 8\'s preloaded logs), never a quiet run', async () => {
    const figure8 = (await import('../../scenarios/raft-figure8.ts')).default;
    const states = [...coverage(parseScenario(figure8)).states];
    expect(states.some((x) => x.endsWith(' diverge'))).toBe(true);
    // Once n5 of term 5 has overwritten index 2 everywhere, the logs agree again.
    expect(states.some((x) => x.startsWith('L1') && !x.includes('diverge'))).toBe(true);
    expect([...coverage(base('raft')).states].some((x) => x.includes('diverge'))).toBe(false);
  });

  it('raft: `novote` flags a follower that could still grant a live candidate its vote (a forgotten vote), not one whose vote is on disk', async () => {
    const persistence = (await import('../../scenarios/raft-vote-persistence.ts')).default;
    // The recovery oracle off: it stops the run at the first unpersisted vote, before the crash this coverage is about.
    const forgets = parseScenario({ ...persistence, config: { ...persistence.config, bugs: { notPersistingVotedFor: true } }, recovery: false } as never);
    const keeps = parseScenario({ ...persistence, config: { ...persistence.config, bugs: {} } } as never);
    expect([...coverage(forgets).states].some((x) => x.includes(' novote'))).toBe(true);
    expect([...coverage(keeps).states].some((x) => x.includes(' novote'))).toBe(false);
  });

  it('fault contexts: which kind of fault hit which abstract state (crashing the leader hits a state with a leader)', () => {
    const s = base('raft');
    const withCrash = parseScenario({ ...s, faults: { timeline: [{ at: '1s', kind: 'crash', node: '@leader' }, { at: '1500ms', kind: 'restart', node: 'n1' }] } } as never);
    const abs = getProtocol('raft')!.abstractState!;
    const cov: RunCoverage = { states: new Set(), edges: new Set(), contexts: new Set() };
    const p = prepareRun(withCrash);
    runPrepared({ ...p, checkers: [...p.checkers, coverageObserver(abs, cov)] }, { hash: false });
    const ctx = [...cov.contexts!];
    expect(ctx.some((c) => c.startsWith('crash>L1 '))).toBe(true);
    expect(ctx.every((c) => /^(crash|restart)>/.test(c))).toBe(true);
    expect(stateParts([], ['crash>L1 C0 split'])).toEqual(['crash>C0', 'crash>L1', 'crash>split']);
    // Without faults there is no context.
    const quiet: RunCoverage = { states: new Set(), edges: new Set(), contexts: new Set() };
    const q = prepareRun(s);
    runPrepared({ ...q, checkers: [...q.checkers, coverageObserver(abs, quiet)] }, { hash: false });
    expect(quiet.contexts!.size).toBe(0);
  });

  it('ring: membership changes reach migrating states the static ring never does', () => {
    const still = coverage(base('ring'));
    const moving = coverage(base('ring', { servers: 3, spares: 1, changes: [{ at: '500ms', join: 'n4' }] }));
    expect([...moving.states].filter((x) => !still.states.has(x)).length).toBeGreaterThan(0);
  });
});

describe('mutations', () => {
  const gen = resolveFaultGen({}, ['n1', 'n2', 'n3'], 5_000_000);
  const ctx = { gen, workload: raftFuzzWorkload, corpus: [], windows: [100, 60, 30] };
  const start = (): EpisodeCase => ({
    seed: '1',
    episodes: [
      { kind: 'crash', node: 'n1', at: 1_000_000, length: 300_000 },
      { kind: 'partition', side: ['n2'], at: 2_000_000, length: 500_000 },
    ] as FaultEpisode[],
    workload: {},
    window: 100,
  });

  const triggered = { ...ctx, gen: resolveFaultGen({ triggers: ['vote-granted', 'became-leader'] }, ['n1', 'n2', 'n3'], 5_000_000) };

  it.each(MUTATIONS.filter((m) => m !== 'splice' && m !== 'crossover'))('%s changes the case and keeps it in the fault window', (m) => {
    const rng = rootRng(`mutation-${m}`);
    const ctx = m === 'trigger' ? triggered : { gen, workload: raftFuzzWorkload, corpus: [], windows: [100, 60, 30] };
    for (let i = 0; i < 20; i++) {
      const c = start();
      expect(applyMutation(m, c, rng, ctx)).toBe(true);
      expect(c).not.toEqual(start());
      for (const e of c.episodes) {
        expect(e.at).toBeGreaterThanOrEqual(gen.from);
        expect(e.at).toBeLessThan(gen.until);
        if ('length' in e) expect(e.length).toBeGreaterThanOrEqual(1);
        if ('length' in e) expect(e.length).toBeLessThanOrEqual(gen.maxEpisode);
      }
      expect(c.episodes.length).toBeLessThanOrEqual(gen.maxFaults);
    }
  });

  it('trigger applies only when the protocol has triggers, and starts the episode on one', () => {
    const rng = rootRng('trigger');
    expect(applyMutation('trigger', start(), rng, ctx)).toBe(false);
    for (let i = 0; i < 20; i++) {
      const c = start();
      expect(applyMutation('trigger', c, rng, triggered)).toBe(true);
      const on = c.episodes.filter((e) => e.on !== undefined);
      expect(on).toHaveLength(1);
      expect(['vote-granted', 'became-leader']).toContain(on[0]?.on?.event);
      expect(on[0]?.on?.delay).toBeLessThanOrEqual(triggered.gen.maxDelay);
    }
  });

  it('crossover keeps this run\'s episodes before a cut and takes a corpus entry\'s from the cut on', () => {
    const donor: EpisodeCase = {
      seed: '9',
      episodes: [
        { kind: 'pause', node: 'n3', at: 500_000, length: 100_000 },
        { kind: 'crash', node: '@leader', at: 3_000_000, length: 1_000, on: { event: 'vote-granted', nth: 1, delay: 0 } },
      ] as FaultEpisode[],
      workload: {},
      window: 100,
    };
    expect(applyMutation('crossover', start(), rootRng('x'), ctx)).toBe(false); // no donor
    const withDonor = { ...ctx, corpus: [{ case: donor, found: 1, picks: 0 }] };
    const rng = rootRng('crossover');
    let applied = 0;
    for (let i = 0; i < 40; i++) {
      const c = start();
      if (!applyMutation('crossover', c, rng, withDonor)) continue;
      applied++;
      const key = (e: FaultEpisode): string => JSON.stringify(e);
      const mine = new Set(start().episodes.map(key));
      const theirs = new Set(donor.episodes.map(key));
      // Every episode comes from one parent or the other, this run's strictly before the donor's.
      expect(c.episodes.every((e) => mine.has(key(e)) || theirs.has(key(e)))).toBe(true);
      const firstDonor = c.episodes.findIndex((e) => theirs.has(key(e)));
      expect(firstDonor).toBeGreaterThanOrEqual(0);
      const cut = c.episodes[firstDonor]!.at;
      expect(c.episodes.slice(0, firstDonor).every((e) => mine.has(key(e)) && e.at < cut)).toBe(true);
      expect(c.episodes.length).toBeLessThanOrEqual(gen.maxFaults);
    }
    expect(applied).toBeGreaterThan(5);
  });

  it('energy: rarity is the fewest runs that reached any feature of an entry; the rarest of the sampled entries and fresh finds are picked', () => {
    const hits = new Map([['common', 100], ['rare', 1], ['mid', 10]]);
    const entry = (features: string[], focus = 0): CorpusEntry => ({ case: start(), found: 1, picks: 0, features, focus });
    expect(rarity(entry(['common', 'rare']), hits)).toBe(1);
    expect(rarity(entry(['common', 'mid']), hits)).toBe(10);
    const corpus = [entry(['common']), entry(['common', 'mid']), entry(['common', 'rare']), entry(['common'])];
    const rng = rootRng('energy');
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 400; i++) counts[corpus.indexOf(pickEntry(corpus, rng, hits))]!++;
    // The rare entry wins whenever it is among the four sampled (about 68% of picks); the common ones rarely win.
    expect(counts[2]).toBeGreaterThan(200);
    expect(counts[2]).toBeGreaterThan(counts[1]!);
    expect(counts[1]).toBeGreaterThan(counts[0]! + counts[3]!);
    // A fresh find owed focus picks gets about half the picks until its debt is paid.
    const fresh = entry(['common'], FOCUS_PICKS);
    const withFresh = [...corpus, fresh];
    let freshPicks = 0;
    for (let i = 0; i < 200; i++) if (pickEntry(withFresh, rng, hits) === fresh) freshPicks++;
    expect(fresh.focus).toBe(0);
    expect(freshPicks).toBeGreaterThanOrEqual(FOCUS_PICKS);
  });

  it('rarity reads the parts of abstract states: each component once per run, sorted', () => {
    expect(stateParts(['L1 C0 F2 x0 g0 old0 behind0', 'L0 C2 F1 x0 g0 noleader split', 'L1 C0 F2 x0 g1 old0 behind1'])).toEqual(
      ['C0', 'C2', 'F1', 'F2', 'L0', 'L1', 'behind0', 'behind1', 'g0', 'g1', 'noleader', 'old0', 'split', 'x0'],
    );
    expect(stateParts([])).toEqual([]);
  });

  it('a mutant is a fresh object: the parent is untouched', () => {
    const parent = start();
    const copy = structuredClone(parent);
    const rng = rootRng('parent');
    for (let i = 0; i < 50; i++) mutate(parent, rng, ctx);
    expect(parent).toEqual(copy);
  });
});

describe('a guided campaign', () => {
  const lock = base('lock', { bugs: { grantBeforeExpiry: true } }, '2s');

  it('is a pure function of its seed: same runs, same corpus, same coverage and failures', () => {
    const runOnce = (seed: number) => {
      const seeds: string[] = [];
      const report = fuzz({ scenario: lock, runs: 20, seed, maxFailures: 1, keepGoing: true, shrinkBudget: 10, onRunStart: (_i, s) => seeds.push(s) });
      return { report, seeds };
    };
    const a = runOnce(11);
    const b = runOnce(11);
    expect(b.seeds).toEqual(a.seeds);
    expect(b.report).toEqual(a.report);
    expect(a.report.runs).toBe(20);
    expect(a.report.corpus).toBeGreaterThan(0);
    expect(a.report.states).toBe(a.report.stateSet.length);
    expect(runOnce(12).seeds).not.toEqual(a.seeds);
  });

  it('runs mutants of its corpus (random does not), and counts distinct abstract states', () => {
    const guided = fuzz({ scenario: base('raft', {}, '2s'), runs: 30, seed: 3, strategy: 'guided' });
    const random = fuzz({ scenario: base('raft', {}, '2s'), runs: 30, seed: 3, strategy: 'random' });
    expect(guided.corpus).toBeGreaterThan(0);
    expect(random.corpus).toBe(0);
    expect(guided.states).toBeGreaterThan(1);
    expect(random.states).toBeGreaterThan(1);
    expect(guided.violations + random.violations).toBe(0);
  });

  it('with keepGoing runs the whole budget, shrinking at most maxFailures failures', () => {
    const r = fuzz({ scenario: lock, runs: 30, seed: 5, maxFailures: 1, keepGoing: true, shrinkBudget: 10 });
    expect(r.runs).toBe(30);
    expect(r.failures).toHaveLength(1);
    expect(r.violations).toBeGreaterThan(1);
  });

  it("a mutant's failure shrinks to a scenario that replays with the same hash", () => {
    // shrinkRepeats: every failure shrunk (not one per invariant), so the mutants' failures are among them.
    const r = fuzz({ scenario: lock, runs: 60, seed: 21, maxFailures: 30, keepGoing: true, shrinkBudget: 30, shrinkRepeats: true });
    const f = r.failures.find((x) => x.origin === 'mutant');
    expect(f, `origins: ${r.failures.map((x) => x.origin).join(',')}`).toBeDefined();
    expect(f!.fastCheck).toBeUndefined();
    expect(runScenario(f!.scenario).violations[0]?.invariant).toBe(f!.violation.invariant);
    const sink = new MemorySink();
    const run = runPrepared(prepareRun(f!.scenario), { trace: sink });
    const replay = replayTrace(sink.text());
    expect(replay.identical).toBe(true);
    expect(replay.replayedHash).toBe(run.hash);
  });
});

describe('R3: a workload patch that clashes with per-server settings is not a failure', () => {
  const file = 'test/fuzz/reported/R3-fuzz-workload-spurious-assertion.json';
  const r3 = parseScenario(JSON.parse(readFileSync(file, 'utf8')), file);

  it('the clashing part of the patch is dropped: the scenario keeps its per-server timeout, the run is valid', () => {
    const p = prepareCase(r3, { seed: '1', faults: [], workload: { heartbeat: 60_000, servers: 5 } });
    expect('problem' in p).toBe(false);
    if ('problem' in p) return;
    const cfg = p.scenario.config as { heartbeat: number; servers: number; electionTimeoutOf: Record<string, { min: number }> };
    expect(cfg.heartbeat).toBe(20_000);
    expect(cfg.servers).toBe(5);
    expect(cfg.electionTimeoutOf.n1?.min).toBe(50_000);
  });

  it('a patch that makes no valid config, even with one part dropped, is not a run', () => {
    // Without the heartbeat the patch is empty: the base itself, which is valid.
    expect('problem' in prepareCase(r3, { seed: '1', faults: [], workload: { heartbeat: 60_000 } })).toBe(false);
    const clash = { n2: { min: 10_000, max: 10_000 } };
    expect(prepareCase(r3, { seed: '1', faults: [], workload: { electionTimeoutOf: clash, preVote: 'yes' } })).toHaveProperty('problem');
  });

  it('fuzzing it with the default raft workload finds no violation (it used to report assertions)', () => {
    const report = fuzz({ scenario: r3, runs: 25, seed: 1, workload: raftFuzzWorkload, shrink: false, keepGoing: true, maxFailures: 25 });
    expect(report.runs).toBe(25);
    expect(report.failures.map((f) => f.violation.invariant)).toEqual([]);
  });

  it('a workload that never yields a valid config is an error, not a failure', () => {
    expect(() => fuzz({ scenario: r3, runs: 5, workload: fc.constant({ electionTimeoutOf: { n2: { min: 10_000, max: 10_000 } }, preVote: 'yes' }) })).toThrow(/rejects in 100 draws in a row/);
  });
});
