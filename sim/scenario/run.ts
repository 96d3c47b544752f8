// Run a prepared scenario and judge its expected outcome. Pure: the trace goes
// to whatever sink the caller gives (a file in the CLI, memory in tests and the
// browser), so the same function runs everywhere.

import { TimeStalledError } from '../engine/queue.ts';
import { EngineLimitError, type EngineLimits } from '../engine/limits.ts';
import { Simulation, type RunResult } from '../engine/simulation.ts';
import { formatDuration } from '../engine/time.ts';
import { replaySchedule } from '../explore/driver.ts';
import type { TraceSink } from '../engine/trace.ts';
import type { JsonValue, TraceHeader, Violation } from '../engine/types.ts';
import { getProtocol } from '../protocols/registry.ts';
import { RunRefusedError } from './errors.ts';
import { parseScenario, prepareRun, type PreparedRun } from './resolve.ts';
import type { ProtocolDefinition } from './protocol.ts';
import type { Expectation, Scenario, ScenarioInput } from './schema.ts';

export interface ScenarioResult extends RunResult {
  expectation: { held: boolean; expected: Expectation; explanation: string };
  header: TraceHeader;
  /**
   * Checkers that never reached their judging point in this run (see Checker.judged: a final
   * or liveness check that needs calm, a finished job or the quiesce point the run ended
   * before), so they passed without judging anything. Empty when the run found a violation,
   * stopped early (an interruption) or every checker judged.
   */
  notJudged: string[];
}

/** The checkers of a finished run without violations that declare a judging point and never reached it. */
export function notJudged(run: PreparedRun, result: RunResult): string[] {
  // Only a passing run passes vacuously (after a violation the remaining final checks may not run at all).
  if ((result.end !== 'time' && result.end !== 'idle') || result.violations.length > 0) return [];
  return run.checkers.filter((c) => c.judged !== undefined && !c.judged()).map((c) => c.name);
}

/** The header depends only on the run (not on where the scenario file lives), so hashes match across machines and the browser. */
export function traceHeader(run: PreparedRun): TraceHeader {
  const h: TraceHeader = {
    format: 'faultline-trace',
    version: 1,
    scenario: run.scenario.name,
    protocol: run.scenario.protocol,
    seed: run.seed,
    config: { ...run.scenario, seed: run.seed } as unknown as JsonValue,
    nodes: run.nodes.map((n) => ({ id: n.id, role: n.role })),
    timeline: run.timeline as unknown as JsonValue[],
  };
  return h;
}

/** The first line of a violation's message: the verdict names it; the whole message is in the violation itself. */
function headline(message: string): string {
  const nl = message.indexOf('\n');
  return nl < 0 ? message : `${message.slice(0, nl)} (…)`;
}

export function judge(expected: Expectation, violations: readonly Violation[]): ScenarioResult['expectation'] {
  const first = violations[0];
  if (expected === 'no-violation') {
    return first
      ? { held: false, expected, explanation: `expected no violation, but ${first.invariant} was violated at ${formatDuration(first.t)}: ${headline(first.message)}` }
      : { held: true, expected, explanation: 'no violation, as expected' };
  }
  if (!first) return { held: false, expected, explanation: `expected a violation of ${expected.violation}, but none occurred` };
  if (first.invariant !== expected.violation) {
    return { held: false, expected, explanation: `expected a violation of ${expected.violation}, but the first violation was ${first.invariant}: ${headline(first.message)}` };
  }
  return { held: true, expected, explanation: `${first.invariant} was violated, as expected: ${headline(first.message)}` };
}

/**
 * Default limit on processed events of one run (100 M: minutes of wall time). A run that
 * reaches it before its duration is refused (RunRefusedError) rather than left to run for
 * hours; pass maxSteps to change it.
 */
export const DEFAULT_MAX_STEPS = 100_000_000;

export interface RunOptions {
  /** Trace destination; without one the trace is still hashed unless hash is false. */
  trace?: TraceSink;
  hash?: boolean;
  /** Limit on processed events (default DEFAULT_MAX_STEPS); reaching it throws RunRefusedError. */
  maxSteps?: number;
  /** The engine's other bounds (default DEFAULT_LIMITS of sim/engine/limits.ts; tests lower them); exceeding one throws RunRefusedError. */
  limits?: Partial<Omit<EngineLimits, 'steps'>>;
  /** Asked every 4096 events (runPrepared): true cuts the run there and throws RunCutError (the caller's clock; sim/ reads none). */
  interrupt?: () => boolean;
}

/** A run cut by RunOptions.interrupt (a fuzz campaign's --time): neither judged nor refused. `events`: processed; `t`: virtual time (us). */
export class RunCutError extends Error {
  constructor(
    readonly events: number,
    readonly t: number,
  ) {
    super(`the run was cut after ${events} events at t=${formatDuration(t)}`);
    this.name = 'RunCutError';
  }
}

/** The protocol's roles and triggers, for faults aimed at `@<role>` or started `on` an event. */
function protocolTargets(name: string): { roles?: NonNullable<ProtocolDefinition['roles']>; triggers?: NonNullable<ProtocolDefinition['triggers']> } {
  const p = getProtocol(name);
  return { ...(p?.roles ? { roles: p.roles } : {}), ...(p?.triggers ? { triggers: p.triggers } : {}) };
}

export function runPrepared(run: PreparedRun, opts: RunOptions = {}): ScenarioResult {
  if (run.scenario.schedule) return runSchedule(run, run.scenario.schedule, opts);
  const { sim, header } = simulationFor(run, opts);
  let result: RunResult;
  try {
    result = sim.run(run.scenario.duration, opts.interrupt);
  } catch (err) {
    throw refusal(run, err);
  }
  if (result.end === 'interrupted') throw new RunCutError(result.stats.steps, result.stats.endTime);
  refuseAtStepLimit(run, opts, result);
  return { ...result, header, expectation: judge(run.scenario.expect, result.violations), notJudged: notJudged(run, result) };
}

/** A scenario with a `schedule` (an explored counterexample) is replayed through the driver, choice by choice. */
function runSchedule(run: PreparedRun, schedule: NonNullable<PreparedRun['scenario']['schedule']>, opts: RunOptions): ScenarioResult {
  const header = traceHeader(run);
  const result = replaySchedule(run, schedule, { header, ...(opts.trace ? { trace: opts.trace } : {}), hash: opts.hash ?? true });
  return { ...result, header, expectation: judge(run.scenario.expect, result.violations), notJudged: notJudged(run, result) };
}

/** Virtual time stopped: bad input (a zero interval, a zero-latency loop), not a protocol violation. */
function refusal(run: PreparedRun, err: unknown): unknown {
  // The engine's error is the cause: a fuzz campaign reads which bound refused the run (sim/fuzz/fuzz.ts, refusalOf).
  if (err instanceof TimeStalledError || err instanceof EngineLimitError) return new RunRefusedError(`the run was refused: ${err.message}`, run.file, `t=${formatDuration(err.t)}`, { cause: err });
  return err;
}

function refuseAtStepLimit(run: PreparedRun, opts: RunOptions, result: RunResult): void {
  if (result.end !== 'max-steps') return;
  const limit = opts.maxSteps ?? DEFAULT_MAX_STEPS;
  throw new RunRefusedError(
    `the run was refused: it reached the limit of ${limit} events at t=${formatDuration(result.stats.endTime)}, before its duration of ${formatDuration(run.scenario.duration)}; shorten the duration or slow the workload`,
    run.file,
    'duration',
    { cause: new EngineLimitError('steps', limit, result.stats.endTime, 'the steps of the run') },
  );
}

/**
 * `runPrepared` that awaits `poll(steps)` every `every` steps and stops when it gives true
 * (see Simulation.runInterruptible): `end` is then 'interrupted' and the expectation is not judged.
 */
export async function runPreparedInterruptible(run: PreparedRun, poll: (steps: number) => boolean | Promise<boolean>, opts: RunOptions & { every?: number | ((steps: number) => number) } = {}): Promise<ScenarioResult> {
  if (run.scenario.schedule) return runSchedule(run, run.scenario.schedule, opts);
  const { sim, header } = simulationFor(run, opts);
  let result: RunResult;
  try {
    result = await sim.runInterruptible(run.scenario.duration, poll, opts.every);
  } catch (err) {
    throw refusal(run, err);
  }
  refuseAtStepLimit(run, opts, result);
  const expectation = result.end === 'interrupted' ? { held: false, expected: run.scenario.expect, explanation: 'not judged: the run was interrupted' } : judge(run.scenario.expect, result.violations);
  return { ...result, header, expectation, notJudged: notJudged(run, result) };
}

function simulationFor(run: PreparedRun, opts: RunOptions): { sim: Simulation; header: TraceHeader } {
  const header = traceHeader(run);
  const sim = new Simulation({
    seed: run.seed,
    nodes: run.nodes,
    config: run.engine,
    faults: run.timeline,
    checkers: run.checkers,
    header,
    stopOnViolation: run.scenario.stopOnViolation,
    ...protocolTargets(run.scenario.protocol),
    isolate: getProtocol(run.scenario.protocol)?.isolation ?? 'copy',
    ...(opts.trace ? { trace: opts.trace } : {}),
    hash: opts.hash ?? true,
    maxSteps: opts.maxSteps ?? DEFAULT_MAX_STEPS,
    ...(opts.limits ? { limits: opts.limits } : {}),
  });
  return { sim, header };
}

/**
 * The library's one call: validate a scenario document (the input of `defineScenario`, or an
 * already parsed scenario), build its protocol and run it in memory.
 * @param input scenario document; its `protocol` is a built-in name or one registered with `registerProtocol`
 * @param opts `seed` overrides the scenario's; `trace` receives the trace lines (see MemorySink); `file` names errors
 * @returns the run (violations, stats, hash) and whether the scenario's `expect` held
 * @throws InputError for an invalid scenario or a run refused (stalled time, step limit)
 */
export function runScenario(input: ScenarioInput | Scenario, opts: RunOptions & { seed?: string | number; file?: string } = {}): ScenarioResult {
  const scenario = parseScenario(input, opts.file);
  const run = prepareRun(scenario, { ...(opts.seed !== undefined ? { seed: opts.seed } : {}), ...(opts.file !== undefined ? { file: opts.file } : {}) });
  return runPrepared(run, opts);
}
