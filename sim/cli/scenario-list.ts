// What `faultline list` prints: the built-in scenarios (name, protocol, description,
// expectation) and the protocol names. The built package carries them precomputed
// (dist/scenario-list.json, written by scripts/postbuild.mjs from the validated
// scenarios), so `faultline list` starts without loading zod, the protocols or 45
// scenario modules; from the sources they are loaded and validated each time.

import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';

export interface ScenarioListEntry {
  name: string;
  /** File name in scenarios/. */
  file: string;
  protocol: string;
  description: string;
  /** `no-violation` or `violation:<checker>`. */
  expect: string;
}

export interface ScenarioList {
  scenarios: ScenarioListEntry[];
  protocols: string[];
}

/** The precomputed list, next to dist/sim/ (absent when running from the sources). */
export const SCENARIO_LIST_URL = new URL('../../scenario-list.json', import.meta.url);

/** Load and validate every built-in scenario (the slow path, and what postbuild runs to write the list). */
export async function computeScenarioList(): Promise<ScenarioList> {
  const [{ loadAllScenarios }, { protocolNames }] = await Promise.all([import('./scenarios.ts'), import('../protocols/registry.ts')]);
  const all = await loadAllScenarios();
  return {
    scenarios: all.map(({ file, scenario }) => ({
      name: scenario.name,
      file: basename(file).replace(/\.js$/, '.ts'),
      protocol: scenario.protocol,
      description: scenario.description,
      expect: scenario.expect === 'no-violation' ? 'no-violation' : `violation:${scenario.expect.violation}`,
    })),
    protocols: protocolNames(),
  };
}

export async function scenarioList(): Promise<ScenarioList> {
  if (existsSync(SCENARIO_LIST_URL)) return JSON.parse(readFileSync(SCENARIO_LIST_URL, 'utf8')) as ScenarioList;
  return computeScenarioList();
}
