// faultline fuzz <scenario-or-protocol> [--runs N | --time 60s] [--workers K] [--shard i/n] [--json]
//
// A campaign of generated runs (seed, fault schedule) over a base scenario,
// split into deterministic batches (sim/fuzz/campaign.ts) that run on worker
// threads (piscina). Every failure is shrunk, its trace written through
// withTraceFile, and reported with the one line that replays it.

import { BUG_OPTION_HELP, collectBugs } from '../bug-option.ts';
import { plural } from '../plural.ts';
import { Presets, SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { randomInt } from 'node:crypto';
import { accessSync, closeSync, constants as fsConstants, existsSync, openSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { Piscina } from 'piscina';
import { formatDuration, formatWall } from '../time-format.ts';
import { describeFault } from '../fault-text.ts';
import { DEFAULT_FAULT_KINDS, DEFAULT_RARE_KINDS, GEN_FAULT_KINDS, RARE_KIND_SHARE, mergeConfig, undrawableKinds, resolveFaultGen, type FaultGenOptions, type GenFaultKind, type WorkloadArb } from '../../fuzz/arbitraries.ts';
import { DEFAULT_BATCH, batchSteps, planBatches, parseShard, WHOLE, type BatchHooks, type BatchJob, type BatchResult, type BatchTask, type Shard } from '../../fuzz/campaign.ts';
import { FUZZ_STRATEGIES, REPEATS_KEPT, failureTracePath, startProblem, strategyGen, strategyWorkload, type FuzzFailure, type FuzzRefusal, type FuzzRepeat, type FuzzStrategy } from '../../fuzz/fuzz.ts';
import { loadWorkload, preloadWorkload, type WorkerJob } from '../../fuzz/worker-task.ts';
import { getProtocol, protocolNames } from '../../protocols/registry.ts';
import { InputError } from '../../scenario/errors.ts';
import { nearestName, parseScenario, prepareRun } from '../../scenario/resolve.ts';
import { runPrepared } from '../../scenario/run.ts';
import type { Scenario } from '../../scenario/schema.ts';
import { describeFsError, makeFolders, withTraceFile, writeOutputFile } from '../file-sink.ts';
import { releaseWarnings } from '../messages.ts';
import { loadScenario, scenarioFiles } from '../scenarios.ts';
import { importUserModule, loadedProtocolModules } from '../protocol-modules.ts';
import { campaignSeed, parseDurationOption, parseSeed } from '../options.ts';

interface FuzzCliOptions {
  runs?: string;
  time?: string;
  workers?: string;
  shard?: string;
  json?: boolean;
  seed?: string;
  batch?: string;
  out: string;
  kinds?: string;
  targets?: string;
  maxFaults?: string;
  maxFailures?: string;
  shrinkBudget?: string;
  /** commander: true with --swarm, false with --no-swarm, undefined otherwise (fuzz()'s default per strategy). */
  swarm?: boolean;
  strategy?: string;
  keepFaults?: boolean;
  shrink: boolean;
  duration?: string;
  config?: string;
  bug?: string[];
  /** commander: false with --no-workload; a module path with --workload; undefined otherwise. */
  workload?: string | false;
  workerMemory?: string;
}

function positiveInt(text: string, option: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new InputError(`expected a positive integer (got "${text}")`, undefined, option);
  return n;
}

/** A scenario file or name, else a protocol name (a base scenario with its default config). */
async function baseScenario(ref: string, opts: FuzzCliOptions): Promise<{ scenario: Scenario; file: string | undefined }> {
  const isScenario = existsSync(ref) || scenarioFiles().some((f) => f.replace(/^.*\//, '').replace(/\.(ts|js|json)$/, '') === ref);
  let doc: Record<string, unknown>;
  let file: string | undefined;
  if (isScenario) {
    const loaded = await loadScenario(ref);
    file = loaded.file;
    doc = { ...loaded.scenario, faults: { ...loaded.scenario.faults } };
  } else if (getProtocol(ref)) {
    doc = { name: `${ref}-fuzz`, description: `fuzz campaign over ${ref} with its default config`, protocol: ref, duration: '5s' };
  } else {
    throw new InputError(`not a scenario file, a scenario in scenarios/ or a protocol; protocols: ${protocolNames().join(', ')}`, ref);
  }
  // One rule for every duration option (parseDurationOption): a unit is required (`--duration 10` is refused, not 10 µs); 0 needs none.
  if (opts.duration !== undefined) doc.duration = parseDurationOption(opts.duration, '--duration');
  let config = (doc.config as Record<string, unknown> | undefined) ?? {};
  if (opts.config !== undefined) {
    let patch: unknown;
    try {
      patch = JSON.parse(opts.config);
    } catch (err) {
      throw new InputError(`expected a JSON object (${err instanceof Error ? err.message : String(err)})`, undefined, '--config');
    }
    if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) throw new InputError('expected a JSON object', undefined, '--config');
    config = mergeConfig(config, patch as Record<string, unknown>);
  }
  if ((opts.bug ?? []).length > 0) {
    // Name the planted bugs the protocol has when --bug names another (its default config lists every switch).
    const protocol = getProtocol(String(doc.protocol));
    const defaults = protocol?.configSchema.safeParse({});
    const known = defaults?.success ? Object.keys((defaults.data as { bugs?: Record<string, unknown> }).bugs ?? {}) : undefined;
    for (const bug of opts.bug ?? []) {
      if (known !== undefined && !known.includes(bug)) {
        const near = nearestName(bug, known);
        throw new InputError(known.length === 0 ? `${String(doc.protocol)} has no planted bugs` : `unknown planted bug "${bug}" of ${String(doc.protocol)}${near !== undefined ? `; did you mean "${near}"?` : ''}; expected one of: ${known.join(', ')}`, undefined, '--bug');
      }
      config = mergeConfig(config, { bugs: { [bug]: true } });
    }
  }
  doc.config = config;
  const where = file ?? `${ref} (with the command line options)`;
  return { scenario: parseScenario(doc, where), file };
}

function faultOptions(opts: FuzzCliOptions): FaultGenOptions {
  const out: FaultGenOptions = {};
  if (opts.kinds !== undefined) {
    const kinds = opts.kinds.split(',').map((k) => k.trim()).filter((k) => k !== '');
    // An empty list would run a campaign with no faults at all, silently: say so (--kinds is a subset to draw from).
    if (kinds.length === 0) throw new InputError(`expected at least one fault kind (got "${opts.kinds}"); some of: ${GEN_FAULT_KINDS.join(', ')}`, undefined, '--kinds');
    for (const k of kinds) {
      if (!(GEN_FAULT_KINDS as readonly string[]).includes(k)) throw new InputError(`unknown fault kind "${k}"; expected some of: ${GEN_FAULT_KINDS.join(', ')}`, undefined, '--kinds');
    }
    out.kinds = kinds as GenFaultKind[];
  }
  // Swarm testing is fuzz()'s default for targeted and guided, off for the random baseline; --swarm / --no-swarm force it.
  if (opts.swarm !== undefined) out.swarm = opts.swarm;
  if (opts.targets !== undefined) out.nodes = opts.targets.split(',').map((k) => k.trim()).filter((k) => k !== '');
  if (opts.maxFaults !== undefined) {
    const n = Number(opts.maxFaults);
    if (!Number.isInteger(n) || n < 0) throw new InputError(`expected a non-negative integer (got "${opts.maxFaults}")`, undefined, '--max-faults');
    out.maxFaults = n;
  }
  return out;
}

/** Where progress goes: stderr, or (tests) any stream that says whether it is a terminal. */
export type ProgressStream = NodeJS.WritableStream & { isTTY?: boolean };

/** Progress on stderr: a bar on a terminal, a plain line every few seconds otherwise. */
export class Progress {
  private readonly bar: SingleBar | undefined;
  private readonly t0 = performance.now();
  private lastLine = 0;
  /** What the last plain line said (runs, violations, states, shrinking): the final line is not printed again when nothing moved. */
  private lastSaid = '';
  private stopped = false;
  private payload: Record<string, string | number> = { rate: '0', violations: 0, left: '?', runs: '0', states: 0, shrink: '' };
  /** Distinct abstract states reached by the finished batches (-1 until one has finished). */
  states = -1;
  /** The most distinct abstract states a running batch has reached so far (shown until a batch finishes: "?" before any run). */
  runningStates = -1;
  /** Wall time spent shrinking (ms), left out of runs/s; and the last update's time and whether it was shrinking. */
  private shrinkMs = 0;
  private lastUpdate = performance.now();
  private wasShrinking = false;
  /** Shrinking in progress: runs used and the budget of one failure (0 when not shrinking). */
  shrinking: { used: number; budget: number } = { used: 0, budget: 0 };
  constructor(
    private readonly total: number | undefined,
    private readonly deadline: number | undefined,
    private readonly seed: number,
    private readonly stream: ProgressStream = process.stderr,
  ) {
    if (stream.isTTY === true) {
      this.bar = new SingleBar(
        { format: 'fuzz seed {seed} [{bar}] {percentage}% | {runs} runs | {rate} runs/s | {states} states | {violations} violations{shrink} | {left} left', hideCursor: true, stream: stream as NodeJS.WriteStream },
        Presets.shades_classic,
      );
      // Runs done (of the run budget, if any): the bar's own value is elapsed time's share under --time.
      this.payload.runs = total !== undefined ? `0/${total}` : '0';
      this.payload.seed = seed;
      this.bar.start(total ?? 1000, 0, this.payload);
    }
  }

  update(done: number, violations: number, final = false): void {
    const now = performance.now();
    const shrinkingNow = this.shrinking.budget > 0 && this.shrinking.used > 0;
    if (this.wasShrinking || shrinkingNow) this.shrinkMs += now - this.lastUpdate;
    this.wasShrinking = shrinkingNow;
    this.lastUpdate = now;
    const secs = (now - this.t0) / 1000;
    const runSecs = secs - this.shrinkMs / 1000;
    const rate = runSecs > 0 ? done / runSecs : 0;
    // The failure being shrunk is counted when its shrinking ends: count it already.
    if (shrinkingNow) violations += 1;
    const known = Math.max(this.states, this.runningStates);
    const states = known < 0 ? '?' : known;
    let left: number | undefined;
    if (this.deadline !== undefined) left = Math.max(0, (this.deadline - now) / 1000);
    else if (this.total !== undefined && rate > 0) left = (this.total - done) / rate;
    // Whole seconds, rounded up: never "0us left" while time remains, "0s" once it is up.
    const leftText = left === undefined ? '?' : left <= 0 ? '0s' : formatWall(Math.ceil(left));
    // While a failure shrinks, no budget run finishes: say so, with the shrink budget, rather than sit still.
    const shrink = shrinkingNow ? ` | shrinking a failure: ${this.shrinking.used}/${this.shrinking.budget} runs of the shrink budget` : '';
    if (this.bar) {
      // With a time budget the bar shows elapsed time as a share of the budget.
      const value = this.total ?? Math.round((1000 * secs) / (secs + (left ?? 0) || 1));
      this.payload = { rate: rate.toFixed(1), violations, left: leftText, runs: this.total !== undefined ? `${done}/${this.total}` : `${done}`, states, shrink, seed: this.seed };
      this.bar.update(this.total !== undefined ? done : value, this.payload);
      return;
    }
    const said = `${done} ${violations} ${states} ${shrink}`;
    // Not a terminal: a line every 2 s, and a final one unless the last line already said the same.
    if ((final && said !== this.lastSaid) || now - this.lastLine >= 2000) {
      this.lastLine = now;
      this.lastSaid = said;
      this.stream.write(`fuzz: seed ${this.seed}, ${done}${this.total !== undefined ? `/${this.total}` : ''} ${done === 1 && this.total === undefined ? 'run' : 'runs'}, ${rate.toFixed(1)} runs/s, ${states === 1 ? '1 state' : `${states} states`}, ${plural(violations, 'violation')}${shrink.replace(' |', ',')}, ${leftText} left\n`);
    }
  }

  /** Wall seconds spent outside shrinking (what the runs/s of the progress line divides by). */
  searchSeconds(): number {
    return (performance.now() - this.t0 - this.shrinkMs) / 1000;
  }

  /** Print lines above the bar, which then carries on below them. */
  print(text: string): void {
    if (!this.bar || this.stopped) {
      this.stream.write(text);
      return;
    }
    const value = this.bar.getProgress() * this.bar.getTotal();
    this.bar.stop();
    this.stream.write(text);
    this.bar.start(this.bar.getTotal(), Math.round(value), this.payload);
  }

  stop(): void {
    this.stopped = true;
    this.bar?.stop();
  }
}

interface WrittenFailure {
  failure: FuzzFailure;
  batch: number;
  trace: string;
  scenarioFile: string;
  /** Why its shrinking was cut short (failure.shrinkCut): see shrinkCutCause. */
  cutBy?: string;
}

/** A refused run written out: its shrunk scenario only (no trace: `faultline run` on it is refused again, the same way). */
interface WrittenRefusal {
  refusal: FuzzRefusal;
  batch: number;
  scenarioFile: string;
  replay: string;
}

/** The human lines of a refused run (sim/fuzz/fuzz.ts FuzzRefusal): a message storm or stalled time is shown, but it is not a violation. */
export function formatRefusal(w: Pick<WrittenRefusal, 'refusal' | 'batch' | 'scenarioFile' | 'replay'>, shrunk: boolean): string[] {
  const r = w.refusal;
  const timeline = r.scenario.faults.timeline as unknown as Record<string, unknown>[];
  return [
    `REFUSED     ${r.reason} (${refusalKind(r.limit)}: not a violation of a protocol property; no checker judged the run)`,
    `  seed      ${r.seed} (batch ${w.batch})`,
    `  ${shrunk ? 'shrunk  ' : 'faults  '}  ${plural(timeline.length, 'fault')}${timeline.length > 0 ? `: ${timeline.map(describeFault).join(', ')}` : ''}${r.shrinkCut ? ' (shrinking cut short)' : ''}`,
    `  scenario  ${w.scenarioFile}`,
    `  replay    ${w.replay}   # refused again, the same way`,
  ];
}

/** What a refusal's bound says about the run, in words. */
export function refusalKind(limit: string): string {
  switch (limit) {
    case 'queuedEvents':
      return 'a message storm: more events in flight than the engine holds';
    case 'pausedEvents':
      return 'more events held for a paused node than the engine holds';
    case 'time-stalled':
      return 'virtual time stopped advancing';
    case 'steps':
      return 'the run reached the step limit';
    default:
      return `the engine's ${limit} bound`;
  }
}

/**
 * What ended a campaign before its plan, for `stopped_by` and the summary: a Ctrl-C; `--max-failures` reached
 * (`maxReachedAt`, ms on the campaign's clock, when the failure that reached it was written) before the
 * `deadline` (ms, absent without --time); else the time budget when it ran out (`timeUp`) -- also when
 * --max-failures was reached only after it (a shrink cut short by --time, then written): the time was used up.
 * Null: the plan ran to its end.
 */
export function campaignStoppedBy(s: { interrupted: boolean; maxReachedAt: number | undefined; deadline: number | undefined; timeUp: boolean }): 'interrupt' | 'max-failures' | 'time' | null {
  if (s.interrupted) return 'interrupt';
  if (s.maxReachedAt !== undefined && (s.deadline === undefined || s.maxReachedAt < s.deadline)) return 'max-failures';
  if (s.deadline !== undefined && (s.timeUp || s.maxReachedAt !== undefined)) return 'time';
  return null;
}

/**
 * What ended a failure's shrinking early (the batch's `stop` said so): a Ctrl-C, the --time budget, or (a
 * --time campaign) --max-failures reached by other batches. Named by what the campaign saw, not assumed.
 */
export function shrinkCutCause(interrupted: boolean, timeUp: boolean, maxFailures: number): string {
  return interrupted ? 'the interrupt (Ctrl-C)' : timeUp ? '--time' : `--max-failures ${maxFailures} being reached`;
}

/**
 * The summary line for failing runs neither written nor counted as duplicates, by cause: `pastLimit` past
 * --max-failures (a batch that had shrunk its share of the limit, or shrunk after the limit was reached:
 * `lateShrunk` of them), `sameInBatch` shrunk within their batch to a counterexample that batch had already
 * found (the limit not reached there; `shrink` false: identical to one it had). The advice to raise --max-failures only when the limit cut some.
 */
export function notWrittenLine(pastLimit: number, sameInBatch: number, lateShrunk: number, maxFailures: number, shrink = true): string | undefined {
  const total = pastLimit + sameInBatch;
  if (total === 0) return undefined;
  const causes = [
    ...(pastLimit > 0 ? [`${pastLimit} past --max-failures ${maxFailures}${lateShrunk > 0 ? ` (${lateShrunk} of them shrunk by a batch that finished after the limit was reached)` : ''}`] : []),
    ...(sameInBatch > 0 ? [shrink ? `${sameInBatch} shrunk within their batch to a counterexample that batch had already found` : `${sameInBatch} identical to a failing run their batch had already found`] : []),
  ];
  return `not written ${plural(total, 'more failing run')} (${causes.join('; ')}): counted in violations, not written${pastLimit > 0 ? '; raise --max-failures to see more' : ''}`;
}

/**
 * Claim `<dir>/<name>.json` for a failure without clobbering another campaign's file (two
 * `faultline fuzz` processes may share an output folder): the file is created exclusively; if
 * it exists with other content, the next name (`<name>-2`, `-3`, ...) is tried. The same
 * failure found again (same content) reuses its file.
 */
export function claimScenarioFile(dir: string, failure: Pick<FuzzFailure, 'scenario'>): { scenario: FuzzFailure['scenario']; file: string } {
  makeFolders(dir);
  for (let k = 1; ; k++) {
    const name = k === 1 ? failure.scenario.name : `${failure.scenario.name}-${k}`;
    const scenario = { ...failure.scenario, name };
    const text = JSON.stringify(scenario, null, 2) + '\n';
    const file = `${dir.replace(/\/+$/, '')}/${name}.json`;
    try {
      closeSync(openSync(file, 'wx'));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      let existing = '';
      try {
        existing = readFileSync(file, 'utf8');
      } catch {
        // Vanished or unreadable: not ours; try the next name.
      }
      if (existing !== text) continue;
    }
    // Claimed (or the same failure's file): write the content through a temporary file, so a reader never sees half of it.
    writeOutputFile(file, text, 'the scenario');
    return { scenario, file };
  }
}

/** Write the failing run's shrunk scenario as JSON and its trace (through withTraceFile), next to each other. */
function writeFailure(failure: FuzzFailure, batch: number, dir: string): WrittenFailure {
  const { scenario, file: scenarioFile } = claimScenarioFile(dir, failure);
  const trace = failureTracePath(scenario, dir);
  const named: FuzzFailure = { ...failure, scenario, tracePath: trace, replay: `npx faultline replay ${trace}` };
  withTraceFile(trace, (sink) => runPrepared(prepareRun(scenario), { trace: sink }));
  return { failure: named, batch, trace, scenarioFile };
}

/** Repeats whose replay line the text summary prints (the first, in batch and run order; --json has all those kept). */
const REPEATS_PRINTED = 3;

/** A repeat (FuzzRepeat) written out like a failure: its unshrunk scenario and trace, and the line that replays it. */
interface WrittenRepeat {
  repeat: FuzzRepeat;
  batch: number;
  trace: string;
  scenarioFile: string;
  replay: string;
}

/** Write a repeat's run (not shrunk) as a failure is written: scenario JSON and trace, replayed by `faultline replay <trace>`. */
function writeRepeat(repeat: FuzzRepeat, batch: number, dir: string): WrittenRepeat {
  const { scenario, file: scenarioFile } = claimScenarioFile(dir, repeat);
  const trace = failureTracePath(scenario, dir);
  withTraceFile(trace, (sink) => runPrepared(prepareRun(scenario), { trace: sink }));
  return { repeat: { ...repeat, scenario }, batch, trace, scenarioFile, replay: `npx faultline replay ${trace}` };
}

// One fault in human output: sim/cli/fault-text.ts (shared with fuzzTest's failure message).
export { describeFault };

function formatFailure(w: WrittenFailure, shrunk: boolean): string[] {
  const f = w.failure;
  const timeline = f.scenario.faults.timeline as unknown as Record<string, unknown>[];
  return [
    `FAIL        ${f.violation.invariant} at ${formatDuration(f.violation.t)}: ${f.violation.message}`,
    `  seed      ${f.seed} (batch ${w.batch})`,
    `  ${shrunk ? 'shrunk  ' : 'faults  '}  ${plural(timeline.length, 'fault')}${timeline.length > 0 ? `: ${timeline.map(describeFault).join(', ')}` : ''}`,
    ...(f.shrinkCut ? [`  note      shrinking was cut short by ${w.cutBy ?? '--time'}: this is the smallest failing run found by then (it replays as is)`] : []),
    `  trace     ${w.trace}`,
    `  scenario  ${w.scenarioFile}`,
    `  replay    ${f.replay}`,
    `  view      npx faultline view ${w.trace}`,
  ];
}

/**
 * A failing run's simulation seed in `--json`: a number, as the campaign's `seed` is (the generator draws
 * integers); a seed that is not a plain integer (a scenario's own text seed) stays a string.
 */
export function jsonSeed(seed: string): number | string {
  return /^(0|[1-9]\d{0,14})$/.test(seed) ? Number(seed) : seed;
}

/**
 * How a fresh campaign replays. A `--time` campaign stops inside a batch, at a point wall time decides: its
 * runs are replayed by the same `--seed` with `--time` (the same runs, as far as that machine gets) or with
 * `--runs` of its whole batches (a superset: each batch's runs are the first of the full batch).
 */
export function replayHint(c: Pick<Campaign, 'seed' | 'budgetMs' | 'batchSize'>, batches: number): string {
  if (c.budgetMs === undefined) return `--seed ${c.seed} replays it`;
  return `--seed ${c.seed} --time ${formatWall(c.budgetMs / 1000)} replays it as far as the time allows; --seed ${c.seed} --runs ${Math.max(1, batches) * c.batchSize} runs its ${plural(Math.max(1, batches), 'whole batch', 'whole batches')}, every run it made included`;
}

/** A campaign as the command line describes it, every option checked. */
interface Campaign {
  scenario: Scenario;
  runs: number | undefined;
  budgetMs: number | undefined;
  /** The shard's share of the run budget, for the progress bar. */
  shardRuns: number | undefined;
  shard: Shard;
  workers: number;
  batchSize: number;
  seed: number;
  /** True when the seed was drawn for this invocation (no --seed). */
  freshSeed: boolean;
  strategy: FuzzStrategy;
  maxFailures: number;
  shrinkBudget: number | undefined;
  faults: FaultGenOptions;
  workload: WorkloadArb | undefined;
  workloadModule: string | undefined;
  /** Guided with the protocol's default workload: its plain draws draw random's (the pre-issue base workload). */
  plainWorkload: WorkloadArb | undefined;
  plainWorkloadModule: string | undefined;
  /** What the run header says about the workload: a module path, "<protocol> default", or "none". */
  workloadName: string;
  /** The --workload module (a file URL), loaded through the user-module loader on every thread; absent for a protocol's own. */
  userWorkloadModule?: string;
}

async function campaignFrom(ref: string, opts: FuzzCliOptions): Promise<Campaign> {
  if (opts.runs !== undefined && opts.time !== undefined) throw new InputError('give a run budget or a time budget, not both', undefined, '--runs/--time');
  const runs = opts.time !== undefined ? undefined : positiveInt(opts.runs ?? '200', '--runs');
  let budgetMs: number | undefined;
  if (opts.time !== undefined) {
    budgetMs = parseDurationOption(opts.time, '--time', { positive: true, examples: ['60s', '5m'] }) / 1000;
  }
  let shard: Shard = WHOLE;
  if (opts.shard !== undefined) {
    const s = parseShard(opts.shard);
    if (!s) throw new InputError(`expected i/n with 1 <= i <= n, e.g. 2/4 (got "${opts.shard}")`, undefined, '--shard');
    shard = s;
  }
  const workers = opts.workers !== undefined ? positiveInt(opts.workers, '--workers') : availableParallelism();
  const strategy = (opts.strategy ?? 'guided') as FuzzStrategy;
  if (!FUZZ_STRATEGIES.includes(strategy)) throw new InputError(`expected one of: ${FUZZ_STRATEGIES.join(', ')} (got "${opts.strategy}")`, undefined, '--strategy');
  // A guided batch keeps its own corpus: bigger batches give it room to grow.
  const batchSize = positiveInt(opts.batch ?? String(DEFAULT_BATCH[strategy]), '--batch');
  if (opts.shard !== undefined && opts.seed === undefined) {
    throw new InputError('shards of one campaign must share its seed: give the same --seed to every shard (in CI, the run number)', undefined, '--shard');
  }
  let seed: number;
  if (opts.seed !== undefined) {
    seed = campaignSeed(opts.seed); // the one seed parser (options.ts): text is hashed to an integer
  } else {
    // A fresh campaign each invocation (OS randomness, here in the CLI only), printed so that --seed replays it.
    seed = randomInt(0, 0x80000000);
  }
  const maxFailures = positiveInt(opts.maxFailures ?? '5', '--max-failures');
  let shrinkBudget: number | undefined;
  if (opts.shrinkBudget !== undefined) {
    shrinkBudget = Number(opts.shrinkBudget);
    if (!Number.isInteger(shrinkBudget) || shrinkBudget < 0) throw new InputError(`expected a non-negative integer (got "${opts.shrinkBudget}")`, undefined, '--shrink-budget');
  }
  const faults = faultOptions(opts);
  const { scenario, file } = await baseScenario(ref, opts);
  const preparedBase = prepareRun(scenario, file !== undefined ? { file } : {});
  // A config the nodes reject at start is bad input (exit 2), not a failure of every run.
  const problem = startProblem(preparedBase);
  if (problem !== undefined) throw new InputError(`the protocol's nodes reject this config when they start: ${problem}`, file ?? ref, 'config');
  const cluster = preparedBase.nodes.map((n) => n.id);
  if (faults.nodes?.length === 0) throw new InputError('expected at least one node id', undefined, '--targets');
  for (const [i, id] of (faults.nodes ?? []).entries()) {
    if (!cluster.includes(id)) throw new InputError(`unknown node "${id}"; this cluster has: ${cluster.join(', ')}`, undefined, '--targets');
    if (faults.nodes?.indexOf(id) !== i) throw new InputError(`node "${id}" is listed twice; expected distinct node ids`, undefined, '--targets');
  }
  // A kind that needs more targets than given (a block, a partition: two sides) would never be drawn, silently.
  // Only kinds asked for by --kinds: the default kinds leave out what the targets cannot draw.
  const undrawable = undrawableKinds(faults.kinds ?? [], (faults.nodes ?? cluster).length);
  if (undrawable.length > 0) {
    throw new InputError(
      `${undrawable.map((u) => `${u.kind} needs at least ${u.min} targets`).join(', ')} (got ${plural((faults.nodes ?? cluster).length, 'target')}): never drawn; give more --targets or leave it out of --kinds`,
      undefined,
      '--targets/--kinds',
    );
  }
  try {
    // The same check fuzz() makes, here so that it is reported as a bad option rather than a crash.
    resolveFaultGen(faults, cluster, scenario.duration);
  } catch (err) {
    if (err instanceof RangeError) throw new InputError(`cannot generate faults: ${err.message} (duration ${formatDuration(scenario.duration)})`, undefined, '--duration/--targets');
    throw err;
  }
  let workloadModule: string | undefined;
  let workload: WorkloadArb | undefined;
  let workloadName = 'none';
  let plainWorkload: WorkloadArb | undefined;
  let plainWorkloadModule: string | undefined;
  if (typeof opts.workload === 'string') {
    if (!existsSync(opts.workload)) throw new InputError('no such module', opts.workload);
    workloadModule = pathToFileURL(resolve(opts.workload)).href;
    // A user's workload loads as a scenario does (TypeScript through tsx, type errors with file and line: bad
    // input); worker threads load it the same way in their entry (sim/fuzz/worker.js).
    preloadWorkload(workloadModule, (await importUserModule(opts.workload)).default);
    try {
      workload = await loadWorkload(workloadModule);
    } catch (err) {
      throw new InputError(err instanceof Error ? (err.message.split('\n')[0] ?? err.message) : String(err), opts.workload);
    }
    workloadName = opts.workload;
  } else if (opts.workload !== false) {
    // No --workload and no --no-workload: the protocol's own default workload, if it has one.
    // Worker threads load it from a module, named by the protocol in the URL's query.
    // The random baseline draws the protocol's pre-issue-11 base workload (strategyWorkload).
    const own = strategyWorkload(scenario.protocol, strategy);
    if (own) {
      const base = strategy === 'random' && getProtocol(scenario.protocol)?.fuzzWorkloadBase !== undefined;
      workload = own;
      workloadModule = `${new URL(`../protocol-workload.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url).href}?protocol=${encodeURIComponent(scenario.protocol)}${base ? '&base=1' : ''}`;
      workloadName = `${scenario.protocol} ${base ? 'base (pre-issue-11 knobs)' : 'default'}`;
      // Guided's plain draws (its portfolio start) are made as random makes them, with random's workload.
      const plain = strategy === 'guided' ? strategyWorkload(scenario.protocol, 'random') : undefined;
      if (plain !== undefined && plain !== own) {
        plainWorkload = plain;
        plainWorkloadModule = `${workloadModule}&base=1`;
      }
    }
  }
  let shardRuns: number | undefined;
  if (runs !== undefined) {
    shardRuns = 0;
    for (const t of planBatches({ runs, batchSize, seed, shard })) shardRuns += t.runs;
    // More shards than batches: this one would run nothing and pass; say so instead.
    if (shardRuns === 0) throw new InputError(`shard ${shard.index}/${shard.count} has no batches: ${runs} runs make ${Math.ceil(runs / batchSize)} batch${Math.ceil(runs / batchSize) === 1 ? '' : 'es'} of ${batchSize}; use at most that many shards, or more runs`, undefined, '--shard');
  }
  return { scenario, runs, budgetMs, shardRuns, shard, workers, batchSize, seed, freshSeed: opts.seed === undefined, strategy, maxFailures, shrinkBudget, faults, workload, workloadModule, plainWorkload, plainWorkloadModule, workloadName, ...(typeof opts.workload === 'string' ? { userWorkloadModule: workloadModule } : {}) };
}

/** What both runners share: the batches to take, how to make a job, when to stop, where results go. */
interface CampaignLoop {
  plan: Iterator<BatchTask>;
  job(task: BatchTask): BatchJob;
  more(): boolean;
  collect(r: BatchResult): void;
  /** A worker thread died running a batch: report it, and the campaign goes on. */
  died(task: BatchTask, runsStarted: number, lastSeed: number | undefined, err: unknown): void;
  progress: Progress;
}

/** "election-safety 3, log-matching 1": how many failures broke each invariant, most first. */
function byInvariant(written: readonly WrittenFailure[]): string {
  const counts = new Map<string, number>();
  for (const w of written) counts.set(w.failure.violation.invariant, (counts.get(w.failure.violation.invariant) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([k, n]) => `${k} ${n}`).join(', ');
}

/**
 * "default all but corrupt; duplicate in 1 run in 4 unless the protocol declares it ordinary": the --kinds default, derived from DEFAULT_FAULT_KINDS,
 * DEFAULT_RARE_KINDS and RARE_KIND_SHARE so the help stays true.
 */
export function kindsDefaultText(): string {
  const left = GEN_FAULT_KINDS.filter((k) => !DEFAULT_FAULT_KINDS.includes(k));
  const all = left.length === 0 ? 'default all' : `default all but ${left.join(', ')}`;
  const rare = DEFAULT_RARE_KINDS.filter((k) => DEFAULT_FAULT_KINDS.includes(k));
  // A protocol's fault prior (ProtocolDefinition.fuzzFaults) may declare a rare kind ordinary for its campaigns.
  return rare.length === 0 ? all : `${all}; ${rare.join(', ')} in 1 run in ${Math.round(1 / RARE_KIND_SHARE)} unless the protocol declares it ordinary`;
}

/** What a campaign's runs draw faults from, for the summary's `faults` line and `--json`. */
export interface CampaignFaults {
  /** The kinds runs draw from (before swarm testing picks a subset per run). */
  kinds: readonly GenFaultKind[];
  /** Kinds of `kinds` drawn only in a minority of runs (RARE_KIND_SHARE). */
  rare: readonly GenFaultKind[];
  /** Default rare kinds the protocol's fault prior (ProtocolDefinition.fuzzFaults.ordinary) made ordinary here. */
  priorOrdinary: readonly GenFaultKind[];
  swarm: boolean;
}

/** The fault kinds a campaign of `strategy` on `scenario` with `faults` draws (strategyGen's resolution). */
export function campaignFaults(scenario: Scenario, strategy: FuzzStrategy, faults: FaultGenOptions): CampaignFaults {
  const { gen } = strategyGen(scenario, strategy, faults);
  const rare = gen.rareKinds.filter((k) => gen.kinds.includes(k));
  const priorOrdinary = faults.kinds === undefined && faults.rareKinds === undefined ? DEFAULT_RARE_KINDS.filter((k) => gen.kinds.includes(k) && !rare.includes(k)) : [];
  return { kinds: gen.kinds, rare, priorOrdinary, swarm: gen.swarm };
}

/** "crash, partition, …, duplicate (duplicate in 1 run in 4); swarm": the summary's `faults` line. */
export function campaignFaultsText(f: CampaignFaults, protocol: string): string {
  const rare = f.rare.length > 0 ? ` (${f.rare.join(', ')} in 1 run in ${Math.round(1 / RARE_KIND_SHARE)})` : '';
  const prior = f.priorOrdinary.length > 0 ? `; ${f.priorOrdinary.join(', ')} ordinary, not rare: ${protocol}'s fault prior (fuzzFaults) declares it so` : '';
  return `${f.kinds.join(', ')}${rare}${prior}; ${f.swarm ? 'swarm (each run draws from a random subset of these kinds)' : 'no swarm'}`;
}

/** Wall time (ms) a one-worker batch runs before it lets the event loop turn (a Ctrl-C is seen there). */
const YIELD_EVERY_MS = 50;

/**
 * Drive a batch run by run (batchSteps), letting the event loop turn at most every YIELD_EVERY_MS between two
 * runs: the SIGINT handler then sets the flag the batch's `stop` reads before its next run.
 */
export async function driveSteps<T>(steps: Generator<number, T, void>, everyMs = YIELD_EVERY_MS): Promise<T> {
  let last = performance.now();
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
    if (performance.now() - last >= everyMs) {
      await new Promise<void>((resolveTurn) => setImmediate(resolveTurn));
      last = performance.now();
    }
  }
}

/** One worker: batches run in this thread, one after the other. */
async function runInline(loop: CampaignLoop, workload: WorkloadArb | undefined, plainWorkload: WorkloadArb | undefined): Promise<void> {
  let done = 0;
  let violations = 0;
  for (let it = loop.plan.next(); !it.done; it = loop.plan.next()) {
    // Let the event loop run between batches, so a Ctrl-C (SIGINT) is seen and the campaign stops with a report.
    await new Promise<void>((r) => setImmediate(r));
    if (!loop.more()) break;
    const hooks: BatchHooks = {
      onRun: (violated, states) => {
        done++;
        if (violated) violations++;
        loop.progress.runningStates = Math.max(loop.progress.runningStates, states);
        loop.progress.shrinking = { used: 0, budget: 0 };
        loop.progress.update(done, violations);
      },
      onShrink: (used, budget) => {
        loop.progress.shrinking = { used, budget };
        loop.progress.update(done, violations);
      },
      // --time up or Ctrl-C: end the batch before its next run, not after all of it.
      stop: () => !loop.more(),
    };
    loop.collect(await driveSteps(batchSteps(loop.job(it.value), hooks, workload, plainWorkload)));
  }
  loop.progress.shrinking = { used: 0, budget: 0 };
  loop.progress.update(done, violations, true);
}

/**
 * K workers: piscina threads, at most K batches in flight; runs, violations and shrinking counted
 * in shared memory for the progress line. A thread that dies (out of memory, say) fails only its
 * batch: it is reported with the run it was on, piscina starts a new thread, the campaign goes on.
 */
async function runOnPool(loop: CampaignLoop, workers: number, memoryMb: number | undefined, userWorkloads: readonly string[]): Promise<void> {
  // [runs done, violations, shrinking runs in progress, shrink budget, most states a running batch reached] (worker-task.ts).
  const counters = new Int32Array(new SharedArrayBuffer(20));
  Atomics.store(counters, 4, -1);
  // Set when the campaign is over (--time up, Ctrl-C): running batches end before their next run.
  const stopFlag = new Int32Array(new SharedArrayBuffer(4));
  const pool = new Piscina({
    filename: new URL('../../fuzz/worker.js', import.meta.url).href,
    // The user's workload module is loaded by the worker entry the way the main thread loaded it
    // (sim/cli/protocol-modules.ts: tsx, with its fallback for ESM in a CommonJS cycle), not by a bare import().
    workerData: { protocolModules: loadedProtocolModules(), workloadModules: userWorkloads },
    maxThreads: workers,
    minThreads: workers,
    ...(memoryMb !== undefined ? { resourceLimits: { maxOldGenerationSizeMb: memoryMb } } : {}),
  });
  const read = (final = false): void => {
    loop.progress.shrinking = { used: Atomics.load(counters, 2), budget: Atomics.load(counters, 3) };
    loop.progress.runningStates = Atomics.load(counters, 4);
    loop.progress.update(Atomics.load(counters, 0), Atomics.load(counters, 1), final);
  };
  const tick = setInterval(() => {
    read();
    if (!loop.more()) Atomics.store(stopFlag, 0, 1);
  }, 250);
  try {
    await new Promise<void>((resolvePool, reject) => {
      let running = 0;
      let failed = false;
      const fail = (err: unknown): void => {
        failed = true;
        reject(err);
      };
      const next = (): void => {
        while (!failed && running < workers && loop.more()) {
          const it = loop.plan.next();
          if (it.done) break;
          running++;
          const task = it.value;
          const current = new Int32Array(new SharedArrayBuffer(8));
          const job: WorkerJob = { ...loop.job(task), progress: counters, current, stop: stopFlag };
          (pool.run(job) as Promise<BatchResult>).then(
            (r) => {
              running--;
              try {
                loop.collect(r);
              } catch (err) {
                fail(err);
                return;
              }
              next();
            },
            (err: unknown) => {
              running--;
              const started = Atomics.load(current, 0);
              try {
                loop.died(task, started, started > 0 ? Atomics.load(current, 1) : undefined, err);
              } catch (e) {
                fail(e);
                return;
              }
              next();
            },
          );
        }
        if (running === 0 && !failed) resolvePool();
      };
      next();
    });
  } finally {
    clearInterval(tick);
    await pool.destroy();
  }
  read(true);
}

/** The options that define a campaign's runs, as a command line (for replay lines). */
function campaignArgs(ref: string, opts: FuzzCliOptions, c: Campaign): string {
  const q = (v: string): string => (/^[\w@%+=:,./-]+$/.test(v) ? v : `'${v.replace(/'/g, "'\\''")}'`);
  const out = [q(ref), '--seed', String(c.seed), '--strategy', c.strategy, '--batch', String(c.batchSize)];
  for (const b of opts.bug ?? []) out.push('--bug', q(b));
  if (opts.config !== undefined) out.push('--config', q(opts.config));
  if (opts.duration !== undefined) out.push('--duration', q(opts.duration));
  if (opts.kinds !== undefined) out.push('--kinds', q(opts.kinds));
  if (opts.targets !== undefined) out.push('--targets', q(opts.targets));
  if (opts.maxFaults !== undefined) out.push('--max-faults', q(opts.maxFaults));
  if (opts.swarm === false) out.push('--no-swarm');
  else if (opts.swarm === true) out.push('--swarm');
  if (opts.keepFaults) out.push('--keep-faults');
  if (opts.workload === false) out.push('--no-workload');
  else if (typeof opts.workload === 'string') out.push('--workload', q(opts.workload));
  return out.join(' ');
}

export function registerFuzz(program: Command): void {
  program
    .command('fuzz')
    .description('fuzz a scenario or protocol with generated fault schedules; shrink, record and print a replay line for every failure (exit 1 if any)')
    .argument('<scenario-or-protocol>', 'scenario file, scenario name in scenarios/, or protocol name')
    .option('--runs <n>', 'run budget (default 200 unless --time is given)')
    .option('--time <duration>', 'wall-time budget instead of a run budget, e.g. 60s or 5m')
    .option('--workers <k>', 'worker threads (default: the available cores; 1 runs in this thread)')
    .option('--shard <i/n>', 'run shard i of n (1-based): n shards together run exactly the batches one machine would')
    .option('--json', 'print one JSON summary line on stdout')
    .option('--seed <n>', 'campaign seed, any text (a number is used as is, other text hashed to one; default: a fresh one each invocation, printed so that --seed replays the campaign; required with --shard)', parseSeed)
    .option('--strategy <s>', `search strategy: ${FUZZ_STRATEGIES.join(', ')} (default guided: targeted faults plus coverage guidance, mutating and branching runs that reached new abstract states; targeted: faults aimed at roles and protocol triggers, no corpus; random: the plain baseline as fuzz was when issue 11 was filed: faults at random times on random named nodes, no swarm unless --swarm, the whole fault window, the protocol's pre-issue base workload)`)
    .option('--batch <n>', 'runs per batch: the unit of parallelism and sharding (default 400 guided, 25 targeted or random)')
    .option('--worker-memory <mb>', 'heap limit of each worker thread in MB: a run past it kills its thread, which is reported and replaced')
    .option('--out <dir>', 'where failing traces go', 'traces/fuzz')
    .option('--kinds <list>', `fault kinds to generate, comma-separated: ${GEN_FAULT_KINDS.join(',')} (${kindsDefaultText()})`)
    .option('--targets <ids>', "nodes faults may hit, comma-separated (default: the protocol's servers)")
    .option('--max-faults <n>', 'most fault episodes per run (default 8)')
    .option('--swarm', 'swarm testing (the default for guided and targeted, off for random): each run draws its faults from a random subset of the kinds')
    .option('--no-swarm', 'every run draws its faults from all the kinds')
    .option('--max-failures <n>', 'failures shrunk and reported (default 5); --runs still runs every run, --time stops there')
    .option('--keep-faults', "also keep the scenario's own fault timeline")
    .option('--no-shrink', 'report failures as found, without shrinking')
    .option('--shrink-budget <n>', 'most runs spent shrinking one failure (default 500)')
    .option('--duration <duration>', 'override the run duration, with a unit: e.g. 10s or 500ms (a bare number is refused; 0 is allowed)')
    .option('--config <json>', 'merge this JSON into the protocol config')
    .option('--bug <name>', BUG_OPTION_HELP, collectBugs)
    .option('--workload <module>', "a module whose default export is a fast-check arbitrary of config patches, shrunk with the faults (default: the protocol's own workload, if it has one)")
    .option('--no-workload', "fuzz faults only: keep the base config, without the protocol's default workload")
    .action(async (ref: string, opts: FuzzCliOptions) => {
      const c = await campaignFrom(ref, opts);
      // The output folder must be usable before the campaign spends its time, not when the first failure is written.
      try {
        makeFolders(opts.out);
        accessSync(opts.out, fsConstants.W_OK);
      } catch (err) {
        throw new InputError(`cannot write failures there: ${describeFsError(err)}; expected a folder that can be written`, opts.out, '--out');
      }
      releaseWarnings(); // the input is checked: its warnings (messages.ts) go before the campaign's output
      const t0 = performance.now();
      const deadline = c.budgetMs !== undefined ? t0 + c.budgetMs : undefined;
      const progress = new Progress(c.shardRuns, deadline, c.seed);
      const memoryMb = opts.workerMemory !== undefined ? positiveInt(opts.workerMemory, '--worker-memory') : undefined;
      const results: BatchResult[] = [];
      const written: WrittenFailure[] = [];
      // Refused runs: the first of each bound is written (shrunk scenario), the others counted (results[].refused).
      const refusedWritten: WrittenRefusal[] = [];
      const deaths: { batch: number; runsStarted: number; lastSeed: number | undefined; error: string; replay: string }[] = [];
      const states = new Set<string>();
      // --no-shrink: failures as found, one per checker and message (the same failure is often found many times); the others
      // counted. Shrinking on: a failure that shrank to a counterexample already listed (two batches, one counterexample) is
      // counted, not listed twice. Either way `duplicates` says how many.
      const listed = new Set<string>();
      let duplicates = 0;
      // Failing runs of an invariant the campaign had already shrunk when their batch ran (shrinking on): counted and kept
      // for replay (the first REPEATS_KEPT), not shrunk again, so the budget goes to search (FuzzOptions.shrunkInvariants).
      let repeats = 0;
      const repeated: WrittenRepeat[] = [];
      // Failures batches shrank but that came in after --max-failures were written (a batch running beside the one that
      // reached the limit): counted here, so the summary accounts for every failing run.
      let pastMax = 0;
      // Each batch's share of --max-failures (what was still wanted when it started), to tell in the summary a batch
      // that stopped shrinking at its share from one whose other failing runs shrank to a counterexample it had.
      const shares = new Map<number, number>();

      let stopping = false;
      // Runs cut inside by the campaign's stop (--time up, --max-failures reached): a run that never ends does not overrun.
      const cuts: ({ batch: number } & NonNullable<BatchResult['cut']>)[] = [];
      const timeUp = (): boolean => deadline !== undefined && performance.now() >= deadline;
      const maxReached = (): boolean => c.runs === undefined && written.length >= c.maxFailures;
      // When the failure that reached --max-failures was written (a slow shrink may write it after the time budget ran out).
      let maxReachedAt: number | undefined;
      const stopCause = (): string => (stopping ? 'the interrupt (Ctrl-C)' : maxReached() ? `--max-failures ${c.maxFailures}` : '--time');
      // First Ctrl-C: start no more batches, finish the running ones, report. A second one kills the process as usual.
      const onSigint = (): void => {
        stopping = true;
        if (!opts.json) progress.print('\nfuzz: interrupted; finishing the running batches\n');
      };
      process.once('SIGINT', onSigint);
      const loop: CampaignLoop = {
        plan: planBatches({ runs: c.runs, batchSize: c.batchSize, seed: c.seed, shard: c.shard }),
        job: (task) => {
          shares.set(task.batch, Math.max(0, c.maxFailures - written.length));
          return {
          scenario: c.scenario,
          task,
          faults: c.faults,
          keepFaults: opts.keepFaults ?? false,
          shrink: opts.shrink,
          traceDir: opts.out,
          strategy: c.strategy,
          // Each batch shrinks at most the failures still wanted. A run budget runs every run; a time budget ends the
          // batch at its share of --max-failures (the campaign stops there, after the current run).
          maxFailures: Math.max(0, c.maxFailures - written.length),
          keepGoing: c.runs !== undefined,
          // A time budget: the properties already shrunk (written) are passed on, so a batch counts their failing runs as repeats
          // instead of shrinking them again. A run budget keeps its batches independent (pure functions of their seed: n shards
          // report what one machine does), so there a batch only skips the properties it shrank itself.
          ...(opts.shrink && c.runs === undefined ? { shrunkInvariants: [...new Set(written.map((w) => w.failure.violation.invariant))] } : {}),
          ...(c.shrinkBudget !== undefined ? { shrinkBudget: c.shrinkBudget } : {}),
          ...(c.workloadModule ? { workloadModule: c.workloadModule } : {}),
          ...(c.plainWorkloadModule ? { plainWorkloadModule: c.plainWorkloadModule } : {}),
          };
        },
        // A run budget runs to the end (failures past --max-failures are counted, not shrunk); a time budget stops at --max-failures.
        more: () => !stopping && (c.runs !== undefined || written.length < c.maxFailures) && (deadline === undefined || performance.now() < deadline),
        collect: (r) => {
          results.push(r);
          if (r.cut) {
            cuts.push({ batch: r.batch, ...r.cut });
            if (!opts.json) progress.print(`run ${r.cut.run} of batch ${r.batch} (seed ${r.cut.seed}) cut by ${stopCause()} after ${r.cut.events} events at t=${formatDuration(r.cut.t)}: not judged, not a violation, not refused\n`);
          }
          for (const st of r.stateSet) states.add(st);
          progress.states = states.size;
          repeats += r.repeats ?? 0;
          for (const f of r.failures) {
            const key = opts.shrink ? JSON.stringify(f.scenario) : `${f.violation.invariant}\u0000${f.violation.message}`;
            if (listed.has(key)) {
              duplicates++;
              continue;
            }
            if (written.length >= c.maxFailures) {
              pastMax++;
              continue;
            }
            listed.add(key);
            const w: WrittenFailure = writeFailure(f, r.batch, opts.out);
            if (f.shrinkCut) w.cutBy = shrinkCutCause(stopping, deadline !== undefined && performance.now() >= deadline, c.maxFailures);
            written.push(w);
            if (maxReachedAt === undefined && maxReached()) maxReachedAt = performance.now();
            if (!opts.json) progress.print(formatFailure(w, opts.shrink).join('\n') + '\n');
          }
          // After the failures, so a failure's file keeps its name (<base>-<seed>); a repeat's is <base>-repeat-<seed>.
          for (const x of r.repeated ?? []) if (repeated.length < REPEATS_KEPT) repeated.push(writeRepeat(x, r.batch, opts.out));
          for (const refusal of r.refusals) {
            if (refusedWritten.some((x) => x.refusal.limit === refusal.limit)) continue;
            const { file } = claimScenarioFile(opts.out, refusal);
            const w: WrittenRefusal = { refusal, batch: r.batch, scenarioFile: file, replay: `npx faultline run ${file}` };
            refusedWritten.push(w);
            if (!opts.json) progress.print(formatRefusal(w, opts.shrink).join('\n') + '\n');
          }
        },
        died: (task, runsStarted, lastSeed, err) => {
          // The batch alone, in this process: shard b+1 of b+1 with a budget of b+1 batches is exactly batch b.
          const replay = `npx faultline fuzz ${campaignArgs(ref, opts, c)} --runs ${(task.batch + 1) * c.batchSize} --shard ${task.batch + 1}/${task.batch + 1} --workers 1`;
          const error = err instanceof Error ? err.message : String(err);
          deaths.push({ batch: task.batch, runsStarted, lastSeed, error, replay });
          progress.print(
            [
              `WORKER DIED running batch ${task.batch} (fast-check seed ${task.seed}): ${error}`,
              `  run       ${runsStarted > 0 ? `${runsStarted} of the batch, simulation seed ${lastSeed}` : 'before the first run of the batch'}`,
              `  replay    ${replay}`,
              '  the campaign goes on without this batch',
            ].join('\n') + '\n',
          );
        },
        progress,
      };
      try {
        if (c.workers === 1) await runInline(loop, c.workload, c.plainWorkload);
        else await runOnPool(loop, c.workers, memoryMb, c.userWorkloadModule !== undefined ? [c.userWorkloadModule] : []);
      } finally {
        progress.stop();
        process.removeListener('SIGINT', onSigint);
      }

      // What ended the campaign before its plan: a Ctrl-C, --max-failures reached (a time budget), the time budget.
      const stoppedBy = campaignStoppedBy({ interrupted: stopping, maxReachedAt: maxReached() ? maxReachedAt : undefined, deadline, timeUp: timeUp() });
      results.sort((a, b) => a.batch - b.batch);
      written.sort((a, b) => a.batch - b.batch);
      repeated.sort((a, b) => a.batch - b.batch || a.repeat.run - b.repeat.run); // batch and run order, for --json and the summary
      const totalRuns = results.reduce((n, r) => n + r.runs, 0);
      const totalViolations = results.reduce((n, r) => n + r.violations, 0);
      const totalRefused = results.reduce((n, r) => n + r.refused, 0);
      // Failing runs neither written nor counted as duplicates: past --max-failures (shrunk but not written, or counted
      // by a batch without shrinking once its share of the limit was shrunk), or shrunk to a counterexample a batch had.
      const notWritten = Math.max(0, totalViolations - written.length - duplicates - repeats);
      const wall = (performance.now() - t0) / 1000;
      // A --time campaign whose budget ran out before any run finished checked nothing: reporting "0 violations"
      // (exit 0) would be a false pass in CI. The budget is the mistake, so it is bad input (exit 2), said in one line.
      if (totalRuns === 0 && totalViolations === 0 && deaths.length === 0 && !stopping && c.budgetMs !== undefined) {
        const first = cuts[0];
        const cutText = first !== undefined ? `the first run was cut by the deadline after ${first.events} events at simulated t=${formatDuration(first.t)}` : 'no run started before the deadline';
        throw new InputError(`no run finished within the time budget (${formatWall(c.budgetMs / 1000)}): ${cutText}, so nothing was checked; expected a budget longer than one run takes (raise --time, or shorten --duration)`, undefined, '--time');
      }
      const { scenario, seed, shard, workers } = c;
      const drawn = campaignFaults(scenario, c.strategy, c.faults);
      // A checker with a judging point (calm after the faults, a finished job) that no run of the campaign reached: it passed every run vacuously.
      const ran = results.filter((r) => r.runs > 0 && r.notJudged !== undefined);
      const notJudged = ran.length === 0 ? [] : (ran[0]?.notJudged ?? []).filter((n) => ran.every((r) => r.notJudged?.includes(n)));
      if (opts.json) {
        process.stdout.write(
          JSON.stringify({
            runs: totalRuns,
            violations: totalViolations,
            fault_kinds: drawn.kinds,
            rare_kinds: drawn.rare,
            prior_ordinary_kinds: drawn.priorOrdinary,
            swarm: drawn.swarm,
            failures: written.map((w) => ({
              seed: jsonSeed(w.failure.seed),
              replay: w.failure.replay,
              invariant: w.failure.violation.invariant,
              message: w.failure.violation.message,
              trace: w.trace,
              scenario: w.scenarioFile,
              batch: w.batch,
              run: w.failure.run,
              origin: w.failure.origin,
              faults: w.failure.scenario.faults.timeline.length,
              ...(w.failure.shrinkCut ? { shrink_cut: true } : {}),
            })),
            scenario: scenario.name,
            protocol: scenario.protocol,
            seed,
            strategy: c.strategy,
            batch_size: c.batchSize,
            shard: `${shard.index}/${shard.count}`,
            workload: c.workloadName,
            states: states.size,
            coverage: [...states].sort(),
            batches: results.map((r) => ({ batch: r.batch, seed: r.seed, runs: r.runs, violations: r.violations, refused: r.refused, states: r.states, corpus: r.corpus, branches: r.branches ?? 0, skipped: r.skipped, failures: r.failures.map((f) => ({ run: f.run, seed: jsonSeed(f.seed), invariant: f.violation.invariant })) })),
            duplicates,
            not_written: notWritten,
            repeats,
            repeated: repeated.map((w) => ({
              batch: w.batch,
              run: w.repeat.run,
              seed: jsonSeed(w.repeat.seed),
              invariant: w.repeat.invariant,
              message: w.repeat.message,
              origin: w.repeat.origin,
              replay: w.replay,
              trace: w.trace,
              scenario: w.scenarioFile,
              ...(w.repeat.fastCheck ? { fast_check: w.repeat.fastCheck } : {}),
            })),
            // Runs the engine refused (a bound exceeded: a message storm; time stalled): counted in runs, not in violations.
            refused: totalRefused,
            refusals: refusedWritten.map((w) => ({
              seed: jsonSeed(w.refusal.seed),
              limit: w.refusal.limit,
              ...(w.refusal.bound !== undefined ? { bound: w.refusal.bound } : {}),
              t: w.refusal.t,
              reason: w.refusal.reason,
              violation: false,
              scenario: w.scenarioFile,
              replay: w.replay,
              batch: w.batch,
              run: w.refusal.run,
              origin: w.refusal.origin,
              faults: w.refusal.scenario.faults.timeline.length,
              ...(w.refusal.shrinkCut ? { shrink_cut: true } : {}),
            })),
            worker_deaths: deaths,
            not_judged: notJudged,
            wall_s: wall,
            search_wall_s: progress.searchSeconds(),
            interrupted: stopping,
            stopped_by: stoppedBy,
            cut: cuts,
          }) + '\n',
        );
      } else {
        const searchWall = progress.searchSeconds();
        const hasAbstractState = getProtocol(scenario.protocol)?.abstractState !== undefined;
        const cut = written.filter((w) => w.failure.shrinkCut);
        const cutBy = [...new Set(cut.map((w) => w.cutBy ?? '--time'))].join(' or ');
        const found = `${plural(written.length, 'counterexample')} ${opts.shrink ? 'shrunk and written' : 'written as found, not shrunk (--no-shrink)'}`;
        const lines = [
          `fuzz        ${scenario.name} (${scenario.protocol}), campaign seed ${seed}${c.freshSeed ? ` (fresh; ${replayHint(c, results.length)})` : c.budgetMs !== undefined ? ` (${replayHint(c, results.length)})` : ''}, strategy ${c.strategy}, shard ${shard.index}/${shard.count}, ${plural(workers, 'worker')}`,
          `workload    ${c.workloadName}`,
          `faults      ${campaignFaultsText(drawn, scenario.protocol)}`,
          hasAbstractState
            ? `coverage    ${plural(states.size, 'distinct abstract state')}`
            : `coverage    ${scenario.protocol} declares no abstract state (abstractState in defineProtocol)${c.strategy === 'guided' ? ': guided search is steered by generic trace-edge coverage (pairs of successive event kinds per node)' : ''}`,
          `runs        ${totalRuns} in ${plural(results.length, 'batch', 'batches')}, ${formatWall(wall)} wall; ${(totalRuns / Math.max(searchWall, 1e-9)).toFixed(1)} runs/s while searching (as the progress line), ${(totalRuns / Math.max(wall, 1e-9)).toFixed(1)} over the whole wall time, shrinking included${stopping ? ' (interrupted: the budget was not used up)' : ''}`,
          `violations  ${totalViolations}${totalViolations > 0 ? ` failing run${totalViolations === 1 ? '' : 's'}; ${found}: ${byInvariant(written)}. Each failure above has its trace, ${opts.shrink ? 'shrunk ' : ''}scenario and replay line${cut.length > 0 ? `; shrinking of ${plural(cut.length, 'failure')} was cut short by ${cutBy} (the smallest failing run found by then; it replays)` : ''}` : ''}`,
        ];
        if (duplicates > 0) {
          lines.push(
            opts.shrink
              ? `duplicates  ${plural(duplicates, 'more failure')} shrunk to a counterexample listed above, not written again`
              : `duplicates  ${plural(duplicates, 'more failure')} with the same checker and message as one listed above, not written (--no-shrink lists each checker and message once)`,
          );
        }
        if (repeats > 0) {
          const kept = repeated;
          const first = kept[0];
          lines.push(
            `repeats     ${plural(repeats, 'more failing run')} of ${[...new Set(repeated.map((x) => x.repeat.invariant))].join(', ') || 'a property'} after its counterexample was shrunk: counted, not shrunk again (the time went to search)${first ? `; first: batch ${first.batch} run ${first.repeat.run} (seed ${first.repeat.seed})` : ''}${kept.length > 0 ? `; the first ${kept.length} written with their traces (--json lists them), not shrunk` : ''}`,
          );
          for (const w of kept.slice(0, REPEATS_PRINTED)) lines.push(`repeat      ${w.replay}   # ${w.repeat.invariant} (batch ${w.batch} run ${w.repeat.run}, not shrunk)`);
        }
        if (notWritten > 0) {
          // A batch that returned fewer failures than its share of the limit did not stop at the limit: its other failing
          // runs shrank to a counterexample it had (fuzz reports one counterexample once). The rest: the limit cut them.
          const sameInBatch = results.reduce((n, r) => n + (r.failures.length < (shares.get(r.batch) ?? 0) ? Math.max(0, r.violations - r.failures.length - (r.repeats ?? 0)) : 0), 0);
          const line = notWrittenLine(Math.max(0, notWritten - sameInBatch), Math.min(sameInBatch, notWritten), pastMax, c.maxFailures, opts.shrink);
          if (line !== undefined) lines.push(line);
        }
        if (totalRefused > 0) {
          const kinds = [...new Set(refusedWritten.map((w) => w.refusal.limit))].join(', ');
          lines.push(`refused     ${plural(totalRefused, 'run')} refused by the engine (${kinds}): not protocol violations (no checker judged them), kept as scenarios that are refused again: ${refusedWritten.map((w) => w.scenarioFile).join(', ')}`);
        }
        if (stoppedBy === 'max-failures') lines.push(`stopped     --max-failures ${c.maxFailures} reached (after the current run of each batch): the time budget was not used up`);
        else if (stoppedBy === 'time' && maxReached()) lines.push(`stopped     the time budget ran out; --max-failures ${c.maxFailures} was reached only after it (a failure shrunk past the deadline was written)`);
        for (const k of cuts) lines.push(`cut         run ${k.run} of batch ${k.batch} (seed ${k.seed}) cut by ${stoppedBy === 'max-failures' ? `--max-failures ${c.maxFailures}` : stoppedBy === 'interrupt' ? 'the interrupt' : '--time'} after ${k.events} events at t=${formatDuration(k.t)}: not judged, not counted in runs, not a violation, not refused`);
        for (const w of written) lines.push(`replay      ${w.failure.replay}   # ${w.failure.violation.invariant}`);
        for (const d of deaths) lines.push(`died        batch ${d.batch}: ${d.error}; replay: ${d.replay}`);
        for (const n of notJudged) lines.push(`not judged  ${n}: never judged: no run of the campaign reached this checker's judging point (calm after the faults, a finished job), so it could not catch its violations; give the runs that point: a longer duration after the drawn quiesce, or a scenario whose runs can finish their job`);
        process.stdout.write(lines.join('\n') + '\n');
      }
      // An interrupted clean campaign is not a pass: 130, as a shell reports a Ctrl-C.
      process.exitCode = totalViolations > 0 || deaths.length > 0 ? 1 : stopping ? 130 : 0;
    });
}
