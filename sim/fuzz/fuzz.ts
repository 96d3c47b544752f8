// Fuzz campaigns: draw runs (seed, fault schedule, workload) with fast-check,
// run each one, and let fast-check shrink the first failing run to a minimal
// fault schedule and workload. Pure: no files, no clock. The CLI (`faultline
// fuzz`) splits a long campaign into deterministic batches of fuzz() calls and
// writes the failing traces.

import fc from 'fast-check';
import type { TimedFault } from '../engine/config.ts';
import { isSymbolicTarget } from '../engine/targets.ts';
import { MemorySink } from '../engine/trace.ts';
import type { NodeId, Violation } from '../engine/types.ts';
import { parseScenario, prepareRun } from '../scenario/resolve.ts';
import { runPrepared, type ScenarioResult } from '../scenario/run.ts';
import type { Scenario } from '../scenario/schema.ts';
import { getProtocol } from '../protocols/registry.ts';
import { dropOrphanedFaults, fuzzCaseArb, mergeConfig, type FaultGenOptions, type FuzzCase, type WorkloadArb } from './arbitraries.ts';

export interface FuzzOptions {
  /** A parsed base scenario (parseScenario from sim/scenario/resolve.ts). */
  scenario: Scenario;
  /** The budget. */
  runs: number;
  /** fast-check seed; fixed default, so tests are deterministic. */
  seed?: number;
  /** Kinds and counts of generated faults (default: all kinds, server nodes). */
  faults?: FaultGenOptions;
  /** Also keep the base scenario's own faults: its timeline, and its nemesis expanded for each run's seed into explicit faults. */
  keepFaults?: boolean;
  /** fast-check replay path (with `seed`): start from the case a previous failure's `fastCheck.path` names. */
  path?: string;
  /** Default true. */
  shrink?: boolean;
  /** Most runs spent shrinking one failure (default 500); past it, the smallest failing run found so far is reported. */
  shrinkBudget?: number;
  /** Called after each run of the budget (not during shrinking). */
  onProgress?: (done: number, violations: number) => void;
  /** The protocol's workload: an arbitrary patch of the scenario config, shrunk along with the faults. */
  workload?: WorkloadArb;
  /** Where the replay command says the failing trace is (default traces/fuzz); the CLI writes it there. */
  traceDir?: string;
}

export interface FuzzFailure {
  /** Simulation seed of the failing run. */
  seed: string;
  /** The shrunk scenario: explicit timeline, no nemesis. */
  scenario: Scenario;
  /** First violation of the shrunk run. */
  violation: Violation;
  /** One command line that replays it exactly (once the CLI or writeFailureTrace has written the trace). */
  replay: string;
  /** The trace file the replay command names. */
  tracePath: string;
  /** fast-check's own coordinates of the shrunk case: fuzz() with `seed` and this `path` replays it without searching. */
  fastCheck: { seed: number; path: string };
}

export interface FuzzReport {
  runs: number;
  violations: number;
  failures: FuzzFailure[];
}

/** Default fast-check seed: fixed, so a campaign is a pure function of its options. */
export const DEFAULT_FUZZ_SEED = 0x5eed;

/** Node ids of the base scenario's cluster, and the ones faults hit by default (servers, else all). */
export function clusterOf(base: Scenario): { nodes: NodeId[]; targets: NodeId[] } {
  const prepared = prepareRun({ ...base, faults: { timeline: [] } });
  const nodes = prepared.nodes.map((n) => n.id);
  const servers = prepared.nodes.filter((n) => n.role === 'server').map((n) => n.id);
  return { nodes, targets: servers.length > 0 ? servers : nodes };
}

/** The scenario one fuzz case describes: the base with the drawn seed, config patch and an explicit timeline. */
export function caseScenario(base: Scenario, c: FuzzCase, keepFaults = false): Scenario {
  let config = base.config;
  if (Object.keys(c.workload).length > 0) {
    const protocol = getProtocol(base.protocol);
    if (!protocol) throw new Error(`unknown protocol "${base.protocol}"`);
    const parsed = protocol.configSchema.safeParse(mergeConfig(base.config, c.workload));
    if (!parsed.success) throw new Error(`the workload arbitrary produced a config ${base.protocol} rejects: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    config = parsed.data as Record<string, unknown>;
  }
  // The base's own faults as the run with this seed would have them: timeline plus expanded nemesis, made explicit.
  const own = keepFaults ? prepareRun({ ...base, seed: c.seed }).timeline : [];
  let faults = [...own, ...c.faults];
  if (config !== base.config) {
    // The workload may have shrunk the cluster: drop what the faults say about nodes that are gone.
    const ids = new Set(clusterOf({ ...base, config }).nodes);
    faults = dropOrphanedFaults(faults.flatMap((f) => pruneFault(f, ids)));
  }
  const timeline = faults.map((f, i) => ({ f, i })).sort((a, b) => a.f.at - b.f.at || a.i - b.i).map((x) => ({ ...x.f }));
  const { nemesis: _dropped, ...faultsWithoutNemesis } = base.faults;
  return {
    ...base,
    seed: c.seed,
    config,
    faults: { ...faultsWithoutNemesis, timeline: timeline as Scenario['faults']['timeline'] },
    stopOnViolation: true,
  };
}

/** A fault restricted to the nodes in `ids`: none when it names a missing node, smaller groups for a partition. */
function pruneFault(f: TimedFault, ids: ReadonlySet<NodeId>): TimedFault[] {
  // Role and label targets (`@leader`, `$x`) are resolved when the fault fires: they stay.
  const has = (id: NodeId): boolean => isSymbolicTarget(id) || ids.has(id);
  if (f.kind === 'partition') {
    if (!('groups' in f)) return has(f.around) ? [f] : [];
    const groups = f.groups.map((g) => g.filter(has)).filter((g) => g.length > 0);
    return groups.length >= 2 ? [{ ...f, groups }] : [];
  }
  if (f.kind === 'block') return has(f.from) && has(f.to) ? [f] : [];
  return 'node' in f && !has(f.node) ? [] : [f];
}

/** Run a scenario in memory; with `trace`, also collect the trace text. */
export function runScenario(s: Scenario, opts: { trace?: boolean } = {}): ScenarioResult & { trace?: string } {
  const prepared = prepareRun(s);
  if (!opts.trace) return runPrepared(prepared, { hash: false });
  const sink = new MemorySink();
  const result = runPrepared(prepared, { trace: sink });
  return { ...result, trace: sink.text() };
}

/** `<dir>/<name>.jsonl`; the failing scenario's name already carries the seed. */
export function failureTracePath(s: Scenario, traceDir = 'traces/fuzz'): string {
  return `${traceDir.replace(/\/+$/, '')}/${s.name}.jsonl`;
}

export function fuzz(opts: FuzzOptions): FuzzReport {
  const base = opts.scenario;
  const keep = opts.keepFaults ?? false;
  if (!Number.isInteger(opts.runs) || opts.runs < 0) throw new RangeError(`runs must be a non-negative integer (got ${opts.runs})`);
  if (opts.runs === 0) return { runs: 0, violations: 0, failures: [] };
  const { nodes, targets } = clusterOf(base);
  // Episodes may aim at the protocol's roles and start on its triggers (sim/protocols/<p>/targets.ts).
  const protocol = getProtocol(base.protocol);
  const arb = fuzzCaseArb(nodes, base.duration, {
    faults: { nodes: targets, roles: Object.keys(protocol?.roles ?? {}), triggers: Object.keys(protocol?.triggers ?? {}), ...opts.faults },
    ...(opts.workload ? { workload: opts.workload } : {}),
  });

  let done = 0;
  let violations = 0;
  let shrinking = false;
  let shrinkRuns = 0;
  const shrinkBudget = opts.shrinkBudget ?? 500;
  const property = fc.property(arb, (c) => {
    // Out of shrinking budget: call every further candidate a pass, so fast-check settles on the smallest failure so far.
    if (shrinking && shrinkRuns++ >= shrinkBudget) return true;
    const violated = runScenario(caseScenario(base, c, keep)).violations.length > 0;
    if (!shrinking) {
      done++;
      if (violated) {
        violations++;
        shrinking = true;
      }
      opts.onProgress?.(done, violations);
    }
    return !violated;
  });
  const details = fc.check(property, {
    numRuns: opts.runs,
    seed: opts.seed ?? DEFAULT_FUZZ_SEED,
    endOnFailure: opts.shrink === false,
    ...(opts.path !== undefined ? { path: opts.path } : {}),
  });
  if (!details.failed) return { runs: done, violations, failures: [] };
  const shrunk = details.counterexample?.[0];
  if (shrunk === undefined) {
    // The property threw instead of returning false: a bug outside any node's handler. Keep its stack.
    throw details.errorInstance instanceof Error ? details.errorInstance : new Error(String(details.errorInstance));
  }
  const scenario = caseScenario(base, shrunk, keep);
  let violation: Violation | undefined;
  try {
    // Hashed, so the violation carries the seq numbers its trace will have.
    violation = runPrepared(prepareRun(scenario), { hash: true }).violations[0];
  } catch (err) {
    // Not a violation: something threw outside the nodes' handlers (the engine, a checker, the workload). Say which run.
    const what = err instanceof Error ? err.message : String(err);
    throw new Error(`fuzz: run with seed ${shrunk.seed} and faults ${JSON.stringify(scenario.faults.timeline)} threw: ${what}`, { cause: err });
  }
  if (!violation) throw new Error(`fuzz: the shrunk run (seed ${shrunk.seed}) no longer fails: the simulation is not deterministic`);
  // Through the schema once more, so the scenario is in the canonical form a replay reads back from the trace header.
  // Named <base>-<seed>, so that written out as <name>.json it is a scenario file ready for scenarios/ (a regression test).
  const failing: Scenario = parseScenario(
    JSON.parse(
      JSON.stringify({
        ...scenario,
        name: `${base.name}-${shrunk.seed}`,
        description: `Fuzz failure of ${base.name}, shrunk: ${violation.invariant}`,
        expect: { violation: violation.invariant },
      }),
    ),
  );
  const tracePath = failureTracePath(failing, opts.traceDir);
  return {
    runs: done,
    violations,
    failures: [
      {
        seed: shrunk.seed,
        scenario: failing,
        violation,
        replay: `npx faultline replay ${tracePath}`,
        tracePath,
        fastCheck: { seed: details.seed, path: details.counterexamplePath ?? '' },
      },
    ],
  };
}
