// `faultline explore` without the I/O: resolve what to explore (the TLA+
// TwoPhase model, or a protocol through the engine with its explore profile
// and a scenario's config), run the explorer, and turn a counterexample into a
// scenario whose `schedule` replays it (`faultline run` and the viewer).

import type { JsonValue } from '../engine/types.ts';
import { getProtocol } from '../protocols/registry.ts';
import { InputError } from '../scenario/errors.ts';
import { nearestName, parseScenario, prepareRun } from '../scenario/resolve.ts';
import type { Scenario } from '../scenario/schema.ts';
import type { DriveBudgets } from './driver.ts';
import { EngineModel } from './engine-model.ts';
import { explore, exploring, type ExploreModel, type ExploreOptions, type ExploreProgress, type ExploreReport } from './explorer.ts';
import { exploreProfile, profileProtocols } from './profiles.ts';
import { TwoPhaseModel } from './twophase.ts';

export const SPEC_MODELS = ['twopc-spec'];

export interface ExploreTarget {
  /** What is explored, for the report. */
  name: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  model: ExploreModel<any>;
  /** The scenario explored (engine models only): the base of counterexample scenarios. */
  scenario?: Scenario;
  budgets?: DriveBudgets;
  bounds: string;
  coalesce?: boolean;
  /** Whether --symmetry reduces anything (twopc-spec: its RMs; engine models: a profile's interchangeable nodes). */
  symmetric: boolean;
}

export interface TargetOptions {
  crashes?: number;
  losses?: number;
  duplicates?: number;
  /** twopc-spec: number of resource managers (default 3). */
  rms?: number;
  /** Planted bugs to switch on (names from the protocol's `bugs`). */
  bugs?: string[];
  coalesce?: boolean;
  maxInFlight?: number;
  /** Timer firings per kind (DriveBudgets.timers; `*`: all kinds together), over the profile's. */
  timers?: Record<string, number>;
  /** Remove the messages the profile declares dead (default true; false keeps them, for comparison). */
  deadMessages?: boolean;
  /**
   * Engine models: expand states from snapshots (Driver.clone), keeping at most this many; 0 (the default)
   * for path replay, which is faster on the profiles here (README "Snapshots").
   */
  snapshots?: number;
  /**
   * Partial-order reduction will be used (DFS with sleep sets): the profile's in-flight bound is not applied,
   * and an explicit one is bad input. A bound on a global count such as the messages in flight need not hold
   * along a reordered path (a delivery that sends two messages, taken earlier, raises the count at every state
   * in between), so states within it could be missed; per-node monotone bounds (Raft terms) and the depth are kept.
   */
  por?: boolean;
  /** Raft: the highest term a server may reach (the profile's term bound, RAFT_MAX_TERM by default). */
  maxTerm?: number;
  /** Timed profiles (lock): steps that may make another timer fire late (DriveBudgets.drift; default the profile's, 0). */
  drift?: number;
  /** Timed profiles (lock): messages that may arrive after their scheduled arrival (DriveBudgets.delays; default the profile's; Infinity: unbounded). */
  delays?: number;
}

/** A scenario document for a protocol name: the profile's small configuration. */
export function protocolScenario(protocol: string, bugs: readonly string[] = []): Scenario {
  const profile = exploreProfile(protocol);
  if (!profile) throw new InputError(`no explore profile for protocol "${protocol}"; explorable: ${[...SPEC_MODELS, ...profileProtocols()].join(', ')}`, protocol);
  const bugPatch = Object.fromEntries(bugs.map((b) => [b, true]));
  return parseScenario({
    name: `explore-${protocol}`,
    description: `${protocol} explored with its explore profile`,
    protocol,
    config: { ...profile.config, bugs: bugPatch },
    ...(profile.network ? { network: profile.network } : {}),
    duration: '60s',
  });
}

/** Resolve `twopc-spec`, a protocol name, or a parsed scenario into a model. */
/**
 * `--bug` names checked against what the protocol plants (its default config lists every switch), in the
 * words `faultline fuzz --bug` uses: `--bug: unknown planted bug "x" of raft; did you mean "y"?; expected one of: ...`.
 */
export function checkBugs(protocol: string, known: readonly string[], bugs: readonly string[]): void {
  for (const bug of bugs) {
    if (known.includes(bug)) continue;
    const near = nearestName(bug, known);
    throw new InputError(known.length === 0 ? `${protocol} has no planted bugs` : `unknown planted bug "${bug}" of ${protocol}${near !== undefined ? `; did you mean "${near}"?` : ''}; expected one of: ${known.join(', ')}`, undefined, '--bug');
  }
}

/** Options that only engine models read: given for twopc-spec, they are bad input (not silently ignored). */
const ENGINE_ONLY: readonly (keyof TargetOptions)[] = ['crashes', 'losses', 'duplicates', 'coalesce', 'maxInFlight', 'snapshots', 'timers', 'deadMessages', 'drift', 'delays', 'maxTerm'];

export function exploreTarget(what: string | Scenario, opts: TargetOptions = {}): ExploreTarget {
  if (what === 'twopc-spec') {
    const rms = opts.rms ?? 3;
    for (const k of ENGINE_ONLY) {
      if (opts[k] !== undefined) throw new InputError(`twopc-spec is the TLA+ spec's state graph (no engine, crashes, losses, copies or snapshots): --${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} does not apply`, undefined, `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);
    }
    checkBugs('twopc-spec', ['commitOnFirstPrepared'], opts.bugs ?? []);
    const bug = opts.bugs?.[0];
    return { name: `twopc-spec (TLA+ TwoPhase, ${rms} RMs)`, model: new TwoPhaseModel({ rms, commitOnFirstPrepared: bug !== undefined }), bounds: 'the whole spec (finite)', symmetric: true };
  }
  if (opts.rms !== undefined) throw new InputError('--rms is the number of resource managers of twopc-spec; engine models take their size from the profile or the scenario', undefined, '--rms');
  const protocolName = typeof what === 'string' ? what : what.protocol;
  const defaults = getProtocol(protocolName)?.configSchema.safeParse({});
  if (defaults?.success && opts.bugs) checkBugs(protocolName, Object.keys((defaults.data as { bugs?: Record<string, unknown> }).bugs ?? {}), opts.bugs);
  let scenario: Scenario;
  if (typeof what === 'string') {
    if (!getProtocol(what)) throw new InputError(`unknown protocol or spec "${what}"; explorable: ${[...SPEC_MODELS, ...profileProtocols()].join(', ')}`, what);
    scenario = protocolScenario(what, opts.bugs);
  } else {
    scenario = what;
    if (opts.bugs && opts.bugs.length > 0) {
      const config = scenario.config as { bugs?: Record<string, boolean> };
      scenario = parseScenario({ ...scenario, config: { ...config, bugs: { ...config.bugs, ...Object.fromEntries(opts.bugs.map((b) => [b, true])) } } });
    }
  }
  const profile = exploreProfile(scenario.protocol);
  const budgets: DriveBudgets = {
    crashes: opts.crashes ?? profile?.budgets.crashes ?? 0,
    losses: opts.losses ?? profile?.budgets.losses ?? 0,
    duplicates: opts.duplicates ?? profile?.budgets.duplicates ?? 0,
  };
  for (const kind of Object.keys(opts.timers ?? {})) {
    if (kind !== '*' && profile && !profile.timerKinds.includes(kind)) {
      throw new InputError(`no timer kind "${kind}" in ${scenario.protocol}; expected * or one of: ${profile.timerKinds.join(', ')}`, undefined, '--timers');
    }
  }
  if (profile?.timed === true) {
    budgets.drift = opts.drift ?? profile.budgets.drift ?? 0;
    const delays = opts.delays ?? profile.budgets.delays;
    if (delays !== undefined && delays !== Number.POSITIVE_INFINITY) budgets.delays = delays;
    if (opts.coalesce === true) throw new InputError(`${scenario.protocol} is explored with time in the state: merging copies would move time (drop the option)`, undefined, '--coalesce');
    // Time is state here: a random latency would be drawn from a stream whose position is not in the state.
    const latency = (scenario.network as { latency: { kind: string } }).latency;
    if (latency.kind !== 'constant') throw new InputError(`${scenario.protocol} is explored with time in the state: expected a constant latency (got "${latency.kind}")`, undefined, 'network.latency.kind');
  } else if (opts.drift !== undefined || opts.delays !== undefined) {
    const o = opts.drift !== undefined ? '--drift' : '--delays';
    throw new InputError(`${scenario.protocol} is explored untimed (any event may happen next): ${o} applies to timed profiles (lock)`, undefined, o);
  }
  if (opts.maxTerm !== undefined && profile?.terms !== true) throw new InputError(`${scenario.protocol} has no term bound: --max-term applies to raft`, undefined, '--max-term');
  const limits = opts.maxTerm !== undefined ? { maxTerm: opts.maxTerm } : {};
  const timers = { ...profile?.budgets.timers, ...opts.timers };
  if (Object.keys(timers).length > 0) budgets.timers = timers;
  const dead = opts.deadMessages === false ? undefined : profile?.dead?.(scenario.config as Record<string, unknown>);
  const coalesce = opts.coalesce ?? profile?.coalesce ?? false;
  if (opts.por && opts.maxInFlight !== undefined) throw new InputError('an in-flight bound is not kept by partial-order reduction (a reordered path may exceed it): drop --max-in-flight or --por', undefined, '--max-in-flight');
  const maxInFlight = opts.por ? undefined : (opts.maxInFlight ?? profile?.maxInFlight);
  const run = prepareRun(scenario);
  const model = new EngineModel(run, {
    budgets,
    coalesce,
    ...(maxInFlight !== undefined ? { maxInFlight } : {}),
    ...(profile?.skipKeys ? { skipKeys: profile.skipKeys(scenario.config) } : {}),
    ...(profile?.diskSkipKeys ? { diskSkipKeys: profile.diskSkipKeys } : {}),
    ...(profile?.withinBounds ? { withinBounds: (view: Parameters<NonNullable<typeof profile.withinBounds>>[0]) => profile.withinBounds?.(view, limits) ?? true } : {}),
    ...(profile?.goals ? { goals: profile.goals } : {}),
    ...(dead ? { dead } : {}),
    ...(profile?.symmetry ? { symmetry: profile.symmetry(run) } : {}),
    snapshots: opts.snapshots ?? 0,
    ...(profile?.shareable ? { shareable: profile.shareable } : {}),
    ...(profile?.timed === true ? { timed: true } : {}),
  });
  const bounds = [
    `crashes <= ${budgets.crashes}, losses <= ${budgets.losses}, duplicates <= ${budgets.duplicates}`,
    ...(maxInFlight !== undefined ? [`in flight <= ${maxInFlight}`] : []),
    ...(budgets.timers ? [`timer firings: ${Object.entries(budgets.timers).map(([k, n]) => `${k === '*' ? 'all' : k} <= ${n}`).join(', ')}`] : []),
    ...(budgets.drift !== undefined ? [`drift <= ${budgets.drift}`, `late messages ${budgets.delays !== undefined ? `<= ${budgets.delays}` : 'unbounded'}`] : []),
    ...(coalesce ? ['identical in-flight copies merged'] : []),
    ...(dead ? ['dead messages removed'] : []),
    ...(profile ? [opts.maxTerm !== undefined ? profile.bounds.replace(/terms <= \d+/, `terms <= ${opts.maxTerm}`) : profile.bounds] : []),
    ...(scenario.faults.timeline.length > 0 || scenario.faults.nemesis ? ["the scenario's fault timeline and nemesis are not used (crashes are choices)"] : []),
  ].join('; ');
  return { name: `${scenario.name} (${scenario.protocol})`, model, scenario, budgets, bounds, coalesce, symmetric: model.symmetric };
}

/** Explore a target and return the report (the counterexample's labels are its schedule). */
export function exploreRun(target: ExploreTarget, opts: ExploreOptions): ExploreReport {
  return explore(target.model, opts);
}

/** The schedule of a counterexample of an engine model, including steps the driver added (merged copies). */
export function counterexampleSchedule(target: ExploreTarget, path: readonly number[]): string[] {
  const model = target.model as EngineModel;
  return model.restore(path).schedule;
}

/** A scenario document that `faultline run` replays: the explored scenario plus the counterexample's schedule. */
/** The name of the counterexample scenario explore writes for a target scenario named `name` (and of its trace). */
export function counterexampleName(name: string): string {
  return `${name}-counterexample`;
}

export function counterexampleScenario(target: ExploreTarget, report: ExploreReport): Record<string, JsonValue> | undefined {
  const cex = report.counterexample;
  if (!target.scenario || !cex) return undefined;
  const s = target.scenario;
  return {
    name: counterexampleName(s.name),
    description: `Shortest counterexample found by faultline explore: ${cex.violation.invariant} after ${cex.path.length} steps`,
    protocol: s.protocol,
    config: s.config as Record<string, JsonValue>,
    seed: s.seed,
    duration: s.duration,
    // The run the exploration took: its network (a timed profile's constant latency), clocks and disk. Without
    // them the replay drew the default latencies and its times differed from the report's (lock: 256.489ms vs 251ms).
    network: s.network as unknown as JsonValue,
    clocks: s.clocks as unknown as JsonValue,
    disk: s.disk as unknown as JsonValue,
    ...(s.checkers !== undefined ? { checkers: s.checkers } : {}),
    schedule: counterexampleSchedule(target, cex.path),
    expect: { violation: cex.violation.invariant },
  };
}

/** One level of iterative deepening over timer budgets (`faultline explore --deepen`). */
export interface DeepenLevel {
  /** The level: every deepened kind may fire this many times. */
  level: number;
  timers: Record<string, number>;
  report: ExploreReport;
  /** Whether some state had a timer its budget kept from firing (false: a higher level explores the same space). */
  timersBound: boolean;
}

export interface DeepenOptions {
  /** Timer kinds deepened together (`*`: all firings together); each gets budget n at level n. */
  kinds: readonly string[];
  /** Last level tried (default: no limit; the other ends still apply). */
  upTo?: number;
  /** Levels before this one are skipped (default 0). */
  from?: number;
}

/** Why deepening stopped: a violation, a level cut by --max-states or stopped, the timer bound no longer binding, or `upTo`. */
export type DeepenEnd = 'violation' | 'max-states' | 'stopped' | 'not-binding' | 'up-to';

/**
 * Iterative deepening over timer budgets: explore with every kind in `kinds` bounded at 0 firings, then 1, 2, ...
 * (other options, `--timers` entries for other kinds included, fixed), each level a complete exploration of its
 * own, until a level finds a violation (its counterexample is the shortest within that level's budgets, BFS; no
 * lower level has one at all), a level ends early (max states, stopped), a level in which no timer was kept from
 * firing by its budget (every higher level would explore the same states: the verdict covers all of them), or
 * `upTo`. Yields after each level. `makeTarget(timers)` builds the target with those timer budgets.
 */
export function* deepening(
  makeTarget: (timers: Record<string, number>) => ExploreTarget,
  deepen: DeepenOptions,
  opts: ExploreOptions,
): Generator<{ progress: ExploreProgress } | { level: DeepenLevel }, { levels: DeepenLevel[]; end: DeepenEnd; target: ExploreTarget }, void> {
  if (deepen.kinds.length === 0) throw new InputError('expected at least one timer kind to deepen', undefined, '--deepen');
  const levels: DeepenLevel[] = [];
  for (let n = deepen.from ?? 0; ; n++) {
    const timers = Object.fromEntries(deepen.kinds.map((k) => [k, n]));
    const target = makeTarget(timers);
    const model = target.model as { timersBound?: boolean };
    const it = exploring(target.model, opts);
    let report: ExploreReport;
    for (;;) {
      const r = it.next();
      if (r.done) {
        report = r.value;
        break;
      }
      yield { progress: r.value };
    }
    const level: DeepenLevel = { level: n, timers: target.budgets?.timers ? { ...target.budgets.timers } : timers, report, timersBound: model.timersBound ?? true };
    levels.push(level);
    yield { level };
    let end: DeepenEnd | undefined;
    if (report.counterexample) end = 'violation';
    else if (report.end === 'max-states' || report.end === 'stopped') end = report.end;
    else if (!level.timersBound) end = 'not-binding';
    else if (deepen.upTo !== undefined && n >= deepen.upTo) end = 'up-to';
    if (end !== undefined) return { levels, end, target };
  }
}

/** `deepening` run to its end. */
export function deepen(makeTarget: (timers: Record<string, number>) => ExploreTarget, d: DeepenOptions, opts: ExploreOptions): { levels: DeepenLevel[]; end: DeepenEnd; target: ExploreTarget } {
  const it = deepening(makeTarget, d, opts);
  for (;;) {
    const r = it.next();
    if (r.done) return r.value;
  }
}
