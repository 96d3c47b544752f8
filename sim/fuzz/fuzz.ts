// Fuzz campaigns: draw runs (seed, fault schedule, workload) with fast-check,
// run each one, and shrink every failing run (up to `maxFailures`) to a minimal
// fault schedule and workload with fast-check. Two strategies: `random` draws
// every run afresh from the arbitrary; `guided` (the default) also keeps a
// corpus of runs that reached abstract states not seen before and spends part
// of the budget mutating them (sim/fuzz/guided.ts). Pure: no files, no clock.
// The CLI (`faultline fuzz`) splits a long campaign into deterministic batches
// of fuzz() calls and writes the failing traces.

import fc from 'fast-check';
import type { TimedFault } from '../engine/config.ts';
import { rootRng } from '../engine/random.ts';
import { isSymbolicTarget } from '../engine/targets.ts';
import { MemorySink } from '../engine/trace.ts';
import type { Micros, NodeId, Violation } from '../engine/types.ts';
import { EngineLimitError, type EngineLimits } from '../engine/limits.ts';
import { TimeStalledError } from '../engine/queue.ts';
import { InputError, RunRefusedError } from '../scenario/errors.ts';
import { parseScenario, prepareRun, type PreparedRun } from '../scenario/resolve.ts';
import { RunCutError, runPrepared, type ScenarioResult } from '../scenario/run.ts';
import type { Scenario } from '../scenario/schema.ts';
import { getProtocol } from '../protocols/registry.ts';
import { dropOrphanedFaults, episodeArb, episodesArb, episodesToTimeline, mergeConfig, PLAIN_FAULT_KINDS, priorRareKinds, resolveFaultGen, seedArb, type FaultEpisode, type FaultGenOptions, type FuzzCase, type ResolvedFaultGen, type WorkloadArb } from './arbitraries.ts';
import { branch, coverageFinal, coverageObserver, havocAfterCut, traceEdgeObserver, triggerContextObserver, FOCUS_PICKS, mutate, openingCase, openingPlan, pickEntry, rarity, SPAN_SHARES, spanDuration, WINDOW_SHARES, windowEnd, type CorpusEntry, type EpisodeCase, type RunCoverage } from './guided.ts';

/**
 * `random`: the plain baseline (issue 11's "random generator"): every run drawn afresh, episodes at random
 * times on random named nodes, no roles, no triggers, no corpus. `targeted`: every run drawn afresh from the
 * targeted generator (role targets, protocol triggers, short and long episodes), no corpus. `guided` (the
 * default): the targeted generator plus a corpus of runs that reached new coverage, mutated and branched.
 * All three draw the same workload, swarm of kinds and fault-window shares: only the search differs.
 */
export type FuzzStrategy = 'random' | 'targeted' | 'guided';
export const FUZZ_STRATEGIES: readonly FuzzStrategy[] = ['random', 'targeted', 'guided'];

export interface FuzzOptions {
  /** A parsed base scenario (parseScenario from sim/scenario/resolve.ts). */
  scenario: Scenario;
  /** The budget: runs with a valid config (a drawn workload the protocol's config rules reject is redrawn, not run). */
  runs: number;
  /** fast-check seed; fixed default, so tests are deterministic. */
  seed?: number;
  /** Search strategy (default `guided`). */
  strategy?: FuzzStrategy;
  /** Kinds and counts of generated faults (default: all kinds, server nodes, swarm on). */
  faults?: FaultGenOptions;
  /** Also keep the base scenario's own faults: its timeline, and its nemesis expanded for each run's seed into explicit faults. */
  keepFaults?: boolean;
  /** fast-check replay path (with `seed`): start from the case a previous failure's `fastCheck.path` names (random draws only, stops at the first failure). */
  path?: string;
  /** Default true. */
  shrink?: boolean;
  /** Most runs spent shrinking one failure (default 500); past it, the smallest failing run found so far is reported. */
  shrinkBudget?: number;
  /** Failures shrunk and reported (default 1). Later violations are counted, not shrunk. */
  maxFailures?: number;
  /** Run the whole budget even after `maxFailures` failures (default false: stop there, as fast-check does). */
  keepGoing?: boolean;
  /**
   * Checked before each run of the budget: true ends the batch there, as if its budget were the runs made
   * (`report.runs`). The runs made are the same as the full batch's first ones, so the report is a prefix of
   * it. The CLI passes a flag its clock sets when `--time` is up, so a big guided batch does not overrun.
   * Also checked before each shrinking run: true ends the shrinking there, and the failure is reported as the
   * smallest failing run found so far, with `shrinkCut: true` (it still replays: it is re-run when reported).
   */
  stop?: () => boolean;
  /** Called after each run of the budget (not during shrinking), with the distinct abstract states reached so far. */
  onProgress?: (done: number, violations: number, states: number) => void;
  /** Called before each run of the budget (not during shrinking): its 0-based index and simulation seed. */
  onRunStart?: (run: number, seed: string) => void;
  /** Called after each shrinking run: runs used so far of the budget. */
  onShrink?: (used: number, budget: number) => void;
  /** The protocol's workload: an arbitrary patch of the scenario config, shrunk along with the faults. */
  workload?: WorkloadArb;
  /** Guided: also take generic coverage from the trace (per-node pairs of successive event kinds; see traceEdgeObserver in guided.ts). Default true. */
  traceEdges?: boolean;
  /** Guided: stack 1-4 suffix mutations on half the branch mutants (havocAfterCut in guided.ts). Default true. */
  branchHavoc?: boolean;
  /**
   * Guided: fault contexts from the protocol's triggers (`crash@log-truncated`: a fault paired with each trigger
   * that fired at its node shortly before; triggerContextObserver in guided.ts). Default false: on by default it
   * slowed the planted raft bugs (6,231 -> 6,398+ runs over five bugs x ten seeds, one miss) and did not find
   * raft truncatedTailNotDeleted more often (1 of 8 seeds either way): sim/fuzz/README.md, session 15 (search3).
   */
  triggerContexts?: boolean;
  /**
   * Guided: the share (0-1) of fresh draws made as the `random` strategy draws (plain generator, whole
   * window, `plainWorkload`): the portfolio start, so guided's fresh draws find what plain draws find.
   * Default PLAIN_SHARE; 0 turns it off.
   */
  plainShare?: number;
  /**
   * Guided: the systematic opening (openingPlan, openingCase in guided.ts), as the share (0-1) of a batch's fresh
   * draws that are instead its cells while the plan lasts: one short run per protocol trigger x fault kind, the
   * fault started on the trigger at its node, in an order drawn from the batch seed. Default OPENING_SHARE; 0 off.
   */
  opening?: number;
  /** Guided: the workload of the plain draws (default `workload`; the CLI and the bench pass random's, strategyWorkload). */
  plainWorkload?: WorkloadArb;
  /**
   * Targeted and guided: swarm over run length (EpisodeCase.span, SPAN_SHARES in guided.ts): each run lasts its
   * whole duration or a drawn shorter one (fault window scaled, calm after the quiesce kept). Default false:
   * measured in session 8 (sim/fuzz/README.md), it made the safety bugs' runs cheaper and the liveness bugs' searches
   * longer, no net gain; off, the draws are the same as without the option.
   */
  spans?: boolean;
  /** Where the replay command says the failing trace is (default traces/fuzz); the CLI writes it there. */
  traceDir?: string;
  /**
   * Refused runs (see FuzzRefusal) shrunk and reported (default 1); later ones are counted (`report.refused`).
   * A refusal never ends the batch: it is not a violation.
   */
  maxRefusals?: number;
  /** The engine's bounds for every run (default the engine's DEFAULT_LIMITS; tests lower them). A run past one is refused. */
  limits?: Partial<Omit<EngineLimits, 'steps'>>;
  /**
   * Invariants (checker names) that already have a shrunk counterexample (the CLI passes those of the failures
   * earlier batches of the campaign wrote). With shrinking on, a failing run of one of them, or of one this call
   * already shrank, is a repeat (FuzzRepeat): counted and kept for replay, not shrunk, not a failure (it does not
   * use up `maxFailures`), so the budget goes to search rather than a second shrink of the same property.
   */
  shrunkInvariants?: readonly string[];
  /** Shrink every reported failure, repeats included (up to `maxFailures`), as before session 13. Default false. */
  shrinkRepeats?: boolean;
}

/**
 * A failing run of an invariant that already had a shrunk counterexample (FuzzOptions.shrunkInvariants): not shrunk.
 * Replayable as its run of the batch: `fuzz()` with the same options and `runs: run + 1` makes it again,
 * `fastCheck` (a fresh draw) replays it alone, and `scenario` (any origin, a mutant's too) is the run itself:
 * `runScenario(scenario)` fails with `invariant` (the CLI writes it with its trace and a `faultline replay` line).
 */
export interface FuzzRepeat {
  /** 0-based run of the batch. */
  run: number;
  /** Simulation seed of the run. */
  seed: string;
  /** Its first violation's invariant and message. */
  invariant: string;
  message: string;
  origin: 'drawn' | 'mutant';
  fastCheck?: { seed: number; path: string };
  /** The run as it ran, unshrunk: explicit timeline, no nemesis, named <base>-repeat-<seed> (a failure's name stays its own), expecting the violation of `invariant`. */
  scenario: Scenario;
}

/** Repeats kept in `report.repeated` per batch (the rest are counted in `report.repeats`). */
export const REPEATS_KEPT = 20;

/**
 * A run the engine refused (RunRefusedError): it exceeded one of the engine's bounds (the event queue's
 * 5,000,000 events: a message storm; a paused node's held events, ...), its virtual time stopped advancing,
 * or it reached the step limit. Not a violation of a protocol property: the run cannot be simulated in
 * bounded memory, which is worth showing the user (a storm of sends often is a protocol bug: no flow control,
 * every message answered twice) but is judged by no checker. Counted (`report.refused`), kept like a failure
 * (shrunk by the predicate "refused at the same bound", `REFUSAL_SHRINK_BUDGET` runs at most) and replayable:
 * `runScenario(scenario)` / `faultline run` on it is refused again, with the same message.
 */
export interface FuzzRefusal {
  /** Simulation seed of the refused run. */
  seed: string;
  /** The shrunk scenario: explicit timeline, no nemesis; running it is refused the same way. */
  scenario: Scenario;
  /** Which bound: a key of the engine's EngineLimits (`queuedEvents`, `pausedEvents`, ..., `steps`), `time-stalled`, or `other`. */
  limit: string;
  /** The bound's value (absent for `time-stalled` and `other`). */
  bound?: number;
  /** Virtual time (µs) of the refusal in the shrunk run. */
  t: Micros;
  /** The engine's message, as `faultline run` prints it. */
  reason: string;
  /** 0-based run of the batch at which it was found. */
  run: number;
  origin: 'drawn' | 'mutant';
  /** True when `stop` cut its shrinking short. */
  shrinkCut?: boolean;
}

/** Most runs spent shrinking one refused run (each may run up to the engine's bound: a 5 M-event queue costs seconds). */
export const REFUSAL_SHRINK_BUDGET = 40;

/** Which bound refused a run, or undefined when `err` is not a refusal (RunRefusedError, with the engine's error as its cause). */
export function refusalOf(err: unknown): { limit: string; bound?: number; t: Micros; reason: string } | undefined {
  if (!(err instanceof RunRefusedError)) return undefined;
  const cause = err.cause;
  if (cause instanceof EngineLimitError) return { limit: cause.limit, bound: cause.bound, t: cause.t, reason: err.message };
  if (cause instanceof TimeStalledError) return { limit: 'time-stalled', t: cause.t, reason: err.message };
  return { limit: 'other', t: 0, reason: err.message };
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
  /** 0-based run of the batch at which the failure was found. */
  run: number;
  /** `drawn`: a fresh draw of the generator (fast-check's stream); `mutant`: a mutation or branch of a corpus entry (guided). */
  origin: 'drawn' | 'mutant';
  /**
   * fast-check's own coordinates of the shrunk case, for a fresh draw: fuzz() with `seed` and this
   * `path` replays it without searching. Absent for a mutant (it is not on fast-check's stream; its
   * shrunk scenario replays it).
   */
  fastCheck?: { seed: number; path: string };
  /** True when `stop` (a campaign's `--time`) ended its shrinking early: the failure is the smallest found by then. */
  shrinkCut?: boolean;
}

export interface FuzzReport {
  runs: number;
  violations: number;
  failures: FuzzFailure[];
  /** Distinct abstract states reached (0 when the protocol declares no abstractState). */
  states: number;
  /** Distinct transitions between abstract states reached. */
  edges: number;
  /** The distinct abstract states, sorted (what a merge of shard reports unions). */
  stateSet: string[];
  /** Runs kept in the guided corpus (0 for random). */
  corpus: number;
  /** Draws whose config the protocol rejected: redrawn, not counted as runs. */
  skipped: number;
  /** Runs of the budget the engine refused (counted in `runs`, not in `violations`; see FuzzRefusal). */
  refused: number;
  /** The first `maxRefusals` of them, shrunk. */
  refusals: FuzzRefusal[];
  /** The run `stop` cut inside (index `run`, not counted in `runs`; simulation `seed`; `events` processed; virtual time `t`, us): the batch ended there. */
  cut?: { run: number; seed: string; events: number; t: Micros };
  /** Guided: distinct generic trace-edge features reached (traceEdgeObserver in guided.ts). */
  traceEdges?: number;
  /** Guided: mutants that were branches of a corpus entry (its prefix kept, a `reseed` at a cut near a rare feature). */
  branches?: number;
  /** Failing runs of invariants that already had a shrunk counterexample, not shrunk (FuzzRepeat; counted in `violations`). Present when shrinking is on. */
  repeats?: number;
  /** The first REPEATS_KEPT of them. */
  repeated?: FuzzRepeat[];
  /**
   * Checkers with a judging point (Checker.judged) that no run of this campaign reached: they passed
   * every run without checking anything (sorted names). A campaign merge keeps a name only when no part
   * judged it.
   */
  notJudged?: string[];
}

/**
 * The default workload a strategy draws for a protocol: `random`, the honest baseline, draws the protocol's
 * pre-issue-11 base workload (`fuzzWorkloadBase`, else `fuzzWorkload`); `targeted` and `guided` draw
 * `fuzzWorkload` (with its window-opening knobs). Undefined when the protocol has none.
 */
export function strategyWorkload(protocol: string, strategy: FuzzStrategy): WorkloadArb | undefined {
  const def = getProtocol(protocol);
  return strategy === 'random' ? (def?.fuzzWorkloadBase ?? def?.fuzzWorkload) : def?.fuzzWorkload;
}

/**
 * What a strategy's runs draw faults from: the resolved generator and the fault-window shares (percent).
 * `random` (the plain baseline as `faultline fuzz` was when issue 11 was filed): no roles, no triggers,
 * no swarm unless `faults.swarm` says so, the whole window (quiesce at `until`). `targeted` and `guided`:
 * the protocol's roles and triggers, swarm on unless `faults.swarm` is false, and (unless `faults.until`
 * fixes the window's end) a drawn window share, so liveness bounds fit after the quiesce. Unless `faults.kinds`
 * or `faults.rareKinds` is given, the rare kinds are DEFAULT_RARE_KINDS less those the protocol's fault prior
 * (`fuzzFaults.ordinary`) declares ordinary.
 */
export function strategyGen(base: Scenario, strategy: FuzzStrategy, faults: FaultGenOptions = {}, withSpans = false): { gen: ResolvedFaultGen; windows: readonly number[]; spans: readonly number[] } {
  const { nodes, targets } = clusterOf(base);
  const protocol = getProtocol(base.protocol);
  const random = strategy === 'random';
  // Episodes may aim at the protocol's roles and start on its triggers (sim/protocols/<p>/targets.ts); random never does.
  const plain = random ? { roles: [], triggers: [] } : {};
  // The protocol's fault prior (ProtocolDefinition.fuzzFaults): default kinds it declares ordinary are not rare
  // for its campaigns. Only when the caller names neither the kinds (then all are ordinary) nor the rare ones.
  const prior = faults.kinds === undefined && faults.rareKinds === undefined ? { rareKinds: priorRareKinds(protocol?.fuzzFaults) } : {};
  const gen = resolveFaultGen(
    // Random draws the pre-issue kinds (no slow links) unless `faults.kinds` names them.
    { nodes: targets, swarm: !random, ...(random ? { kinds: PLAIN_FAULT_KINDS } : {}), ...prior, roles: Object.keys(protocol?.roles ?? {}), triggers: Object.keys(protocol?.triggers ?? {}), ...faults, ...plain },
    nodes,
    base.duration,
  );
  const windows: readonly number[] = faults.until === undefined && !random ? WINDOW_SHARES : [100];
  // Swarm over run length (targeted and guided, when asked: FuzzOptions.spans): unless the caller fixed the fault
  // window, a run lasts its whole duration or a shorter one (SPAN_SHARES). Random keeps the whole duration (the baseline).
  const spans: readonly number[] = withSpans && faults.until === undefined && faults.from === undefined && !random && base.duration > 0 ? SPAN_SHARES : [100];
  return { gen, windows, spans };
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
    if (!parsed.success) throw new InvalidCaseError(`the workload arbitrary produced a config ${base.protocol} rejects: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
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
    ...(c.duration !== undefined ? { duration: c.duration } : {}),
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
  if (f.kind === 'slow' && f.to !== undefined && !has(f.to)) return [];
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

/** A drawn workload made a config the protocol rejects: not a run (fuzz() redraws it), never a protocol failure. */
export class InvalidCaseError extends Error {}

/**
 * The scenario of one case and its prepared run, or why the case is not a valid run: its config
 * fails the protocol's schema, names nodes that do not exist, or breaks a precondition a node's
 * constructor asserts (a config mistake is never a protocol violation).
 */
export function prepareCase(base: Scenario, c: FuzzCase, keepFaults = false): { scenario: Scenario; prepared: PreparedRun } | { problem: string } {
  const whole = prepareExactCase(base, c, keepFaults);
  if (!('problem' in whole)) return whole;
  // The patch clashes with the base's own settings (a per-server timeout shorter than the patched heartbeat,
  // preloads of servers the patch removes): keep the base's settings and drop the clashing part of the patch,
  // one top-level key at a time, in order; then more and more of them, in order (the base alone is valid).
  // The first valid config is the run. None valid: not a run.
  const keys = Object.keys(c.workload);
  for (const key of keys) {
    const { [key]: _dropped, ...rest } = c.workload;
    const fitted = prepareExactCase(base, { ...c, workload: rest }, keepFaults);
    if (!('problem' in fitted)) return fitted;
  }
  for (let n = 2; n < keys.length; n++) {
    const rest = Object.fromEntries(Object.entries(c.workload).filter(([k]) => !keys.slice(0, n).includes(k)));
    const fitted = prepareExactCase(base, { ...c, workload: rest }, keepFaults);
    if (!('problem' in fitted)) return fitted;
  }
  return whole;
}

function prepareExactCase(base: Scenario, c: FuzzCase, keepFaults: boolean): { scenario: Scenario; prepared: PreparedRun } | { problem: string } {
  let scenario: Scenario;
  let prepared: PreparedRun;
  try {
    scenario = caseScenario(base, c, keepFaults);
    prepared = prepareRun(scenario);
  } catch (err) {
    if (err instanceof InvalidCaseError || err instanceof InputError) return { problem: err.message };
    throw err;
  }
  if (scenario.config !== base.config) {
    const problem = startProblem(prepared);
    if (problem !== undefined) return { problem };
  }
  return { scenario, prepared };
}

/**
 * Why the nodes of a prepared run reject its config, or undefined. Nodes assert their preconditions
 * when built or started (Raft: election timeout > heartbeat, for every server): the cluster is started
 * at time 0, with no fault, no checker and no message delivered yet. A node that fails there rejects
 * its config; that is bad input, not a protocol violation.
 */
export function startProblem(prepared: PreparedRun): string | undefined {
  try {
    const dry = runPrepared({ ...prepared, scenario: { ...prepared.scenario, duration: 0 }, timeline: [], checkers: [] }, { hash: false });
    const bad = dry.violations.find((v) => v.invariant === 'assertion' || v.invariant === 'exception');
    return bad?.message;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/** Draws rejected in a row, with no valid run yet, before fuzz() says the workload never yields a valid config. */
const MAX_REJECTED_DRAWS = 100;

/**
 * The parts of a run's abstract states that rarity is read from: each space-separated component of a
 * state (`L1`, `x2`, `split`, ...), and of the state each fault hit (`crash>split`), once per run. Whole states are too fine for it (a Raft run reaches a
 * few states no other run did, so every entry would look equally rare); a rare component (a flag most
 * runs never raise, two servers down) names what the run did that others did not.
 */
export function stateParts(states: Iterable<string>, contexts: Iterable<string> = [], pairs: Iterable<string> = []): string[] {
  const out = new Set<string>();
  // A trace edge `e:restart~d:vote-req#4` gives `e:restart~d:vote-req`: its hit-count bucket is a feature, not a part.
  for (const p of pairs) out.add(edgePart(p));
  for (const s of states) for (const p of s.split(' ')) if (p !== '') out.add(p);
  // A fault context `crash>L0 C2 ... split` gives `crash>L0`, ..., `crash>split`: which kind of fault hit which component.
  for (const c of contexts) {
    const at = c.indexOf('>');
    const kind = c.slice(0, at + 1);
    for (const p of c.slice(at + 1).split(' ')) if (p !== '') out.add(kind + p);
  }
  return [...out].sort();
}

/**
 * When each part of a run's abstract states (see stateParts) was first reached: the earliest first time of the
 * states and fault contexts it is a part of (virtual µs). What a `branch` mutant cuts near.
 */
/** The part of a trace-edge feature (traceEdgeObserver): the feature without its hit-count bucket. */
export function edgePart(f: string): string {
  const at = f.lastIndexOf('#');
  return at > 0 ? f.slice(0, at) : f;
}

export function partTimes(firstAt: ReadonlyMap<string, number>, contexts: ReadonlySet<string> = new Set(), pairs: ReadonlySet<string> = new Set()): Map<string, number> {
  const out = new Map<string, number>();
  const put = (p: string, t: number): void => {
    const had = out.get(p);
    if (had === undefined || t < had) out.set(p, t);
  };
  for (const [f, t] of firstAt) {
    if (pairs.has(f)) {
      put(edgePart(f), t);
      continue;
    }
    const at = contexts.has(f) ? f.indexOf('>') : -1;
    const kind = f.slice(0, at + 1);
    for (const p of f.slice(at + 1).split(' ')) if (p !== '') put(kind + p, t);
  }
  return out;
}

/** One network round trip (µs) of a latency model: twice its typical one-way latency. */
export function roundTripOf(l: Scenario['network']['latency']): number {
  switch (l.kind) {
    case 'constant':
      return 2 * l.value;
    case 'uniform':
      return l.min + l.max;
    case 'exponential':
      return 2 * ((l.min ?? 0) + l.mean);
    case 'lognormal':
      return 2 * ((l.min ?? 0) + l.median);
  }
}

/**
 * The run an episode case describes: its episodes expanded into a timeline over the fault window the case
 * uses (`window` percent of the generator's). Episodes that would start after that window are left out; the
 * others end by its end. A reseed (a branch point) is not a fault: it stays wherever it is.
 */
export function fuzzCaseOf(c: EpisodeCase, gen: ResolvedFaultGen, duration?: Micros): FuzzCase {
  const until = windowEnd(gen, c.window, c.span);
  // A run shorter than the scenario (`span`): its duration, and no reseed after its end.
  const short = duration !== undefined && c.span !== undefined && c.span < 100 ? spanDuration(gen, c, duration) : undefined;
  const episodes = c.episodes.filter((e) => (e.kind === 'reseed' ? short === undefined || e.at < short : e.at < until));
  return { seed: c.seed, faults: episodesToTimeline(episodes, { ...gen, until }), workload: c.workload, ...(short !== undefined ? { duration: short } : {}) };
}

/** A corpus entry is rare when at most this many runs (or 1% of the runs so far, if more) reached one of its features. */
export const RARE_HITS = 3;
/** Share of mutants that are branches (see guided.ts `branch`) when the parent is rare, and otherwise. */
export const BRANCH_SHARE_RARE = 0.6;
export const BRANCH_SHARE = 0.2;

/** Share of branch mutants that also get havoc after their cut (see guided.ts `havocAfterCut`). */
export const HAVOC_AFTER_BRANCH = 0.5;

/** Share of a guided batch's runs, after the warm-up, that are mutants of the corpus (the rest are fresh draws, which find new basins). */
export const MUTANT_SHARE = 0.75;
/**
 * Guided: the share of fresh draws that are systematic-opening cells while the plan lasts (FuzzOptions.opening).
 * 0: off by default (session 10, sim/fuzz/README.md: at 0.5 and 0.75 it did not move the medians of the Raft
 * bugs, and it delays the fresh draws the shallow and liveness bugs are found by). 0.75 is the share measured.
 */
export const OPENING_SHARE = 0;
/** Guided: the share of fresh draws made as `random` draws them (FuzzOptions.plainShare). */
export const PLAIN_SHARE = 0.3;

export function fuzz(opts: FuzzOptions): FuzzReport {
  const steps = fuzzSteps(opts);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/**
 * `fuzz()` one run at a time: the generator yields after each run of the budget (with the runs made so far)
 * and returns the report. The same runs as `fuzz()`; a caller that drives it may do other work between runs
 * (the CLI lets its event loop see a Ctrl-C there, so `stop` can end a batch after the current run).
 */
export function* fuzzSteps(opts: FuzzOptions): Generator<number, FuzzReport, void> {
  const base = opts.scenario;
  const keep = opts.keepFaults ?? false;
  const empty: FuzzReport = { runs: 0, violations: 0, failures: [], states: 0, edges: 0, stateSet: [], corpus: 0, skipped: 0, refused: 0, refusals: [] };
  if (!Number.isInteger(opts.runs) || opts.runs < 0) throw new RangeError(`runs must be a non-negative integer (got ${opts.runs})`);
  if (opts.runs === 0) return empty;
  const strategy = opts.strategy ?? 'guided';
  if (!FUZZ_STRATEGIES.includes(strategy)) throw new RangeError(`unknown strategy "${String(strategy)}"; expected one of: ${FUZZ_STRATEGIES.join(', ')}`);
  const seed = opts.seed ?? DEFAULT_FUZZ_SEED;
  const maxFailures = opts.maxFailures ?? 1;
  const shrinkBudget = opts.shrinkBudget ?? 500;
  const wantShrink = opts.shrink !== false;
  const maxRefusals = opts.maxRefusals ?? 1;
  // Every run of the campaign (budget, shrinking, trimming, the reported re-run) under the same engine bounds.
  const runOpts = (hash: boolean): { hash: boolean; limits?: Partial<Omit<EngineLimits, 'steps'>> } => ({ hash, ...(opts.limits ? { limits: opts.limits } : {}) });
  const { gen, windows, spans } = strategyGen(base, strategy, opts.faults, opts.spans === true);
  const protocol = getProtocol(base.protocol);
  const workload = opts.workload ?? fc.constant({});
  const windowArb = fc.constantFrom(...windows);
  // What runs are drawn from (swarm: a chain, which shrinks only with the context fast-check kept while drawing) ...
  // With several run lengths, each run draws one (`span`); without, the record has no such key (same draws as before).
  const spanArb: { span?: fc.Arbitrary<number> } = spans.length > 1 ? { span: fc.constantFrom(...spans) } : {};
  const drawn: fc.Arbitrary<EpisodeCase> = fc.record({ seed: seedArb(), episodes: episodesArb(gen), workload, window: windowArb, ...spanArb });
  // Guided's portfolio start: a share of the fresh draws are made as `random` makes them (plain generator, whole
  // window, its workload), so the campaign finds at least what plain draws find early, at their cost per run.
  // One arbitrary (fc.oneof), so a fresh draw still shrinks with fast-check's context and replays by path.
  const plainShare = strategy === 'guided' ? (opts.plainShare ?? PLAIN_SHARE) : 0;
  if (!(plainShare >= 0 && plainShare <= 1)) throw new RangeError(`plainShare must be between 0 and 1 (got ${plainShare})`);
  const plainGen = plainShare > 0 ? strategyGen(base, 'random', opts.faults).gen : undefined;
  const plain: fc.Arbitrary<EpisodeCase> | undefined =
    plainGen === undefined ? undefined : fc.record({ seed: seedArb(), episodes: episodesArb(plainGen), workload: opts.plainWorkload ?? workload, window: fc.constant(100), ...spanArb });
  const arb: fc.Arbitrary<EpisodeCase> =
    plain === undefined
      ? drawn
      : plainShare >= 1
        ? plain
        : fc.oneof({ arbitrary: plain, weight: Math.round(plainShare * 100) }, { arbitrary: drawn, weight: 100 - Math.round(plainShare * 100) });
  // ... and what a mutant, which has no such context, shrinks through: the same values, without the swarm's chain.
  const kindArbs = gen.kinds.map((k) => episodeArb(k, gen)).filter((a): a is fc.Arbitrary<FaultEpisode> => a !== undefined);
  const plainEpisodes = kindArbs.length === 0 || gen.maxFaults === 0 ? fc.constant<FaultEpisode[]>([]) : fc.array(fc.oneof(...kindArbs), { maxLength: gen.maxFaults });
  const mutantArb: fc.Arbitrary<EpisodeCase> = fc.record({ seed: seedArb(), episodes: plainEpisodes, workload, window: windowArb, ...spanArb });
  const abstractState = protocol?.abstractState;
  const toCase = (c: EpisodeCase): FuzzCase => fuzzCaseOf(c, gen, base.duration);

  // Campaign state.
  let done = 0;
  let violations = 0;
  let skipped = 0;
  let refused = 0;
  const refusals: FuzzRefusal[] = [];
  let cut: FuzzReport['cut'];
  const failures: FuzzFailure[] = [];
  const states = new Set<string>();
  const features = new Set<string>();
  /** Fault contexts reached (`RunCoverage.contexts`): features too, but neither states nor edges in the report. */
  const contexts = new Set<string>();
  /** How many runs reached each part of an abstract state (see stateParts): the guided corpus's energy goes to entries that reached rare ones. */
  const hits = new Map<string, number>();
  const corpus: CorpusEntry[] = [];
  /** Distinct trace-edge features reached (traceEdgeObserver): features, but not abstract-state edges in the report. */
  let pairFeatures = 0;
  /** Checkers with a judging point, and those some run of the budget judged (FuzzReport.notJudged). */
  const judgeable = new Set<string>();
  const judgedOnce = new Set<string>();
  const unjudged = (): string[] => [...judgeable].filter((n) => !judgedOnce.has(n)).sort();
  // Generic trace-edge coverage (guided only, unless switched off): protocol-agnostic features for the corpus.
  const traceEdges = strategy === 'guided' && opts.traceEdges !== false;
  const branchHavoc = opts.branchHavoc !== false;
  // Trigger contexts (guided only, opt-in): a fault paired with the protocol steps just before it at its node.
  const triggerContexts = strategy === 'guided' && opts.triggerContexts === true && protocol?.triggers !== undefined;
  /** How long after a trigger a fault still counts as right after it: the generator's longest trigger delay, or four round trips. */
  const triggerHorizon = Math.max(gen.maxDelay, 4 * roundTripOf(base.network.latency));

  // The property every fast-check call checks. Outside shrinking it is one run of the budget; during shrinking, a candidate.
  let shrinking = false;
  let shrinkRuns = 0;
  /** Set when `stop` ended the current failure's shrinking (reset when a failure starts shrinking). */
  let shrinkCut = false;
  /** Out of shrinking runs: the budget is spent, or `stop` says the campaign's time is up. */
  // The last two runs of a shrink budget of 4 or more are kept for dropping a needless quiesce (withoutNeedlessQuiesce).
  const trimReserve = shrinkBudget >= 4 ? 2 : 0;
  let trimming = false;
  const shrinkOver = (): boolean => {
    if (shrinkRuns >= shrinkBudget - (trimming ? 0 : trimReserve)) return true;
    if (opts.stop?.()) {
      shrinkCut = true;
      return true;
    }
    return false;
  };
  // Invariants with a shrunk counterexample (the caller's, then this call's): a failing run of one is a repeat, not shrunk.
  const shrunkInvariants = new Set(opts.shrunkInvariants ?? []);
  let repeats = 0;
  const repeated: FuzzRepeat[] = [];
  let last: { invalid: boolean; violated: boolean; violation?: Violation; threw?: boolean; refused?: string; cov: RunCoverage; case?: EpisodeCase; parts: readonly string[]; times?: ReadonlyMap<string, number> } = { invalid: false, violated: false, cov: { states: new Set(), edges: new Set() }, parts: [] };
  /** A shrink candidate fails when it breaks a property; a refused one does not (the shrinker must not turn a violation into a refusal). */
  const violates = (p: PreparedRun): boolean => {
    try {
      return runPrepared(p, runOpts(false)).violations.length > 0;
    } catch (err) {
      if (refusalOf(err)) return false;
      throw err;
    }
  };
  const property = (c: EpisodeCase): boolean => {
    if (shrinking) {
      // Out of shrinking budget: call every further candidate a pass, so fast-check settles on the smallest failure so far.
      if (shrinkOver()) return true;
      shrinkRuns++;
      opts.onShrink?.(shrinkRuns, shrinkBudget);
      const p = prepareCase(base, toCase(c), keep);
      // A candidate with an invalid config is not a failure: the shrinker must not go there.
      return 'problem' in p ? true : !violates(p.prepared);
    }
    const p = prepareCase(base, toCase(c), keep);
    if ('problem' in p) {
      last = { invalid: true, violated: false, cov: { states: new Set(), edges: new Set() }, parts: [] };
      return true;
    }
    opts.onRunStart?.(done, c.seed);
    const cov: RunCoverage = { states: new Set(), edges: new Set(), contexts: new Set(), ...(strategy === 'guided' ? { firstAt: new Map<string, number>() } : {}), ...(traceEdges ? { pairs: new Set<string>() } : {}) };
    const byTriggers = triggerContexts && protocol?.triggers ? triggerContextObserver(protocol.triggers, cov, triggerHorizon) : undefined;
    const observers = [...(abstractState ? [coverageObserver(abstractState, cov), coverageFinal(abstractState, cov)] : []), ...(traceEdges ? [traceEdgeObserver(cov)] : []), ...(byTriggers ? [byTriggers] : [])];
    const prepared = observers.length > 0 ? { ...p.prepared, checkers: [...p.prepared.checkers, ...observers] } : p.prepared;
    let violated: boolean;
    let violation: Violation | undefined;
    try {
      // `stop` is also asked inside the run (every 4096 events): a run that never ends (a message storm below the
      // queue bound) is cut when the campaign's time is up, rather than overrunning it.
      violation = runPrepared(prepared, { ...runOpts(false), ...(opts.stop ? { interrupt: opts.stop } : {}) }).violations[0];
      violated = violation !== undefined;
      for (const ch of prepared.checkers) {
        if (ch.judged === undefined) continue;
        judgeable.add(ch.name);
        if (ch.judged()) judgedOnce.add(ch.name);
      }
    } catch (err) {
      // Cut by `stop` inside the run: neither a violation nor a refusal; the loop ends the batch there (report.cut).
      if (err instanceof RunCutError) {
        cut = { run: done, seed: c.seed, events: err.events, t: err.t };
        last = { invalid: false, violated: false, cov, case: c, parts: [] };
        return true;
      }
      // Refused by the engine (a bound exceeded, time stalled): counted and kept by the loop, not a violation, so it passes here.
      const refusal = refusalOf(err);
      if (refusal) {
        last = { invalid: false, violated: false, refused: refusal.limit, cov, case: c, parts: stateParts(cov.states, cov.contexts, cov.pairs) };
        return true;
      }
      // Not a violation: a bug outside the nodes' handlers. fast-check shrinks it like a failure; fuzz() then says which run threw.
      last = { invalid: false, violated: true, threw: true, cov, case: c, parts: [] };
      shrinking = true;
      shrinkRuns = 0;
      throw err;
    }
    last = { invalid: false, violated, ...(violation ? { violation } : {}), cov, case: c, parts: stateParts(cov.states, cov.contexts, cov.pairs), ...(cov.firstAt ? { times: partTimes(cov.firstAt, cov.contexts, cov.pairs) } : {}) };
    if (violated) {
      // Shrink only failures that will be reported (not repeats of a shrunk invariant); for the others fast-check's candidates all pass at once.
      shrinking = true;
      shrinkCut = false;
      shrinkRuns = wantShrink && failures.length < maxFailures && !isRepeat() ? 0 : Number.POSITIVE_INFINITY;
    }
    return !violated;
  };

  /** Is the last run a failure of an invariant that already has a shrunk counterexample (shrinking on)? */
  function isRepeat(): boolean {
    return wantShrink && opts.shrinkRepeats !== true && last.violated && !last.threw && last.violation !== undefined && shrunkInvariants.has(last.violation.invariant);
  }
  /** Count the last run as a repeat (FuzzRepeat), keeping the first REPEATS_KEPT for replay. */
  const keepRepeat = (details: fc.RunDetails<[EpisodeCase]>, origin: FuzzRepeat['origin']): void => {
    repeats++;
    const v = last.violation;
    if (repeated.length >= REPEATS_KEPT || v === undefined || last.case === undefined) return;
    // The scenario the run ran (prepareCase fits the workload patch the same way again: no run, no randomness).
    const p = prepareCase(base, toCase(last.case), keep);
    if ('problem' in p) return;
    const scenario = repeatScenario(base, p.scenario, last.case.seed, v.invariant);
    repeated.push({ run: done - 1, seed: last.case.seed, invariant: v.invariant, message: v.message, origin, ...(origin === 'drawn' ? { fastCheck: { seed: details.seed, path: details.counterexamplePath ?? '' } } : {}), scenario });
  };

  /** Count a run of the budget: how many features and state parts (see stateParts) no earlier run had reached. */
  const account = (): { fresh: number; freshParts: number } => {
    done++;
    if (last.violated) violations++;
    let fresh = 0;
    for (const s of last.cov.states) {
      states.add(s);
      if (!features.has(s)) {
        features.add(s);
        fresh++;
      }
    }
    for (const e of last.cov.edges) {
      if (!features.has(e)) {
        features.add(e);
        fresh++;
      }
    }
    for (const e of last.cov.pairs ?? []) {
      if (!features.has(e)) {
        features.add(e);
        fresh++;
        pairFeatures++;
      }
    }
    for (const c of last.cov.contexts ?? []) {
      contexts.add(c);
      if (!features.has(c)) {
        features.add(c);
        fresh++;
      }
    }
    let freshParts = 0;
    for (const t of last.parts) {
      const n = hits.get(t) ?? 0;
      if (n === 0) freshParts++;
      hits.set(t, n + 1);
    }
    opts.onProgress?.(done, violations, states.size);
    return { fresh, freshParts };
  };

  const reported = new Set<string>();
  const record = (details: fc.RunDetails<[EpisodeCase]>, origin: FuzzFailure['origin']): void => {
    const shrunk = details.counterexample?.[0];
    if (shrunk === undefined) {
      // The property threw instead of returning false: a bug outside any node's handler. Keep its stack.
      throw details.errorInstance instanceof Error ? details.errorInstance : new Error(String(details.errorInstance));
    }
    // Two failing runs (a mutant and its parent, say) often shrink to one counterexample: report it once.
    const key = JSON.stringify(toCase(shrunk));
    if (reported.has(key)) return;
    reported.add(key);
    // The last shrinking step, inside the shrink budget and `stop`: drop the trailing quiesce when the same
    // invariant still breaks without it. Not for an unshrunk report (shrinking off, budget 0, cut short).
    trimming = true;
    const small = wantShrink && !shrinkCut && !shrinkOver() ? withoutNeedlessQuiesce(toCase(shrunk)) : toCase(shrunk);
    trimming = false;
    const failure = failureOf(base, small, keep, opts.traceDir, {
        run: done - 1,
        origin,
        ...(origin === 'drawn' ? { fastCheck: { seed: details.seed, path: details.counterexamplePath ?? '' } } : {}),
        ...(shrinkCut ? { shrinkCut: true } : {}),
      }, opts.limits);
    failures.push(failure);
    if (wantShrink) shrunkInvariants.add(failure.violation.invariant);
  };
  /** The first invariant an exact case breaks (undefined: none, an invalid config, or the run threw). */
  const brokenInvariant = (c: FuzzCase): string | undefined => {
    const p = prepareExactCase(base, c, keep);
    if ('problem' in p) return undefined;
    try {
      return runPrepared(p.prepared, runOpts(false)).violations[0]?.invariant;
    } catch {
      return undefined;
    }
  };
  /**
   * The case without its trailing quiesce, when it breaks the same invariant without it: a safety failure
   * rarely needs the liveness phase, and a reader should not look for a reason it is there. Kept when the
   * violation needs it (liveness is judged after the quiesce) or a fault comes after it. Costs two runs of
   * the shrink budget (the case and the candidate), checked against it and `stop` like every shrinking run.
   */
  const withoutNeedlessQuiesce = (c: FuzzCase): FuzzCase => {
    const last = c.faults[c.faults.length - 1];
    if (last?.kind !== 'quiesce') return c;
    const spend = (): boolean => {
      if (shrinkOver()) return false;
      shrinkRuns++;
      opts.onShrink?.(shrinkRuns, shrinkBudget);
      return true;
    };
    if (!spend()) return c;
    const want = brokenInvariant(c);
    if (want === undefined || !spend()) return c;
    const trimmed: FuzzCase = { ...c, faults: c.faults.slice(0, -1) };
    return brokenInvariant(trimmed) === want ? trimmed : c;
  };
  const check = (which: fc.Arbitrary<EpisodeCase>, params: fc.Parameters<[EpisodeCase]>, opts2: { shrink?: boolean; asCandidate?: boolean } = {}): fc.RunDetails<[EpisodeCase]> => {
    // asCandidate: the first value is already a failure being shrunk (its run counts against the shrink budget).
    shrinking = opts2.asCandidate ?? false;
    return fc.check(fc.property(which, property), { ...params, endOnFailure: !(opts2.shrink ?? wantShrink) });
  };
  /** One shrink candidate: does it still fail? (An invalid config does not; past the budget nothing does.) */
  const stillFails = (c: EpisodeCase): boolean => {
    if (shrinkOver()) return false;
    shrinkRuns++;
    opts.onShrink?.(shrinkRuns, shrinkBudget);
    // Exact: a candidate whose workload the protocol rejects is not a failure, even if a fitted config (some
    // keys dropped, as prepareCase does for drawn runs) would fail: the reported scenario is the exact case.
    const p = prepareExactCase(base, toCase(c), keep);
    return !('problem' in p) && violates(p.prepared);
  };
  /**
   * Keep a refused run: shrink it greedily by the predicate "refused at the same bound" (REFUSAL_SHRINK_BUDGET
   * runs at most, and `stop`), then re-run the result for the reported refusal.
   */
  const keepRefusal = (c: EpisodeCase, limit: string, origin: FuzzRefusal['origin']): void => {
    let used = 0;
    let cut = false;
    const budget = Math.min(shrinkBudget, REFUSAL_SHRINK_BUDGET);
    const refusedAgain = (x: EpisodeCase): boolean => {
      if (used >= budget) return false;
      if (opts.stop?.()) {
        cut = true;
        return false;
      }
      used++;
      opts.onShrink?.(used, budget);
      const p = prepareExactCase(base, toCase(x), keep);
      if ('problem' in p) return false;
      try {
        runPrepared(p.prepared, runOpts(false));
        return false;
      } catch (err) {
        return refusalOf(err)?.limit === limit;
      }
    };
    const small = wantShrink ? greedyShrink(c, refusedAgain, gen) : c;
    refusals.push(refusalReport(base, toCase(small), keep, runOpts(true), { run: done - 1, origin, ...(cut ? { shrinkCut: true } : {}) }));
  };

  if (opts.path !== undefined) {
    // Replay of fast-check's own coordinates: random draws from the path on, stopping at the first failure.
    const details = check(arb, { seed, path: opts.path, numRuns: opts.runs });
    done = details.numRuns;
    if (details.failed) {
      violations++;
      record(details, 'drawn');
    }
    opts.onProgress?.(done, violations, states.size);
    return { runs: done, violations, failures, states: states.size, edges: features.size - states.size - contexts.size - pairFeatures, stateSet: [...states].sort(), corpus: 0, skipped: 0, refused: 0, refusals: [], notJudged: unjudged() };
  }

  const rng = rootRng(`guided/${seed}`);
  const roundTrip = roundTripOf(base.network.latency);
  let branches = 0;
  // Guided: the first tenth of the budget (at most 50 runs) explores with fresh draws only; then MUTANT_SHARE of the runs are mutants.
  const warmup = Math.max(1, Math.min(50, Math.floor(opts.runs / 10)));
  let next = 0; // index of the next fresh draw on fast-check's stream for `seed`
  // Guided's systematic opening (openingPlan in guided.ts): trigger x fault kind cells, one aimed short run each.
  const openingRng = rootRng(`opening/${seed}`);
  const openingShare = strategy === 'guided' ? (opts.opening ?? OPENING_SHARE) : 0;
  if (!(openingShare >= 0 && openingShare <= 1)) throw new RangeError(`opening must be between 0 and 1 (got ${openingShare})`);
  const opening = openingShare > 0 ? openingPlan(gen, openingRng) : [];
  let freshRuns = 0;
  let rejectedInARow = 0;
  let yielded = 0;
  while (done < opts.runs) {
    if (done > yielded) yield (yielded = done);
    if (opts.stop?.()) break;
    const mutated = strategy === 'guided' && corpus.length > 0 && done >= warmup && rng.chance(MUTANT_SHARE);
    // The systematic opening (own rng stream): while its plan lasts, a share `openingShare` of the fresh draws are
    // its next cells instead (the first run stays a fresh draw). Like a mutant, a cell is a case off fast-check's stream.
    const cell = !mutated && opening.length > 0 && Math.floor((freshRuns + 1) * openingShare) > Math.floor(freshRuns++ * openingShare) ? opening.shift() : undefined;
    const mutant = mutated || cell !== undefined;
    let details: fc.RunDetails<[EpisodeCase]>;
    let child: EpisodeCase | undefined;
    if (cell) child = openingCase(cell, gen, openingRng, opts.workload);
    if (mutant) {
      if (!child) {
        const parent = pickEntry(corpus, rng, hits);
        // A parent that reached something rare is branched from (its prefix kept, its future re-drawn) more often than havocked.
        const rare = rarity(parent, hits) <= Math.max(RARE_HITS, Math.floor(done / 100));
        const b = rng.chance(rare ? BRANCH_SHARE_RARE : BRANCH_SHARE) ? branch(parent, rng, { gen, hits, roundTrip, duration: base.duration }) : undefined;
        if (b) {
          branches++;
          // Havoc after the branch: stack suffix mutations on it (the prefix stays its parent's run).
          if (branchHavoc && rng.chance(HAVOC_AFTER_BRANCH)) havocAfterCut(b.child, b.point.cut, rng, { gen, roundTrip });
        }
        child = b?.child ?? mutate(parent.case, rng, { gen, workload: opts.workload, corpus, windows, spans });
      }
      details = check(mutantArb, { seed, examples: [[child]], numRuns: 1 }, { shrink: false });
      if (last.violated && !last.threw && wantShrink && failures.length < maxFailures && !isRepeat()) {
        // A mutant has no fast-check context: shrink it greedily first (drop episodes, move them earlier, shorten
        // them, the full window, a smaller workload patch), then let fast-check polish the result as an example.
        shrinkRuns = 0;
        shrinkCut = false;
        const small = greedyShrink(child, stillFails, gen);
        const polished = check(mutantArb, { seed, examples: [[small]], numRuns: 1 }, { asCandidate: true });
        if (polished.failed) details = polished;
        else details = { ...details, counterexample: [small] } as fc.RunDetails<[EpisodeCase]>;
      }
    } else {
      // Run `next` of fast-check's stream, so a failure shrinks with the context fast-check kept and replays by path.
      details = check(arb, { seed, path: String(next++), numRuns: 1 });
    }
    if (cut !== undefined) break;
    if (last.invalid) {
      skipped++;
      // Never spin forever on a workload that stopped yielding valid configs.
      if ((++rejectedInARow >= MAX_REJECTED_DRAWS && done === 0) || rejectedInARow >= 10 * MAX_REJECTED_DRAWS) {
        const p = prepareCase(base, toCase(child ?? (fc.sample(arb, { seed, numRuns: 1 })[0] as EpisodeCase)), keep);
        throw new Error(`the workload arbitrary produced a config ${base.protocol} rejects in ${MAX_REJECTED_DRAWS} draws in a row: ${'problem' in p ? p.problem : 'invalid'}`);
      }
      continue;
    }
    rejectedInARow = 0;
    if (last.threw) record(details, mutant ? 'mutant' : 'drawn'); // throws, naming the run
    if (last.refused !== undefined) {
      // Counted as a run (its coverage too) and kept, but never a corpus entry (its mutants would storm again) nor a
      // violation: the campaign goes on.
      refused++;
      account();
      if (refusals.length < maxRefusals && last.case) keepRefusal(last.case, last.refused, mutant ? 'mutant' : 'drawn');
      continue;
    }
    const { fresh, freshParts } = account();
    if (strategy === 'guided' && fresh > 0 && last.case) {
      // A mutant that reached a state part no run had (a new flag, a fault in a new kind of state) is owed a burst
      // of mutations around it: keep digging where it opened up.
      corpus.push({ case: last.case, found: fresh, picks: 0, features: last.parts, ...(last.times ? { times: last.times } : {}), ...(mutant && freshParts > 0 ? { focus: FOCUS_PICKS } : {}) });
    }
    if (last.violated && failures.length < maxFailures) {
      if (isRepeat()) keepRepeat(details, mutant ? 'mutant' : 'drawn');
      else record(details, mutant ? 'mutant' : 'drawn');
    }
    if (failures.length >= maxFailures && !opts.keepGoing) break;
  }
  return { runs: done, violations, failures, states: states.size, edges: features.size - states.size - contexts.size - pairFeatures, stateSet: [...states].sort(), corpus: corpus.length, skipped, refused, refusals, branches, notJudged: unjudged(), ...(traceEdges ? { traceEdges: pairFeatures } : {}), ...(cut ? { cut } : {}), ...(wantShrink ? { repeats, repeated } : {}) };
}

/**
 * Greedy shrinking of a failing case without fast-check's context (a guided mutant), as delta debugging
 * does: drop whole episodes, then move each one as early as it still fails, then shorten it, then use the
 * whole fault window, then drop parts of the workload patch, then lower its integers to a local minimum.
 * Each candidate costs one run of `fails`.
 */
export function greedyShrink(start: EpisodeCase, fails: (c: EpisodeCase) => boolean, gen: { from: number }): EpisodeCase {
  let best: EpisodeCase = { ...start, episodes: start.episodes.map((e) => ({ ...e })) as FaultEpisode[] };
  const attempt = (c: EpisodeCase): boolean => {
    if (!fails(c)) return false;
    best = c;
    return true;
  };
  // 1. As delta debugging starts: one episode alone (most failures need one fault), then pairs of episodes
  // (a crash and what makes it hurt) when there are few enough; then drop episodes, one at a time, until no
  // single drop keeps the failure.
  const n0 = best.episodes.length;
  const alone = (idx: readonly number[]): EpisodeCase => ({ ...best, episodes: idx.map((i) => best.episodes[i]).filter((e): e is FaultEpisode => e !== undefined) });
  let reduced = false;
  for (let i = 0; i < n0 && n0 > 1 && !reduced; i++) reduced = attempt(alone([i]));
  for (let i = 0; i < n0 && n0 > 2 && n0 <= 12 && !reduced; i++) for (let j = i + 1; j < n0 && !reduced; j++) reduced = attempt(alone([i, j]));
  for (let changed = true; changed; ) {
    changed = false;
    for (let i = 0; i < best.episodes.length; i++) {
      if (attempt({ ...best, episodes: best.episodes.filter((_, j) => j !== i) })) {
        changed = true;
        i--;
      }
    }
  }
  // 2. and 3. Each episode's start as early, and its length as short, as still fails (halving the distance).
  for (const field of ['at', 'length'] as const) {
    const floor = field === 'at' ? gen.from : 1;
    for (let i = 0; i < best.episodes.length; i++) {
      for (;;) {
        const e = best.episodes[i] as Record<string, unknown>;
        const v = e[field];
        if (typeof v !== 'number' || v <= floor) break;
        let moved = false;
        for (const to of [floor, floor + Math.floor((v - floor) / 2)]) {
          if (to >= v) continue;
          const episodes = best.episodes.map((x, j) => (j === i ? ({ ...x, [field]: to } as FaultEpisode) : x));
          if (attempt({ ...best, episodes })) {
            moved = true;
            break;
          }
        }
        if (!moved) break;
      }
    }
  }
  // 4. The whole fault window (the default), 5. the workload patch without each of its top-level keys.
  if (best.window !== 100) attempt({ ...best, window: 100 });
  // An integer is not dropped (the base config's value, which dropping restores, may be larger): step 6 lowers it.
  for (const key of Object.keys(best.workload)) {
    if (Number.isInteger(best.workload[key])) continue;
    const { [key]: _dropped, ...rest } = best.workload;
    attempt({ ...best, workload: rest });
  }
  // 6. Each integer the workload patch still holds (top level) as small as still fails: toward 0 by halving
  // the distance, then one less, so the result is a local minimum (one fewer no longer fails). A value the
  // protocol rejects is not a failure (`fails` says no), so the schema's minimum bounds the search.
  for (const key of Object.keys(best.workload)) {
    for (;;) {
      const v = best.workload[key];
      if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) break;
      let moved = false;
      for (const to of [0, Math.floor(v / 2), v - 1]) {
        if (to >= v) continue;
        if (attempt({ ...best, workload: { ...best.workload, [key]: to } })) {
          moved = true;
          break;
        }
      }
      if (!moved) break;
    }
  }
  return best;
}

/** The reported refusal of a (shrunk) case: re-run (it must be refused again), named <base>-<seed>. */
function refusalReport(base: Scenario, shrunk: FuzzCase, keep: boolean, runOpts: { hash: boolean; limits?: Partial<Omit<EngineLimits, 'steps'>> }, extra: Pick<FuzzRefusal, 'run' | 'origin' | 'shrinkCut'>): FuzzRefusal {
  const scenario = caseScenario(base, shrunk, keep);
  let refusal: ReturnType<typeof refusalOf>;
  try {
    runPrepared(prepareRun(scenario), runOpts);
  } catch (err) {
    refusal = refusalOf(err);
    if (!refusal) throw err;
  }
  if (!refusal) throw new Error(`fuzz: the shrunk refused run (seed ${shrunk.seed}) is no longer refused: the simulation is not deterministic`);
  const { expect: _expect, ...rest } = scenario;
  const refusedScenario: Scenario = parseScenario(
    JSON.parse(
      JSON.stringify({
        ...rest,
        name: `${base.name}-${shrunk.seed}`,
        description: `Fuzz run of ${base.name} refused by the engine (${refusal.limit}${refusal.bound !== undefined ? ` bound ${refusal.bound}` : ''}), shrunk: not a protocol violation; running it is refused the same way`,
      }),
    ),
  );
  return { seed: shrunk.seed, scenario: refusedScenario, ...refusal, ...extra };
}

/** A repeat's run as a scenario file: named <base>-repeat-<seed>, expecting its violation. */
function repeatScenario(base: Scenario, ran: Scenario, seed: string, invariant: string): Scenario {
  return expectingViolation(ran, `${base.name}-repeat-${seed}`, `Fuzz failing run of ${base.name}, not shrunk (a repeat of a property already shrunk): ${invariant}`, invariant);
}

/**
 * `scenario` named `name`, expecting a violation of `invariant`, through the schema once more so that it is in
 * the canonical form a replay reads back from the trace header (written out as <name>.json it is a scenario
 * file ready for scenarios/: a regression test).
 */
function expectingViolation(scenario: Scenario, name: string, description: string, invariant: string): Scenario {
  const { expect: _expect, ...rest } = scenario;
  return parseScenario(JSON.parse(JSON.stringify({ ...rest, name, description, expect: { violation: invariant } })));
}

/** The reported failure of a (shrunk) case: re-run hashed, named <base>-<seed>, expecting its violation. */
function failureOf(base: Scenario, shrunk: FuzzCase, keep: boolean, traceDir: string | undefined, extra: Pick<FuzzFailure, 'run' | 'origin' | 'fastCheck' | 'shrinkCut'>, limits?: Partial<Omit<EngineLimits, 'steps'>>): FuzzFailure {
  const scenario = caseScenario(base, shrunk, keep);
  let violation: Violation | undefined;
  try {
    // Hashed, so the violation carries the seq numbers its trace will have.
    violation = runPrepared(prepareRun(scenario), { hash: true, ...(limits ? { limits } : {}) }).violations[0];
  } catch (err) {
    // Not a violation: something threw outside the nodes' handlers (the engine, a checker, the workload). Say which run.
    const what = err instanceof Error ? err.message : String(err);
    throw new Error(`fuzz: run with seed ${shrunk.seed} and faults ${JSON.stringify(scenario.faults.timeline)} threw: ${what}`, { cause: err });
  }
  if (!violation) throw new Error(`fuzz: the shrunk run (seed ${shrunk.seed}) no longer fails: the simulation is not deterministic`);
  const failing = expectingViolation(scenario, `${base.name}-${shrunk.seed}`, `Fuzz failure of ${base.name}, shrunk: ${violation.invariant}`, violation.invariant);
  const tracePath = failureTracePath(failing, traceDir);
  return { seed: shrunk.seed, scenario: failing, violation, replay: `npx faultline replay ${tracePath}`, tracePath, ...extra };
}
