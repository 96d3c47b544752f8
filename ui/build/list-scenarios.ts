// Prints the viewer's scenario list (ui/src/live/scenarios.ts) as JSON on stdout: every file of scenarios/ loaded
// in Node (TypeScript through tsx) and validated. Run by ui/build/scenario-list.ts in a process of its own, so that
// the build's process never loads the engine, the protocols or the scenarios.

import { readdirSync, readFileSync } from 'node:fs';
import { listScenarios, type ScenarioLoaders } from '../src/live/scenarios.ts';

const dir = new URL('../../scenarios/', import.meta.url);
const loaders: ScenarioLoaders = {};
for (const file of readdirSync(dir)) {
  const url = new URL(file, dir);
  // The same files as the live worker's import.meta.glob('scenarios/*.ts') and ('scenarios/*.json').
  if (file.endsWith('.json')) loaders[`scenarios/${file}`] = () => Promise.resolve(JSON.parse(readFileSync(url, 'utf8')) as unknown);
  else if (file.endsWith('.ts')) loaders[`scenarios/${file}`] = async () => ((await import(url.href)) as { default: unknown }).default;
}
process.stdout.write(`${JSON.stringify(await listScenarios(loaders))}\n`);
