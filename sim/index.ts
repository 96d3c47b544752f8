// The `faultline` package: what a user's protocol, scenario, checker and test import.
// Everything here is pure (no file system, no clock): the same code runs in the CLI,
// in a user's vitest suite and in the browser viewer. See docs/write-your-own-protocol.md.

import type { ProtocolDefinition } from './api/protocol.ts';
import { getProtocol, registerProtocol as register } from './protocols/registry.ts';

// The libraries a protocol's definition uses, re-exported so that a user's protocol shares
// faultline's copies: zod for its config schema, fast-check for its fuzz workload.
export { z } from 'zod';
export { default as fc } from 'fast-check';

// The protocol API (sim/api/): the sans-IO node shape (ProtocolNode, Io, typed timers, commands),
// nodeSpec (the generic adapter), step() for unit tests, defineProtocol, roles and triggers,
// duration schemas for configs, the engine's public types, assert, time units, target helpers.
export * from './api/index.ts';
export type { Disk, NodeBehaviour, NodeContext, TraceHeader, Warning, RunStats } from './engine/types.ts';
export { MemorySink, type TraceSink } from './engine/trace.ts';
/** A seeded random stream (the engine's), e.g. for `step()` in a protocol's unit tests. */
export { rootRng } from './engine/random.ts';

// Scenarios: schema pieces a protocol's config uses, defining, validating and running.
export { scenarioSchema, type Scenario, type ScenarioInput, type Expectation } from './scenario/schema.ts';
export { defineScenario, type ModuleScenarioInput, type ProtocolConfigMap } from './scenario/define.ts';
export { parseScenario, prepareRun, type PreparedRun } from './scenario/resolve.ts';
export { DEFAULT_MAX_STEPS, judge, runPrepared, runScenario, type RunOptions, type ScenarioResult } from './scenario/run.ts';
export { InputError, RunRefusedError } from './scenario/errors.ts';

// Fuzzing and exhaustive exploration.
export { fuzz, DEFAULT_FUZZ_SEED, type FuzzFailure, type FuzzOptions, type FuzzReport, type FuzzStrategy } from './fuzz/fuzz.ts';
export { explore, type ExploreModel, type ExploreOptions, type ExploreReport, type Counterexample } from './explore/explorer.ts';
export { exploreTarget, exploreRun, counterexampleScenario, type ExploreTarget, type TargetOptions } from './explore/run.ts';

// History checking: the linearizability checker (Knossos/Porcupine style), its models and parsers.
export * from './check/linearizability/index.ts';

/**
 * Make a protocol that is not built in available to scenarios by its `name`, for library use
 * (`runScenario`, `fuzz`, vitest helpers) when the scenario is an object, not a file. (A scenario
 * file names a module path instead: `protocol: './my-protocol.ts'`.)
 * @throws Error when the name is that of another protocol already (built in or registered)
 */
export function registerProtocol(protocol: ProtocolDefinition): void {
  const existing = getProtocol(protocol.name);
  if (existing !== undefined && existing !== protocol) throw new Error(`a protocol named "${protocol.name}" is already registered`);
  register(protocol.name, protocol);
}
