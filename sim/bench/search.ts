// `faultline bench search`: how fast fuzzing finds each planted bug, for each
// strategy side by side (issue 11): `random` (the plain baseline generator),
// `targeted` (roles and triggers, no corpus) and `guided` (targeted plus the
// corpus, mutations and branches). For every planted bug of every protocol (the
// `bugs` of its config schema), a campaign like `faultline fuzz <protocol> --bug
// <name>` (the protocol's default workload, swarm on, one worker, batches of the
// strategy's default size) runs until its first failing run or the budget, for
// each of several campaign seeds and each strategy. Reported: the median wall
// time and run count to the first failure (a miss counts as the budget, 60 s by
// default), and the ratios guided/random (the issue's floor: random median over
// guided median) and guided/targeted (what the corpus adds). Shrinking is off:
// this measures search, not shrinking.
//
// Not in `faultline bench all`: at full budget it can take hours (bugs x
// 3 strategies x 3 seeds x up to 60 s). `--quick` (10 s budget, 3 seeds) or
// `--budget 5s --bug raft.candidateNeverRetries` runs a part of it. `--clock cpu` counts the
// process's CPU time instead of wall time (budget and figures), for a loaded machine.

import { parseDuration } from '../engine/time.ts';
import { batchSeed, DEFAULT_BATCH } from '../fuzz/campaign.ts';
import { fuzz, FUZZ_STRATEGIES, strategyWorkload, type FuzzOptions, type FuzzStrategy } from '../fuzz/fuzz.ts';
import { getProtocol, protocolNames } from '../protocols/registry.ts';
import { parseScenario } from '../scenario/resolve.ts';
import type { Scenario } from '../scenario/schema.ts';
import { positiveInt, type BenchCase } from './case.ts';

/** Every planted bug: protocol and switch name, from each protocol's config schema defaults. */
export function plantedBugs(): { protocol: string; bug: string }[] {
  const out: { protocol: string; bug: string }[] = [];
  for (const p of protocolNames()) {
    const def = getProtocol(p);
    const parsed = def?.configSchema.safeParse({});
    const bugs = parsed?.success ? (parsed.data as { bugs?: Record<string, unknown> }).bugs : undefined;
    for (const bug of Object.keys(bugs ?? {})) out.push({ protocol: p, bug });
  }
  return out;
}

class OutOfTime extends Error {}

export interface SearchResult {
  found: boolean;
  /** Wall seconds to the first failing run (the budget when not found). */
  seconds: number;
  /** Runs to the first failing run, 1-based (the runs done when not found). */
  runs: number;
  invariant: string | undefined;
  /** Faults in the shrunk failing run (quiesce not counted), when shrinking was asked for. */
  shrunkFaults?: number;
}

/** One campaign: batches of fuzz() with `batchSeed(seed, b)` until the first failing run or the budget. */
export function firstFailure(base: Scenario, strategy: FuzzStrategy, seed: number, budgetMs: number, now: () => number, shrinkBudget = 0, batchSize: number = DEFAULT_BATCH[strategy], tuning: Pick<FuzzOptions, 'traceEdges' | 'branchHavoc' | 'plainShare' | 'plainWorkload' | 'spans' | 'opening'> = {}): SearchResult {
  // The strategy's own default workload: random draws the protocol's pre-issue-11 base (strategyWorkload).
  const workload = strategyWorkload(base.protocol, strategy);
  // Guided's plain draws (its portfolio start) draw random's workload, as `faultline fuzz` passes them.
  const plainWorkload = strategy === 'guided' ? strategyWorkload(base.protocol, 'random') : undefined;
  const t0 = now();
  let runs = 0;
  for (let b = 0; ; b++) {
    let batchRuns = 0;
    let foundAt: number | undefined;
    try {
      const r = fuzz({
        scenario: base,
        runs: batchSize,
        seed: batchSeed(seed, b),
        strategy,
        shrink: shrinkBudget > 0,
        shrinkBudget,
        // The failing run has ended when its shrinking starts: the time to the failure excludes the shrinking.
        onShrink: () => {
          foundAt ??= now();
        },
        ...(workload ? { workload } : {}),
        ...(plainWorkload ? { plainWorkload } : {}),
        ...tuning,
        onProgress: (done) => {
          batchRuns = done;
          if (now() - t0 > budgetMs) throw new OutOfTime();
        },
      });
      const f = r.failures[0];
      if (f) {
        const faults = f.scenario.faults.timeline.filter((x) => x.kind !== 'quiesce').length;
        return { found: true, seconds: ((foundAt ?? now()) - t0) / 1000, runs: runs + f.run + 1, invariant: f.violation.invariant, ...(shrinkBudget > 0 ? { shrunkFaults: faults } : {}) };
      }
      runs += r.runs;
    } catch (err) {
      if (!(err instanceof OutOfTime)) throw err;
      return { found: false, seconds: budgetMs / 1000, runs: runs + batchRuns, invariant: undefined };
    }
    if (now() - t0 > budgetMs) return { found: false, seconds: budgetMs / 1000, runs, invariant: undefined };
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

export const searchBench: BenchCase = {
  name: 'search',
  description: 'time to the first failure per planted bug, guided vs targeted vs random search (median over campaign seeds; a miss counts as the budget)',
  notInAll: true,
  run(opts) {
    const budgetText = typeof opts.budget === 'string' ? opts.budget : opts.quick ? '10s' : '60s';
    const budgetUs = parseDuration(budgetText);
    if (budgetUs === undefined || budgetUs <= 0) throw new RangeError(`--budget: expected a duration such as 60s (got "${budgetText}")`);
    const budgetMs = budgetUs / 1000;
    const seeds = positiveInt(opts.seeds, 'seeds', 3);
    // --shrink N: also shrink each first failure (N runs at most) and report its fault count.
    const shrinkBudget = opts.shrink === undefined ? 0 : positiveInt(opts.shrink, 'shrink', 200);
    const only = typeof opts.bug === 'string' ? opts.bug.split(',').map((x) => x.trim()) : undefined;
    const bugs = plantedBugs().filter((b) => !only || only.includes(b.bug) || only.includes(`${b.protocol}.${b.bug}`) || only.includes(b.protocol));
    if (bugs.length === 0) throw new RangeError(`--bug: no planted bug matches "${String(opts.bug)}"; expected protocol, name or protocol.name`);
    // --strategies guided,random: only these (e.g. one process per strategy, in parallel, on two cores).
    const strategies = typeof opts.strategies === 'string' ? opts.strategies.split(',').map((x) => x.trim()).filter((x) => x !== '') : [...FUZZ_STRATEGIES];
    for (const k of strategies) if (!(FUZZ_STRATEGIES as readonly string[]).includes(k)) throw new RangeError(`--strategies: unknown strategy "${k}"; expected some of: ${FUZZ_STRATEGIES.join(', ')}`);
    if (strategies.length === 0) throw new RangeError(`--strategies: expected some of: ${FUZZ_STRATEGIES.join(', ')}`);
    const chosen = FUZZ_STRATEGIES.filter((k) => strategies.includes(k));
    // --clock cpu: time is this process's CPU time (user + system), not wall time: on a shared machine
    // the load changes how many runs fit in a wall-clock budget, hardly how many fit in a CPU budget.
    // On an otherwise idle machine the two agree (one worker, one thread), so cpu stands in for a quiet run.
    const clock = opts.clock ?? 'wall';
    if (clock !== 'wall' && clock !== 'cpu') throw new RangeError(`--clock: expected wall or cpu (got "${String(clock)}")`);
    const now = clock === 'cpu' ? (): number => { const c = process.cpuUsage(); return (c.user + c.system) / 1000; } : (): number => performance.now();
    const rows: Record<string, unknown>[] = [];
    const ratio = (slow: number, fast: number): number => +(slow / Math.max(fast, 1e-3)).toFixed(2);
    for (const { protocol, bug } of bugs) {
      const base = parseScenario({ name: `${protocol}-fuzz`, description: `bench search: ${protocol} ${bug}`, protocol, config: { bugs: { [bug]: true } }, duration: '5s' });
      const by: Partial<Record<FuzzStrategy, SearchResult[]>> = {};
      for (const k of chosen) by[k] = [];
      // Warm-up (not measured): the JIT sees this protocol's code, and each measured strategy's own paths (guided's
      // coverage observers, mutations and branches; random's plain generator), before any strategy is timed, so
      // the first campaign of a process does not pay for compiling what the others get compiled.
      for (const k of chosen) {
        const w = strategyWorkload(protocol, k);
        fuzz({ scenario: base, runs: 6, strategy: k, shrink: false, seed: 0x7a11, maxFailures: 6, keepGoing: true, ...(w ? { workload: w } : {}) });
      }
      for (let s = 1; s <= seeds; s++) {
        // Rotate which strategy goes first, so machine noise hits all alike.
        const order = chosen.map((_, i) => chosen[(i + s) % chosen.length] as FuzzStrategy);
        for (const strategy of order) {
          const r = firstFailure(base, strategy, s, budgetMs, now, shrinkBudget);
          by[strategy]?.push(r);
          // One line per campaign as it ends (the whole table takes long): stderr, so --json stays one line per bug on stdout.
          process.stderr.write(`search: ${protocol}.${bug} ${strategy} seed ${s}: ${r.found ? `found at run ${r.runs} in ${r.seconds.toFixed(1)} s (${r.invariant ?? '?'})` : `missed (${r.runs} runs in ${r.seconds.toFixed(1)} s)`}\n`);
        }
      }
      const got = (k: FuzzStrategy): SearchResult[] => by[k] ?? [];
      const sec = (k: FuzzStrategy): number => median(got(k).map((r) => r.seconds));
      const runsOf = (k: FuzzStrategy): number => median(got(k).map((r) => r.runs));
      const row: Record<string, unknown> = { protocol, bug };
      for (const k of chosen) {
        row[`${k}_median_s`] = +sec(k).toFixed(2);
        row[`${k}_found`] = `${got(k).filter((x) => x.found).length}/${seeds}`;
        row[`${k}_runs`] = got(k).map((x) => (x.found ? x.runs : null));
        row[`${k}_median_runs`] = runsOf(k);
      }
      // The issue's floor is guided against the plain random generator; guided against targeted is what the corpus adds.
      if (by.guided && by.random) row.guided_vs_random = ratio(sec('random'), sec('guided'));
      if (by.guided && by.targeted) row.guided_vs_targeted = ratio(sec('targeted'), sec('guided'));
      row.invariant = chosen.map((k) => got(k).find((x) => x.found)?.invariant).find((x) => x !== undefined) ?? null;
      if (shrinkBudget > 0) for (const k of chosen) row[`${k}_shrunk_faults`] = got(k).map((x) => x.shrunkFaults ?? null);
      rows.push(row);
      process.stderr.write(`search: ${JSON.stringify(row)}\n`);
    }
    const raft = rows.filter((x) => x.protocol === 'raft');
    const sum = (xs: Record<string, unknown>[], k: string): number => xs.reduce((a, x) => a + (x[k] as number), 0);
    const out: Record<string, unknown> = { budget_s: budgetMs / 1000, clock, seeds, strategies: chosen, bugs: rows };
    if (chosen.includes('guided')) out.guided_found_all = rows.every((x) => x.guided_found === `${seeds}/${seeds}`);
    // Over the Raft bugs: the median of the per-bug ratios and the ratio of the summed medians, against both baselines.
    for (const k of ['random', 'targeted'] as const) {
      if (!chosen.includes('guided') || !chosen.includes(k) || raft.length === 0) continue;
      out[`raft_median_guided_vs_${k}`] = median(raft.map((x) => x[`guided_vs_${k}`] as number));
      out[`raft_total_guided_vs_${k}`] = ratio(sum(raft, `${k}_median_s`), sum(raft, 'guided_median_s'));
    }
    return out;
  },
};
