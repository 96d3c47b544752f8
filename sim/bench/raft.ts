// `faultline bench raft` (issue 5): 5 Raft servers, election timeout 150-300 ms,
// heartbeat 50 ms, 3 closed-loop clients (10 ms think time) doing puts and gets
// on 100 keys, latency uniform 1-10 ms, 1% loss, 60 simulated seconds, with every
// Figure 3 invariant checked after every event and the history checked for
// linearizability at the end. Baseline: the same run (same seed, so the same
// events) with no checkers, in the same process; the ratio is the cost of checking
// (checked_vs_baseline_cpu, the median over 12 interleaved rounds of each round's CPU ratio, with
// its quartiles and extremes over the rounds as _q1, _q3, _lowest, _highest;
// always_vs_baseline_cpu: only the checkers run after every event).
// Also runs_per_cpu_s: runs per CPU second of the default Raft fuzz campaign
// (`--fuzz-runs`, default 60 runs, no shrinking).

import { performance } from 'node:perf_hooks';
import { Simulation, type RunResult } from '../engine/simulation.ts';
import { fuzz } from '../fuzz/fuzz.ts';
import { raft } from '../protocols/raft/protocol.ts';
import { prepareRun, parseScenario } from '../scenario/resolve.ts';
import type { ScenarioInput } from '../scenario/schema.ts';
import { atOrFail } from '../engine/assert.ts';
import { positiveInt, type BenchCase } from './case.ts';

/** The q-quantile (0..1) of a non-empty list, interpolated between neighbours (q = 0.5: the median). */
function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  const at = q * (s.length - 1);
  const lo = Math.floor(at);
  const hi = Math.min(lo + 1, s.length - 1);
  return atOrFail(s, lo, 'quantile') + (at - lo) * (atOrFail(s, hi, 'quantile') - atOrFail(s, lo, 'quantile'));
}

function median(xs: readonly number[]): number {
  return quantile(xs, 0.5);
}

export function raftBenchScenario(seconds: number): ScenarioInput {
  return {
    name: 'raft-bench',
    description: 'raft benchmark',
    protocol: 'raft',
    config: {
      servers: 5,
      clients: 3,
      electionTimeout: { min: '150ms', max: '300ms' },
      heartbeat: '50ms',
      snapshotEvery: 1000,
      client: { thinkTime: '10ms', keys: 100, mix: { get: 1, put: 1, append: 0, cas: 0 } },
    },
    duration: `${seconds}s`,
    network: { latency: { kind: 'uniform', min: '1ms', max: '10ms' }, loss: 0.01 },
  };
}

/**
 * isolate: false skips the engine's isolation of every message and published
 * state. Safe for Raft: messages are built fresh for each send, log entries and
 * client operations are never mutated after creation, and snapshots are copied
 * when restored. Isolation is reported separately: the default (deep-freeze and share,
 * isolated_sim_s_per_wall_s) and the deep copy (copied_sim_s_per_wall_s), best of three
 * each, interleaved, with their ratio (freeze_vs_copy, > 1: freezing is faster).
 */
function runOnce(seconds: number, checked: boolean | 'always', seed: string, isolate: boolean | 'freeze' | 'copy' = false): { result: RunResult; wall: number; cpu: number } {
  const run = prepareRun(parseScenario(raftBenchScenario(seconds)), { seed });
  const checkers = checked === 'always' ? run.checkers.filter((c) => c.when === 'always') : checked ? run.checkers : [];
  const sim = new Simulation({ seed: run.seed, nodes: run.nodes, config: run.engine, faults: run.timeline, checkers, isolate });
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const result = sim.run(run.scenario.duration);
  const c = process.cpuUsage(c0);
  return { result, wall: (performance.now() - t0) / 1000, cpu: (c.user + c.system) / 1e6 };
}

/** Measured rounds: each runs the baseline, the checked run and the always-only run once, in an order that alternates. */
const ROUNDS = 12;
/** Warm-up runs (5 simulated s) of each variant before the measured rounds ... */
const WARMUP = 4;
/**
 * ... and full-length ones: a 5 s run has too few overlapping operations for the linearizability
 * search to run much, so without these its code is still cold (interpreted) in the first measured
 * rounds: 40-57 ms for the first 60 s checks against 7-13 ms warm, as in a fuzz campaign's later runs.
 */
const WARMUP_FULL = 2;

/**
 * The default Raft fuzz campaign (`faultline fuzz raft`: the raft protocol's default config, 5 s runs,
 * its fuzz workload, guided search, every checker on), `runs` runs without shrinking, in this process:
 * runs per CPU second (more runs per second is more search).
 */
function fuzzCampaign(runs: number): { runs: number; cpu: number } {
  const scenario = parseScenario({ name: 'raft-fuzz', description: 'fuzz campaign over raft with its default config', protocol: 'raft', duration: '5s' });
  const c0 = process.cpuUsage();
  const report = fuzz({ scenario, runs, seed: 1, shrink: false, ...(raft.fuzzWorkload ? { workload: raft.fuzzWorkload } : {}) });
  const c = process.cpuUsage(c0);
  return { runs: report.runs, cpu: (c.user + c.system) / 1e6 };
}

export const raftBench: BenchCase = {
  name: 'raft',
  description: 'Raft KV: 5 servers, 3 clients, 100 keys, 1-10 ms latency, 1% loss, 60 simulated s, every invariant after every event (baseline: same run, no checkers)',
  run(opts) {
    const seconds = positiveInt(opts.seconds, 'seconds', 60);
    const fuzzRuns = positiveInt(opts['fuzz-runs'], 'fuzz-runs', 60);
    const seed = typeof opts.seed === 'string' ? opts.seed : 'raft-bench';
    // Warm-up of every variant (JIT: the end-of-run linearizability check runs once per run, so one
    // warm-up run leaves it cold; a fuzz campaign runs it hundreds of times in one process), then
    // interleaved rounds, alternating the order (baseline, checked, always; then always, checked,
    // baseline). The ratios are medians over the rounds of each round's own ratio: on a shared
    // machine the load drifts, and runs next to each other see about the same load, so a round's
    // ratio is fair where the fastest runs of each variant may come from different moments.
    for (let i = 0; i < WARMUP + WARMUP_FULL; i++) {
      const length = i < WARMUP ? 5 : seconds;
      runOnce(length, true, seed);
      runOnce(length, false, seed);
      runOnce(length, 'always', seed);
    }
    const bases: ReturnType<typeof runOnce>[] = [];
    const checks: ReturnType<typeof runOnce>[] = [];
    const always: ReturnType<typeof runOnce>[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      if (i % 2 === 0) bases.push(runOnce(seconds, false, seed));
      else always.push(runOnce(seconds, 'always', seed));
      checks.push(runOnce(seconds, true, seed));
      if (i % 2 === 0) always.push(runOnce(seconds, 'always', seed));
      else bases.push(runOnce(seconds, false, seed));
    }
    const ratios = (of: ReturnType<typeof runOnce>[]) => bases.map((b, i) => b.cpu / atOrFail(of, i, 'round').cpu);
    const medianRatio = (of: ReturnType<typeof runOnce>[]) => median(ratios(of));
    const checkedRatios = ratios(checks);
    const fastest = (rs: ReturnType<typeof runOnce>[]) => rs.reduce((a, b) => (b.wall < a.wall ? b : a));
    const base = fastest(bases);
    const checked = fastest(checks);
    const frozen: ReturnType<typeof runOnce>[] = [];
    const copied: ReturnType<typeof runOnce>[] = [];
    for (let i = 0; i < 3; i++) {
      frozen.push(runOnce(seconds, true, seed, 'freeze'));
      copied.push(runOnce(seconds, true, seed, 'copy'));
    }
    const isolated = fastest(frozen);
    const copy = fastest(copied);
    const campaign = fuzzCampaign(fuzzRuns);
    const r = checked.result;
    const sim = r.stats.endTime / 1e6;
    return {
      simulated_s: sim,
      steps: r.stats.steps,
      messages_sent: r.stats.messages.sent,
      operations_ok: r.stats.operations.ok,
      violations: r.violations.map((v) => v.invariant),
      runs_each: ROUNDS,
      wall_s_checked: +checked.wall.toFixed(3),
      wall_s_baseline: +base.wall.toFixed(3),
      sim_s_per_wall_s: Math.round(sim / checked.wall),
      // On a shared machine wall time includes waiting for a core; CPU time does not.
      sim_s_per_cpu_s: Math.round(sim / Math.min(...checks.map((c) => c.cpu))),
      messages_per_wall_s: Math.round(r.stats.messages.sent / checked.wall),
      baseline_sim_s_per_wall_s: Math.round(base.result.stats.endTime / 1e6 / base.wall),
      checked_vs_baseline: +(base.wall / checked.wall).toFixed(3),
      // Median over the rounds of baseline CPU / checked CPU (see above); the ratio of the fastest runs as well.
      checked_vs_baseline_cpu: +medianRatio(checks).toFixed(3),
      // The spread of the rounds' ratios: their quartiles (half the rounds lie between) and extremes.
      checked_vs_baseline_cpu_q1: +quantile(checkedRatios, 0.25).toFixed(3),
      checked_vs_baseline_cpu_q3: +quantile(checkedRatios, 0.75).toFixed(3),
      checked_vs_baseline_cpu_lowest: +Math.min(...checkedRatios).toFixed(3),
      checked_vs_baseline_cpu_highest: +Math.max(...checkedRatios).toFixed(3),
      checked_vs_baseline_cpu_min: +(Math.min(...bases.map((c) => c.cpu)) / Math.min(...checks.map((c) => c.cpu))).toFixed(3),
      // The same with only the checkers run after every event (no end-of-run history check): the per-event cost.
      always_vs_baseline_cpu: +medianRatio(always).toFixed(3),
      isolated_sim_s_per_wall_s: Math.round(isolated.result.stats.endTime / 1e6 / isolated.wall),
      copied_sim_s_per_wall_s: Math.round(copy.result.stats.endTime / 1e6 / copy.wall),
      freeze_vs_copy: +(copy.wall / isolated.wall).toFixed(3),
      floor_sim_s_per_wall_s: 100,
      fuzz_runs: campaign.runs,
      runs_per_cpu_s: +(campaign.runs / campaign.cpu).toFixed(2),
    };
  },
};
