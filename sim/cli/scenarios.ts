// Finding and loading scenario files. A scenario is a TypeScript module whose
// default export is defineScenario({...}), or a JSON file with the same
// fields. A name (e.g. "raft-leader-crash") finds the file in scenarios/.

import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { basename, dirname, extname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isProxy } from 'node:util/types';
import { InputError } from '../scenario/errors.ts';
import { warnAboutInput } from './messages.ts';
import { jsonErrorOffset } from '../scenario/json-position.ts';
import { nearestName } from '../scenario/names.ts';
import { parseScenario } from '../scenario/resolve.ts';
import { scenarioWarnings, type ScenarioWarning } from '../scenario/checks.ts';
import type { Scenario } from '../scenario/schema.ts';
import { importUserModule, resolveProtocolRef } from './protocol-modules.ts';
import { typecheckUserFile } from './typecheck.ts';

export const SCENARIO_DIR = fileURLToPath(new URL('../../scenarios/', import.meta.url));

export interface LoadedScenario {
  file: string;
  scenario: Scenario;
  /** Legal but suspicious (a fault after the end, a name other than the file's); loadScenario also prints them. */
  warnings: ScenarioWarning[];
}

/** Line and column of a character offset, for JSON syntax errors. */
function lineCol(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n');
  return `line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1}`;
}

/** Offset of the first byte that is not part of a well-formed UTF-8 sequence (RFC 3629), or -1. */
export function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    let n: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) n = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      n = 2;
      if (c === 0xe0) lo = 0xa0; // no overlong forms
      if (c === 0xed) hi = 0x9f; // no surrogates
    } else if (c >= 0xf0 && c <= 0xf4) {
      n = 3;
      if (c === 0xf0) lo = 0x90;
      if (c === 0xf4) hi = 0x8f; // nothing above U+10FFFF
    } else return i;
    for (let k = 1; k <= n; k++) {
      const d = b[i + k];
      if (d === undefined || d < (k === 1 ? lo : 0x80) || d > (k === 1 ? hi : 0xbf)) return i;
    }
    i += n + 1;
  }
  return -1;
}

/** A text file's content: UTF-8 checked (one line naming the line of a bad byte), a leading byte-order mark dropped. */
export function readTextFile(file: string, what = 'scenario'): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(code === 'ENOENT' ? `no such ${what} file` : code === 'EISDIR' ? `expected a ${what} file, got a directory` : `cannot read the ${what} file (${code ?? String(err)})`, file);
  }
  return decodeText(bytes, file);
}

/** Bytes of a text file as a string: UTF-8 checked (InputError naming the line of the first bad byte), a leading byte-order mark dropped. */
export function decodeText(bytes: Uint8Array, file: string): string {
  const bad = firstInvalidUtf8(bytes);
  if (bad >= 0) {
    const line = bytes.subarray(0, bad).reduce((n, c) => (c === 0x0a ? n + 1 : n), 1);
    throw new InputError(`not valid UTF-8: byte 0x${bytes[bad]!.toString(16).padStart(2, '0')} at offset ${bad}`, file, `line ${line}`);
  }
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** A JSON document from its text; InputError naming the line and column of a syntax error. */
export function parseJsonText(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    // V8 says what is wrong, quoting a piece of the input, but not always where: keep the verdict, locate it ourselves.
    const verdict = msg.replace(/, (?:\.\.\.)?".*is not valid JSON$/s, '').replace(/ (in|after) JSON at position \d+.*$/s, '');
    const at = jsonErrorOffset(text);
    throw new InputError(`not valid JSON: ${verdict}`, file, at !== undefined ? lineCol(text, at) : undefined);
  }
}

/**
 * A scenario from the bytes of a JSON scenario file, as `faultline run file.json` reads it:
 * UTF-8 checked, BOM dropped, JSON parsed, schema and protocol config validated. Throws
 * only InputError (one line naming the file and the place). For in-process parser tests.
 */
export function scenarioFromJsonBytes(bytes: Uint8Array, file: string): Scenario {
  const doc = parseJsonText(decodeText(bytes, file), file);
  return parseScenario(doc, file);
}

/**
 * The document in a scenario file, boxed: a module may export a thenable or a proxy, which awaiting it bare would call.
 * A TypeScript file with a type error is still loaded: its type error comes back as `typeError`, for loadScenario to
 * report after the schema's verdict (a schema error names the field; defineScenario's overload error does not).
 */
async function readDocument(file: string): Promise<{ doc: unknown; typeError?: InputError }> {
  const ext = extname(file);
  if (ext === '.json') {
    return { doc: parseJsonText(readTextFile(file), file) };
  }
  if (ext === '.ts' || ext === '.js' || ext === '.mjs' || ext === '.mts') {
    let typeError: InputError | undefined;
    try {
      if (ext === '.ts' || ext === '.mts') typecheckUserFile(file);
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      typeError = err;
    }
    let mod: { default?: unknown };
    try {
      mod = await importUserModule(file, { typecheck: false });
    } catch (err) {
      throw typeError ?? err;
    }
    if (mod.default === undefined || exportsNothing(mod.default, file)) throw typeError ?? new InputError('no default export: expected export default defineScenario({...})', file);
    return { doc: mod.default, ...(typeError !== undefined ? { typeError } : {}) };
  }
  throw new InputError('expected a scenario file ending in .ts or .json', file);
}

/**
 * A file with no default export may still hand import() a `default`: loaded as CommonJS, it is the
 * module's `module.exports`, which is empty for a file with no import or export and holds the named
 * exports (`export const x = 1`) otherwise. Either is no default export, not a scenario with every
 * field missing or with unknown keys. The source decides: `export default {}`, `export { s as default }`
 * and a CommonJS `module.exports = ...` are default exports.
 */
function exportsNothing(value: unknown, file: string): boolean {
  if (value === null || typeof value !== 'object' || isProxy(value)) return false;
  if (Object.getPrototypeOf(value) !== Object.prototype) return false;
  return !/\bexport\s+default\b|\bas\s+default\b|\bexport\s*\{[^}]*\bdefault\b|\bmodule\.exports\b|\bexports\.default\b/.test(readFileSync(file, 'utf8'));
}

/** Scenario files of a folder: TypeScript, JSON, or (in the built package) the compiled JavaScript; not declarations. */
export function scenarioFiles(dir = SCENARIO_DIR): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => (f.endsWith('.ts') || f.endsWith('.json') || f.endsWith('.js')) && !f.endsWith('.d.ts') && !f.startsWith('_'))
    .sort()
    .map((f) => join(dir, f));
}

/** Whether a scenario file plants a bug or expects a violation (a demonstration of a failure, not an example to start from). */
function demonstratesFailure(file: string): boolean {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return false;
  }
  return /["']?expect["']?\s*:\s*\{/.test(text) || /["']?bugs["']?\s*:\s*\{[^}]*\btrue\b/.test(text);
}

/**
 * The scenario of a protocol to suggest, as something the user can run: among `own` (its files),
 * one that plants no bug and expects no violation (a `-happy` or `-leader-crash` one first), else
 * the first. Named by its source path `scenarios/<name>.ts|json` (relative to `cwd` when under it, else
 * absolute: a path that works from the user's folder) when that file exists (a source
 * checkout, or a build inside one: the built CLI's scenarios are compiled `.js` files under
 * dist/scenarios, not a path to give a user), else by its bare name, which `faultline run` finds.
 */
export function exampleScenario(own: readonly string[], cwd: string = process.cwd()): string | undefined {
  const clean = own.filter((f) => !demonstratesFailure(f));
  const pick = clean.find((f) => /-(happy|leader-crash)\.[a-z]+$/.test(f)) ?? clean[0] ?? own[0];
  if (pick === undefined) return undefined;
  // A path that works from where the user is: relative to the working folder when the file is under it, else absolute.
  const fromCwd = (file: string): string => {
    const abs = resolve(file);
    const rel = relative(cwd, abs);
    return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : abs;
  };
  if (!pick.endsWith('.js')) return fromCwd(pick);
  const name = basename(pick, '.js');
  const source = join(dirname(pick), '..', '..', 'scenarios', `${name}.ts`);
  return existsSync(source) ? fromCwd(source) : name;
}

/**
 * What to say after "no scenario of that name": for a protocol's name (`faultline run raft`), its
 * built-in scenarios (`did you mean scenarios/raft-leader-crash.ts?`) and `faultline list raft`; for a
 * near miss, the nearest scenario; else `see faultline list`. Only on this error path are the
 * protocols loaded.
 */
async function scenarioHint(ref: string, files: readonly string[]): Promise<string> {
  const names = files.map((f) => basename(f, extname(f)));
  const { protocolNames } = await import('../protocols/registry.ts');
  if (protocolNames().includes(ref)) {
    const example = exampleScenario(files.filter((f) => basename(f).startsWith(`${ref}-`)));
    return `; "${ref}" is a protocol: ${example !== undefined ? `did you mean ${example}? ` : ''}faultline list ${ref} lists its built-in scenarios (and faultline fuzz ${ref} takes a protocol)`;
  }
  const near = nearestName(ref, names);
  return near !== undefined ? `; did you mean ${near}? (see faultline list)` : ' (see faultline list)';
}

/** Load a scenario by path, or by name from the scenarios directory. */
export async function loadScenario(ref: string, { quiet = false }: { quiet?: boolean } = {}): Promise<LoadedScenario> {
  let file = ref;
  if (!existsSync(file)) {
    const files = scenarioFiles();
    const byName = files.find((f) => basename(f, extname(f)) === ref);
    if (!byName) throw new InputError(`no such file, and no scenario of that name in scenarios/${await scenarioHint(ref, files)}`, ref);
    file = byName;
  }
  const { doc, typeError } = await readDocument(file);
  let scenario: Scenario;
  try {
    // A `protocol` that is a module path (relative to this file) is loaded and registered first.
    scenario = parseScenario(await resolveProtocolRef(doc, file), file);
  } catch (err) {
    // The schema's error first: it names the field, where the type error of defineScenario({...}) says "No overload matches".
    if (err instanceof InputError) throw err;
    // A module's export can be anything (getters that throw, proxies): reading it is reading input.
    throw typeError ?? new InputError(`could not read the scenario: ${err instanceof Error ? err.message : String(err)}`, file);
  }
  if (typeError !== undefined) throw typeError;
  const warnings = scenarioWarnings(scenario, file);
  if (!quiet) for (const w of warnings) warnAboutInput(`faultline: warning: ${new InputError(w.message, file, w.where).describe()}\n`);
  return { file, scenario, warnings };
}

export async function loadAllScenarios(dir = SCENARIO_DIR): Promise<LoadedScenario[]> {
  const out: LoadedScenario[] = [];
  for (const f of scenarioFiles(dir)) out.push(await loadScenario(f));
  return out;
}
