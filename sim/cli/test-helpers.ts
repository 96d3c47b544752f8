// The implementation of the `faultline/vitest` helpers (sim/vitest/index.ts), here in the
// CLI layer because it reads scenario files, writes the shrunk scenario of a failure and
// reads the wall clock for the `time` cap (nothing else under sim/ may).

import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadScenario } from './scenarios.ts';
import { resolveProtocolRef } from './protocol-modules.ts';
import { fuzz, type FuzzFailure } from '../fuzz/fuzz.ts';
import { getProtocol } from '../protocols/registry.ts';
import { parseScenario } from '../scenario/resolve.ts';
import { runScenario, type ScenarioResult } from '../scenario/run.ts';
import type { Scenario, ScenarioInput } from '../scenario/schema.ts';
import { parseDuration } from '../engine/time.ts';
import { formatDuration } from './time-format.ts';
import { describeFault } from './fault-text.ts';
import { plural } from './plural.ts';

/** A scenario file (path relative to the working folder, or a file: URL) or a scenario document. */
export type ScenarioRef = string | URL | ScenarioInput | Scenario;

export interface FuzzTestOptions {
  /** Runs of the budget (each a generated fault timeline, seed and workload). Default 100. */
  runs?: number;
  /** Wall-time cap, a duration (`'30s'`) or ms: stop early (and pass) when it is spent before `runs`. Default none. */
  time?: string | number;
  /** Planted bugs to switch on (`config.bugs.<name> = true`): the test then expects fuzzing to find a violation. */
  bug?: string | string[];
  /** fast-check seed (default fixed, so the test is deterministic). */
  seed?: number;
  /** Use the protocol's default fuzz workload (config patches), as `faultline fuzz` does. Default true. */
  workload?: boolean;
  /** vitest timeout of the test, ms (default 120,000). */
  timeout?: number;
  /** Folder for the shrunk scenario of a failure (default traces/fuzz under the working folder). */
  outDir?: string;
}

/** The thrown error of a failing fuzzTest: the violation, the shrunk scenario and the replay line. */
export class FuzzTestFailure extends Error {
  override name = 'FuzzTestFailure';
  constructor(
    message: string,
    readonly failure: FuzzFailure,
    readonly replay: string,
  ) {
    super(message);
  }
}

function refPath(ref: string | URL): string {
  return ref instanceof URL ? fileURLToPath(ref) : ref.startsWith('file:') ? fileURLToPath(ref) : resolve(ref);
}

/** Load a scenario reference: a file (as `faultline run` reads it) or a document (validated). */
export async function loadScenarioRef(ref: ScenarioRef): Promise<{ scenario: Scenario; file: string | undefined }> {
  if (typeof ref === 'string' || ref instanceof URL) {
    const file = refPath(ref);
    return { scenario: (await loadScenario(file, { quiet: true })).scenario, file };
  }
  // A document whose protocol is a module path (absolute, or relative to the working folder) loads it too.
  return { scenario: parseScenario(await resolveProtocolRef(ref, undefined)), file: undefined };
}

/**
 * Run a scenario and throw unless its `expect` held (no violation, or the named one first).
 * @returns the run, for further assertions
 * @throws Error whose message is the expectation's explanation (and the seed and hash)
 */
export async function expectScenario(ref: ScenarioRef, opts: { seed?: string | number } = {}): Promise<ScenarioResult> {
  const { scenario, file } = await loadScenarioRef(ref);
  const result = runScenario(scenario, { ...(opts.seed !== undefined ? { seed: opts.seed } : {}), ...(file !== undefined ? { file } : {}) });
  if (!result.expectation.held) {
    throw new Error(`${file ?? scenario.name}: ${result.expectation.explanation} (seed ${result.header.seed}, trace hash ${result.hash ?? 'not computed'})`);
  }
  return result;
}

/**
 * Fuzz a scenario and throw on the first violation, shrunk. Returns the campaign's report.
 * The error message has the violation, the shrunk fault timeline (as the fuzz summary prints it; the
 * scenario file has it as JSON) and one command line
 * that replays the failing run (`npx faultline run <outDir>/<name>.json`).
 */
export async function fuzzScenario(ref: ScenarioRef, opts: FuzzTestOptions = {}): Promise<ReturnType<typeof fuzz>> {
  const loaded = await loadScenarioRef(ref);
  let scenario = loaded.scenario;
  const bugs = opts.bug === undefined ? [] : Array.isArray(opts.bug) ? opts.bug : [opts.bug];
  if (bugs.length > 0) {
    const config = scenario.config as { bugs?: Record<string, boolean> };
    const known = Object.keys(config.bugs ?? {});
    for (const b of bugs) if (!known.includes(b)) throw new Error(`unknown planted bug "${b}" of ${scenario.protocol}; expected one of: ${known.join(', ') || '(none)'}`);
    scenario = parseScenario({ ...scenario, config: { ...config, bugs: { ...config.bugs, ...Object.fromEntries(bugs.map((b) => [b, true])) } } });
  }
  const workload = opts.workload === false ? undefined : getProtocol(scenario.protocol)?.fuzzWorkload;
  const cap = opts.time === undefined ? undefined : parseDuration(typeof opts.time === 'number' ? opts.time * 1000 : opts.time);
  if (opts.time !== undefined && cap === undefined) throw new Error(`fuzzTest: time: expected a duration such as '30s' (got ${JSON.stringify(opts.time)})`);
  const deadline = cap === undefined ? Infinity : Date.now() + cap / 1000;
  const outDir = opts.outDir ?? join('traces', 'fuzz');
  const stop = new Error('time budget spent');
  let progress = { done: 0, violations: 0, states: 0 };
  let report: ReturnType<typeof fuzz>;
  try {
    report = fuzz({
      scenario,
      runs: opts.runs ?? 100,
      ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
      ...(workload !== undefined ? { workload } : {}),
      traceDir: outDir,
      onProgress: (done, violations, states) => {
        progress = { done, violations, states };
        // Never stop on a violating run: fuzz() goes on to shrink and report it.
        if (violations === 0 && Date.now() > deadline) throw stop;
      },
    });
  } catch (err) {
    // Stopped by the time cap between two runs: what ran, without a failure (one would have ended the campaign).
    if (err === stop) return { runs: progress.done, violations: progress.violations, failures: [], states: progress.states, stateSet: [], edges: 0, corpus: 0, skipped: 0, refused: 0, refusals: [] };
    throw err;
  }
  const failure = report.failures[0];
  if (failure) {
    mkdirSync(outDir, { recursive: true });
    const file = join(outDir, `${failure.scenario.name}.json`);
    writeFileSync(file, `${JSON.stringify(failure.scenario, null, 2)}\n`);
    const replay = `npx faultline run ${file}`;
    const v = failure.violation;
    throw new FuzzTestFailure(
      [
        `${v.invariant} violated at ${formatDuration(v.t)}: ${v.message}`,
        `found at run ${failure.run + 1} of ${report.runs} (seed ${failure.seed}), shrunk to ${plural(failure.scenario.faults.timeline.length, 'fault')}:`,
        (failure.scenario.faults.timeline as unknown as Record<string, unknown>[]).map(describeFault).join(', '),
        `shrunk scenario: ${file}`,
        `replay: ${replay}`,
      ].join('\n'),
      failure,
      replay,
    );
  }
  return report;
}
