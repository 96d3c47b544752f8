// The viewer's static scenario list (issue 15): computed when the viewer is built and shipped in the page as
// the virtual module `virtual:faultline-scenarios` (a ScenarioListing), so that opening a trace never starts
// the live worker (the engine, the protocols, every scenario module) just to fill the drop-down.

import { execFile, execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'vite';
import type { ScenarioListing } from '../src/live/scenarios.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SCRIPT = fileURLToPath(new URL('./list-scenarios.ts', import.meta.url));
export const SCENARIO_LIST_ID = 'virtual:faultline-scenarios';

/** Load and validate every file of scenarios/ in a child Node process (tsx); throws if it fails to run. */
export function computeScenarioListing(): ScenarioListing {
  const out = execFileSync(process.execPath, ['--import', 'tsx', SCRIPT], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });
  return JSON.parse(out) as ScenarioListing;
}

/** computeScenarioListing without blocking: the build goes on while the child process loads the scenarios. */
function scenarioListingAsync(): Promise<ScenarioListing> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--import', 'tsx', SCRIPT], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 }, (err, out) => {
      if (err) reject(err);
      else resolve(JSON.parse(out) as ScenarioListing);
    });
  });
}

/** Vite plugin: `import listing from 'virtual:faultline-scenarios'` is the ScenarioListing of the build's scenarios/. */
export function scenarioListPlugin(): Plugin {
  const resolved = `\0${SCENARIO_LIST_ID}`;
  // Started at the build's start (a few seconds: a Node process loading every scenario) and awaited only by
  // the module that needs it, so it overlaps the rest of the build instead of stalling it.
  let listing: Promise<ScenarioListing> | undefined;
  return {
    name: 'faultline-scenario-list',
    buildStart() {
      listing = scenarioListingAsync();
      listing.catch(() => undefined); // reported where it is awaited (load), not as an unhandled rejection
    },
    resolveId(id) {
      return id === SCENARIO_LIST_ID ? resolved : undefined;
    },
    async load(id) {
      if (id !== resolved) return undefined;
      // The dev server rebuilds the list when a scenario changes.
      for (const f of readdirSync(`${ROOT}scenarios`)) this.addWatchFile(`${ROOT}scenarios/${f}`);
      const got = await (listing ?? scenarioListingAsync());
      listing = undefined; // the next load (dev server, after a scenario changed) computes it again
      return `export default ${JSON.stringify(got)};\n`;
    },
  };
}
