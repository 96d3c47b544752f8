// Loading a user's modules: scenario files and protocols that live outside the
// registry (a scenario's `protocol: './register.ts'`). TypeScript files load
// through tsx, registered on first use: the built CLI (dist/) starts without any
// transform and pays for tsx only when it meets a .ts file. A user's module
// resolves its own imports (`import { defineProtocol } from 'faultline'` finds
// the faultline of the user's node_modules, or this package itself through its
// `exports` when the module lives in this repository).

import { existsSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { InputError } from '../scenario/errors.ts';
import type { ProtocolDefinition } from '../scenario/protocol.ts';
import { getProtocol, protocolNames, registerProtocol } from '../protocols/registry.ts';
import { displayPath, projectRoot } from './project.ts';
import { setTypecheck, typecheckUserFile } from './typecheck.ts';

export { projectRoot };

/** Set (to true) on globalThis by whoever registered a TypeScript loader for this process (bin/faultline.js from sources). */
export const TS_LOADER = Symbol.for('faultline.tsLoader');

const TS_FILE = /\.[mc]?ts$/;

/**
 * Whether a scenario's `protocol` names a module rather than a built-in protocol:
 * a relative (`./x.ts`, `../p/index.js`) or absolute path, or a file name with a
 * JavaScript or TypeScript extension.
 */
export function isModuleRef(ref: string): boolean {
  return ref.startsWith('./') || ref.startsWith('../') || isAbsolute(ref) || /\.(?:[mc]?[jt]s)$/.test(ref);
}

async function ensureTsLoader(): Promise<void> {
  const g = globalThis as Record<symbol, unknown>;
  // Inside a vitest worker, when this module is itself a TypeScript source, Vite transformed it
  // and its import()s go through Vite too: no loader needed. (Installed, this is dist/ JavaScript
  // that vitest leaves to Node, whose import() needs tsx for a .ts file.) The worker's marker
  // global is checked, not the VITEST variable, which child processes inherit.
  const viteTransformed = (globalThis as Record<string, unknown>).__vitest_worker__ !== undefined && import.meta.url.endsWith('.ts');
  if (g[TS_LOADER] === true || viteTransformed) return;
  const { register } = await import('tsx/esm/api');
  register();
  // A .ts file outside a "type": "module" package is CommonJS to Node: it goes through the
  // require() loader, which the ESM hooks above do not reach, so tsx's CommonJS hook is needed too.
  (await import('tsx/cjs/api')).register();
  g[TS_LOADER] = true;
}

/**
 * A module that failed to load, as one InputError line. esbuild's syntax errors
 * ("/abs/file.ts:2:19: ERROR: Expected ...", behind tsx's "Transform failed with 1 error:")
 * become `<file>:<line>:<col>: <message>` naming the file that has the error (which may be
 * a module the scenario imports).
 */
export function moduleError(err: unknown, file: string): InputError {
  if (err instanceof InputError) return err;
  const text = err instanceof Error ? err.message : String(err);
  const syntax = /(?:^|\n)(.+?):(\d+):(\d+): ERROR: (.*)/.exec(text);
  if (syntax) return new InputError(syntax[4] ?? 'syntax error', `${displayPath(syntax[1] ?? file)}:${syntax[2]}:${syntax[3]}`);
  // V8's own syntax errors (a .js/.mjs file) carry no position in the message; the stack's first line has it.
  if (err instanceof SyntaxError && typeof err.stack === 'string') {
    const at = /^(file:\/\/\S+?|\/\S+?):(\d+)\n/.exec(err.stack);
    if (at) return new InputError(text, `${displayPath(decodeURIComponent((at[1] ?? '').replace(/^file:\/\//, '')))}:${at[2]}`);
  }
  return new InputError(`could not load the module: ${text.split('\n').find((l) => l.trim() !== '' && !/^Transform failed/.test(l)) ?? text}`, file);
}

/**
 * `import()` of a user's file (.ts through tsx, .js/.mjs natively), boxed (a module may
 * export a thenable). Throws InputError (one line, with file:line:col for syntax errors).
 */
export async function importUserModule(file: string, { typecheck = true }: { typecheck?: boolean } = {}): Promise<{ default?: unknown }> {
  const url = pathToFileURL(resolve(file)).href;
  if (TS_FILE.test(file)) {
    await ensureTsLoader();
    if (typecheck) typecheckUserFile(file);
  }
  try {
    return unwrapCommonJs((await import(url)) as { default?: unknown });
  } catch (err) {
    // Outside a "type": "module" package tsx loads a .ts file as CommonJS, which Node 20
    // refuses when it imports ESM in a cycle; tsx's scoped ESM import loads it.
    if (!(err instanceof Error && /Cannot require\(\) ES Module/.test(err.message))) throw moduleError(err, file);
    try {
      const { tsImport } = await import('tsx/esm/api');
      const mod = (await tsImport(url, import.meta.url)) as { default?: unknown };
      const inner = mod.default as Record<string, unknown> | undefined;
      if (inner !== null && typeof inner === 'object' && Object.keys(inner).length === 1 && 'default' in inner) return inner as { default?: unknown };
      return mod;
    } catch (again) {
      throw moduleError(again, file);
    }
  }
}

/**
 * A .ts file Node takes for CommonJS (outside a "type": "module" package) is compiled by tsx to
 * `exports.default = ...`; import() then sees `{ default: { default: ... } }` (module.exports as the
 * default). Unwrap that so a scenario or protocol loads the same whatever its package says.
 */
function unwrapCommonJs(mod: { default?: unknown }): { default?: unknown } {
  const inner = mod.default as Record<string, unknown> | null | undefined;
  if (inner !== null && typeof inner === 'object' && 'default' in inner && (Object.keys(inner).length === 1 || inner.__esModule === true)) return inner as { default?: unknown };
  return mod;
}

/** Duck-typed (a module may resolve its own copy of faultline): the fields every ProtocolDefinition has. */
function isProtocolDefinition(x: unknown): x is ProtocolDefinition {
  const p = x as Partial<ProtocolDefinition> | null | undefined;
  return typeof p === 'object' && p !== null && typeof p.name === 'string' && typeof p.build === 'function' && typeof (p.configSchema as { safeParse?: unknown } | undefined)?.safeParse === 'function';
}

/**
 * The name a protocol module is registered, recorded in trace headers and written in generated
 * scenarios under: its path relative to its project root (the nearest folder with a
 * package.json), as `./src/protocol.ts`, so that two clones of one project, or one project moved
 * to another folder, record the same name (and so the same trace hash). A module in no project,
 * or outside its project's folder, keeps its absolute path.
 */
export function protocolKey(path: string): string {
  const abs = resolve(path);
  const root = projectRoot(dirname(abs));
  if (root === undefined) return abs;
  const rel = relative(root, abs).split(sep).join('/');
  return rel.startsWith('../') || isAbsolute(rel) ? abs : `./${rel}`;
}

/**
 * The file a module reference names, seen from the folders in `bases` (in order): for each base,
 * the reference relative to the base itself, then relative to the project root above it (a
 * project-relative name as protocolKey writes it). Undefined when no such file exists.
 */
export function findModule(ref: string, bases: readonly string[]): string | undefined {
  if (isAbsolute(ref)) return existsSync(ref) ? ref : undefined;
  for (const base of bases) {
    for (const dir of [base, projectRoot(base)]) {
      if (dir === undefined) continue;
      const p = resolve(dir, ref);
      if (existsSync(p)) return p;
    }
  }
  return undefined;
}

/** Loaded modules, by absolute path: the key each is registered under and the loading. */
const modules = new Map<string, { key: string; loading: Promise<ProtocolDefinition> }>();

/**
 * Load the protocol module at `path` (absolute) and register it under protocolKey(path), so that
 * a scenario whose `protocol` is that key runs it. Loaded once per process.
 * @throws InputError when the module does not load or its default export is not a defineProtocol(...)
 */
export function loadProtocolModule(path: string, where?: { file?: string; at?: string }): Promise<ProtocolDefinition> {
  const key = protocolKey(path);
  let entry = modules.get(path);
  if (!entry) {
    const loading = importUserModule(path).then((mod) => {
      if (!isProtocolDefinition(mod.default)) {
        throw new InputError('expected a module whose default export is defineProtocol({ name, description, configSchema, build })', where?.file ?? path, where?.at);
      }
      return mod.default;
    });
    entry = { key, loading };
    modules.set(path, entry);
    loading.catch(() => modules.delete(path));
  }
  // (Re-)register on every use: the last project to use a key in this process owns it.
  return entry.loading.then((def) => {
    registerProtocol(key, def);
    return def;
  });
}

/** Every protocol module loaded in this process (absolute paths), to load again in worker threads. */
export function loadedProtocolModules(): string[] {
  return [...modules.keys()];
}

/** Load (and register) each protocol module; for worker threads, given the main thread's loadedProtocolModules(). */
export async function loadProtocolModules(paths: readonly string[]): Promise<void> {
  setTypecheck(false); // the main thread checked them
  for (const p of paths) await loadProtocolModule(p);
}

/**
 * In a fuzz worker thread: import the user's workload modules (file URLs) the main thread loaded, as it
 * did (importUserModule), and hand each default export to the task module's preloadWorkload.
 */
export async function preloadWorkloads(task: { preloadWorkload(url: string, value: unknown): void }, urls: readonly string[]): Promise<void> {
  setTypecheck(false); // the main thread checked them
  for (const url of urls) task.preloadWorkload(url, (await importUserModule(fileURLToPath(url))).default);
}

/**
 * Resolve a scenario document's `protocol` when it names a module: the path is looked up
 * relative to the scenario file (or the working folder), then relative to the project root
 * above it; the module is loaded and registered, and the document gets the module's
 * protocolKey (project-relative, so trace headers do not depend on where the project lives).
 * A built-in name or a non-string is left for the schema to judge.
 */
export async function resolveProtocolRef<D>(doc: D, file: string | undefined): Promise<D> {
  if (typeof doc !== 'object' || doc === null) return doc;
  const ref = (doc as { protocol?: unknown }).protocol;
  if (typeof ref !== 'string' || !isModuleRef(ref)) return doc;
  const base = file !== undefined ? dirname(resolve(file)) : process.cwd();
  const path = findModule(ref, [base]);
  if (path === undefined) {
    if (getProtocol(ref) !== undefined) return doc; // registered in this process (a document built from a loaded scenario)
    throw new InputError(`no such protocol module ${resolve(base, ref)}; expected a module path relative to the scenario file, or one of: ${protocolNames().join(', ')}`, file, 'protocol');
  }
  await loadProtocolModule(path, { ...(file !== undefined ? { file } : {}), at: 'protocol' });
  return { ...doc, protocol: protocolKey(path) };
}

/**
 * Load the protocol module a trace's header names (a trace of a user's protocol records the
 * module's project-relative name, see protocolKey), so that replaying the trace can rebuild the
 * run. The name is looked up from `project` (a folder given with `--project`), then from the trace
 * file's folder, then from the working folder (each, and the project root above it). Does nothing
 * for a built-in protocol or a header that does not parse (the replay reports it).
 * @throws InputError (`line 1: protocol`) when the module is found nowhere, saying to pass --project
 */
export async function loadTraceProtocol(traceText: string, traceFile?: string, project?: string): Promise<void> {
  const end = traceText.indexOf('\n');
  let header: unknown;
  try {
    header = JSON.parse(end === -1 ? traceText : traceText.slice(0, end));
  } catch {
    return;
  }
  const ref = (header as { protocol?: unknown } | null)?.protocol;
  if (typeof ref !== 'string' || !isModuleRef(ref) || protocolNames().includes(ref)) return;
  const bases = [...(project !== undefined ? [resolve(project)] : []), ...(traceFile !== undefined ? [dirname(resolve(traceFile))] : []), process.cwd()];
  const path = findModule(ref, bases);
  if (path === undefined) {
    const roots = [...new Set(bases.map((b) => projectRoot(b) ?? b))];
    throw new InputError(`the trace's protocol module ${ref} is not in the project of ${roots.join(' or ')}; pass --project <folder of the project that recorded it> (or run from there)`, traceFile, 'line 1: protocol');
  }
  await loadProtocolModule(path, { ...(traceFile !== undefined ? { file: traceFile } : {}), at: 'line 1: protocol' });
}
