// Issue 15: the viewer's scenario drop-down is a list computed when the viewer is built (the Vite plugin's virtual
// module `virtual:faultline-scenarios`), so that a trace page never starts the live worker. It must be the list
// of what the live worker can run: the same files, names, protocols, descriptions and seeds as the worker's
// bundled scenario modules (import.meta.glob, evaluated here by Vitest as by Vite) give.

import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SCENARIO_LIST_ID, scenarioListPlugin } from '../../ui/build/scenario-list.ts';
import { scenarioModules } from '../../ui/src/live/scenario-modules.ts';
import { listScenarios, type ScenarioListing } from '../../ui/src/live/scenarios.ts';

/** The module text the plugin gives Vite for `virtual:faultline-scenarios`, evaluated as the page does. */
async function shippedListing(): Promise<ScenarioListing> {
  const plugin = scenarioListPlugin();
  const watched: string[] = [];
  const load = plugin.load as (this: { addWatchFile(f: string): void }, id: string) => Promise<string>;
  const code = await load.call({ addWatchFile: (f) => watched.push(f) }, `\0${SCENARIO_LIST_ID}`);
  const m = /^export default (.*);\n$/s.exec(code);
  expect(m, 'an `export default <json>;` module').not.toBeNull();
  expect(watched.length).toBeGreaterThan(0);
  return JSON.parse(m![1]!) as ScenarioListing;
}

describe('the static scenario list', () => {
  it('equals the list of the scenarios the live worker bundles and runs', { timeout: 120_000 }, async () => {
    const shipped = await shippedListing();
    const worker = await listScenarios(scenarioModules);
    // Every scenario file is one the worker can run (not a problem), and none is missing.
    const files = readdirSync(new URL('../../scenarios/', import.meta.url)).filter((f) => /\.(ts|json)$/.test(f) && !f.startsWith('_'));
    expect(worker.problems).toEqual([]);
    expect(worker.scenarios.map((s) => s.file).sort()).toEqual(files.sort());
    expect(shipped.problems).toEqual(worker.problems);
    expect(shipped.scenarios.map((s) => s.file)).toEqual(worker.scenarios.map((s) => s.file));
    expect(shipped.scenarios).toEqual(worker.scenarios);
  });
});
