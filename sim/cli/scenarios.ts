// Finding and loading scenario files. A scenario is a TypeScript module whose
// default export is defineScenario({...}), or a JSON file with the same
// fields. A name (e.g. "raft-leader-crash") finds the file in scenarios/.

import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { InputError } from '../scenario/errors.ts';
import { parseScenario } from '../scenario/resolve.ts';
import type { Scenario } from '../scenario/schema.ts';

export const SCENARIO_DIR = fileURLToPath(new URL('../../scenarios/', import.meta.url));

export interface LoadedScenario {
  file: string;
  scenario: Scenario;
}

/** Line and column of a character offset, for JSON syntax errors. */
function lineCol(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n');
  return `line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1}`;
}

async function readDocument(file: string): Promise<unknown> {
  const ext = extname(file);
  if (ext === '.json') {
    const text = readFileSync(file, 'utf8');
    try {
      return JSON.parse(text);
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      const pos = /position (\d+)/.exec(msg);
      throw new InputError(`not valid JSON: ${msg}`, file, pos ? lineCol(text, Number(pos[1])) : undefined);
    }
  }
  if (ext === '.ts' || ext === '.js' || ext === '.mjs') {
    let mod: { default?: unknown };
    try {
      mod = (await import(pathToFileURL(resolve(file)).href)) as { default?: unknown };
    } catch (err) {
      throw new InputError(`could not load the module: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`, file);
    }
    if (mod.default === undefined) throw new InputError('expected a default export: export default defineScenario({...})', file);
    return mod.default;
  }
  throw new InputError('expected a scenario file ending in .ts or .json', file);
}

export function scenarioFiles(dir = SCENARIO_DIR): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => (f.endsWith('.ts') || f.endsWith('.json')) && !f.startsWith('_'))
    .sort()
    .map((f) => join(dir, f));
}

/** Load a scenario by path, or by name from the scenarios directory. */
export async function loadScenario(ref: string): Promise<LoadedScenario> {
  let file = ref;
  if (!existsSync(file)) {
    const byName = scenarioFiles().find((f) => basename(f, extname(f)) === ref);
    if (!byName) throw new InputError(`no such file, and no scenario of that name in scenarios/ (see faultline list)`, ref);
    file = byName;
  }
  const doc = await readDocument(file);
  return { file, scenario: parseScenario(doc, file) };
}

export async function loadAllScenarios(dir = SCENARIO_DIR): Promise<LoadedScenario[]> {
  const out: LoadedScenario[] = [];
  for (const f of scenarioFiles(dir)) out.push(await loadScenario(f));
  return out;
}
