// The scenario drop-down's entries: every scenario file of scenarios/ (`*.ts`, `*.json`; a name starting with `_`
// is a helper, not a scenario), parsed and validated as `faultline run` does. Computed once, at build time
// (ui/build/scenario-list.ts, Vite's virtual module `virtual:faultline-scenarios`), so that the page shows the
// list without starting the live worker; the live worker runs the same files (its `import.meta.glob`), and
// test/ui/scenario-list.test.ts checks that both give the same list.

import { InputError } from '../../../sim/scenario/errors.ts';
import { parseScenario } from '../../../sim/scenario/resolve.ts';
import { seedToString } from '../../../sim/engine/random.ts';
import type { ScenarioEntry } from './protocol.ts';

/** What the page ships: the entries in file order, and a one-line problem for each file that is not a valid scenario. */
export interface ScenarioListing {
  scenarios: ScenarioEntry[];
  problems: string[];
}

/** A scenario module's default export (or a JSON file's document), loaded on demand; keyed by path (any prefix, then the file name). */
export type ScenarioLoaders = Record<string, () => Promise<unknown>>;

export function baseName(path: string): string {
  return path.replace(/^.*\//, '');
}

/** An error as one line: an InputError's description, else `Name: message`. */
export function describeError(err: unknown): string {
  if (err instanceof InputError) return err.describe();
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

/** Load and validate every scenario of `loaders` (sorted by path; files starting with `_` skipped). Never throws: a bad file is a problem. */
export async function listScenarios(loaders: ScenarioLoaders): Promise<ScenarioListing> {
  const scenarios: ScenarioEntry[] = [];
  const problems: string[] = [];
  for (const key of Object.keys(loaders).sort()) {
    const file = baseName(key);
    if (file.startsWith('_')) continue;
    try {
      const s = parseScenario(await loaders[key]!(), file);
      scenarios.push({ file, name: s.name, description: s.description, protocol: s.protocol, seed: seedToString(s.seed) });
    } catch (err) {
      problems.push(describeError(err));
    }
  }
  return { scenarios, problems };
}
