// Run a prepared scenario and judge its expected outcome. Pure: the trace goes
// to whatever sink the caller gives (a file in the CLI, memory in tests and the
// browser), so the same function runs everywhere.

import { Simulation, type RunResult } from '../engine/simulation.ts';
import type { TraceSink } from '../engine/trace.ts';
import type { JsonValue, TraceHeader, Violation } from '../engine/types.ts';
import { getProtocol } from '../protocols/registry.ts';
import type { PreparedRun } from './resolve.ts';
import type { ProtocolDefinition } from './protocol.ts';
import type { Expectation } from './schema.ts';

export interface ScenarioResult extends RunResult {
  expectation: { held: boolean; expected: Expectation; explanation: string };
  header: TraceHeader;
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

export function judge(expected: Expectation, violations: readonly Violation[]): ScenarioResult['expectation'] {
  const first = violations[0];
  if (expected === 'no-violation') {
    return first
      ? { held: false, expected, explanation: `expected no violation, but ${first.invariant} was violated at t=${first.t}us: ${first.message}` }
      : { held: true, expected, explanation: 'no violation, as expected' };
  }
  if (!first) return { held: false, expected, explanation: `expected a violation of ${expected.violation}, but none occurred` };
  if (first.invariant !== expected.violation) {
    return { held: false, expected, explanation: `expected a violation of ${expected.violation}, but the first violation was ${first.invariant}: ${first.message}` };
  }
  return { held: true, expected, explanation: `${first.invariant} was violated, as expected: ${first.message}` };
}

export interface RunOptions {
  /** Trace destination; without one the trace is still hashed unless hash is false. */
  trace?: TraceSink;
  hash?: boolean;
}

/** The protocol's roles and triggers, for faults aimed at `@<role>` or started `on` an event. */
function protocolTargets(name: string): { roles?: NonNullable<ProtocolDefinition['roles']>; triggers?: NonNullable<ProtocolDefinition['triggers']> } {
  const p = getProtocol(name);
  return { ...(p?.roles ? { roles: p.roles } : {}), ...(p?.triggers ? { triggers: p.triggers } : {}) };
}

export function runPrepared(run: PreparedRun, opts: RunOptions = {}): ScenarioResult {
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
    ...(opts.trace ? { trace: opts.trace } : {}),
    hash: opts.hash ?? true,
  });
  const result = sim.run(run.scenario.duration);
  return { ...result, header, expectation: judge(run.scenario.expect, result.violations) };
}
