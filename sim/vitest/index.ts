// `faultline/vitest`: test helpers for a user's own vitest suite.
//
//   import { expectScenario, fuzzTest } from 'faultline/vitest';
//   test('crash of the primary', () => expectScenario('scenarios/primary-crash.ts'));
//   fuzzTest('register survives faults', 'scenarios/basic.ts', { runs: 200 });
//
// fuzzTest fails with the shrunk scenario and one command line that replays it
// (`npx faultline run <file>`, the shrunk scenario written under traces/fuzz/).
// Scenario files load as `faultline run` loads them: TypeScript or JSON, and a
// `protocol` that is a module path relative to the scenario file.

import { test } from 'vitest';
import { fuzzScenario, type FuzzTestOptions, type ScenarioRef } from '../cli/test-helpers.ts';

export { expectScenario, fuzzScenario, FuzzTestFailure, loadScenarioRef, type FuzzTestOptions, type ScenarioRef } from '../cli/test-helpers.ts';

/**
 * A vitest test that fuzzes `scenario` with generated faults and fails with the shrunk
 * scenario and its replay command on the first violation (see fuzzScenario).
 */
export function fuzzTest(name: string, scenario: ScenarioRef, opts: FuzzTestOptions = {}): void {
  test(name, async () => {
    await fuzzScenario(scenario, opts);
  }, opts.timeout ?? 120_000);
}
