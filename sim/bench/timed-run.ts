// One scenario run for a benchmark: prepared, untraced and unhashed, its wall time in seconds.

import { Simulation, type RunResult } from '../engine/simulation.ts';
import { parseScenario, prepareRun, type PreparedRun } from '../scenario/resolve.ts';
import type { ScenarioInput } from '../scenario/schema.ts';

export function timedRun(input: ScenarioInput): { wall: number; sim: Simulation; result: RunResult; run: PreparedRun } {
  const run = prepareRun(parseScenario(input));
  const t0 = performance.now();
  const sim = new Simulation({ seed: run.seed, nodes: run.nodes, config: run.engine, faults: run.timeline, checkers: run.checkers, hash: false });
  const result = sim.run(run.scenario.duration);
  return { wall: (performance.now() - t0) / 1000, sim, result, run };
}
