// Type-checking a user's TypeScript scenario or protocol before it loads. tsx (which runs
// it) strips types without checking them, so without this a type error would run as
// whatever JavaScript is left. Uses the TypeScript compiler API of the user's project
// (`typescript` is an optional peer dependency: whoever writes .ts has it; a project
// without it is not checked), on the file being loaded and its local imports only (not
// node_modules, not this package). A file that passed is remembered by content hash
// (node_modules/.cache/faultline/ of its project, else the temporary folder), so repeated
// commands do not pay for the compiler: a hit reads the files it lists and hashes them.
// `--no-typecheck` (or FAULTLINE_TYPECHECK=0) skips it.

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as TS from 'typescript';
import { InputError } from '../scenario/errors.ts';
import { displayPath, projectRoot } from './project.ts';

/** This package's own folder: its files are checked by its own `npm run typecheck`, not here. */
const TOOL_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), import.meta.url.endsWith('.js') ? '../../..' : '../..');

let enabled = process.env.FAULTLINE_TYPECHECK !== '0';

/** Turn the check off (`--no-typecheck`) or on for this process. */
export function setTypecheck(on: boolean): void {
  enabled = on;
}

const checked = new Set<string>();

interface CacheEntry {
  /** Every local file the passing check covered, with the SHA-256 of its content then. */
  files: Record<string, string>;
}

function sha(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

function fileHash(file: string): string | undefined {
  try {
    return sha(readFileSync(file));
  } catch {
    return undefined;
  }
}

function isLocal(file: string): boolean {
  const abs = resolve(file);
  return !abs.includes(`${sep}node_modules${sep}`) && !abs.endsWith('.d.ts') && !(abs + sep).startsWith(TOOL_ROOT + sep);
}

/** The `typescript` module of the user's project (resolved from `file`), else this package's own, else undefined. */
function loadTypeScript(file: string): typeof TS | undefined {
  for (const from of [file, fileURLToPath(import.meta.url)]) {
    try {
      return createRequire(from)('typescript') as typeof TS;
    } catch {
      // not resolvable from there
    }
  }
  return undefined;
}

/** The declarations of `faultline` and `faultline/vitest` for a file in no project (built, or the sources). */
function toolPaths(): Record<string, string[]> {
  const built = join(TOOL_ROOT, 'dist', 'sim');
  const base = existsSync(join(built, 'index.d.ts')) ? built : join(TOOL_ROOT, 'sim');
  const ext = base === built ? '.d.ts' : '.ts';
  return { faultline: [join(base, `index${ext}`)], 'faultline/vitest': [join(base, 'vitest', `index${ext}`)] };
}

function faultlineResolvable(file: string): boolean {
  try {
    createRequire(file).resolve('faultline/package.json');
    return true;
  } catch {
    return false;
  }
}

function compilerOptions(ts: typeof TS, file: string): { options: TS.CompilerOptions; configText: string } {
  const config = ts.findConfigFile(dirname(file), (f) => ts.sys.fileExists(f));
  const forced: TS.CompilerOptions = { noEmit: true, skipLibCheck: true, allowImportingTsExtensions: true };
  if (config !== undefined && isLocal(config)) {
    const read = ts.readConfigFile(config, (f) => ts.sys.readFile(f));
    const parsed = ts.parseJsonConfigFileContent(read.config ?? {}, ts.sys, dirname(config));
    // A project that does not have faultline installed (a scaffold run by the CLI of a checkout) gets the CLI's own, as its imports do at run time.
    const paths = faultlineResolvable(file) ? parsed.options.paths : { ...toolPaths(), ...parsed.options.paths };
    return { options: { ...parsed.options, ...forced, ...(paths !== undefined ? { paths } : {}) }, configText: `${config}\n${readFileSync(config, 'utf8')}` };
  }
  const options: TS.CompilerOptions = {
    ...forced,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    strict: true,
    esModuleInterop: true,
    types: [],
    paths: toolPaths(),
  };
  return { options, configText: 'defaults' };
}

/** The tsconfig.json at or above `dir`, up to its project root. */
function nearestTsconfig(dir: string): string | undefined {
  for (let d = dir; ; d = dirname(d)) {
    const f = join(d, 'tsconfig.json');
    if (existsSync(f)) return f;
    if (existsSync(join(d, 'package.json')) || dirname(d) === d) return undefined;
  }
}

function cacheFile(file: string, key: string): string {
  const root = projectRoot(dirname(file));
  const dir = root !== undefined && existsSync(join(root, 'node_modules')) ? join(root, 'node_modules', '.cache', 'faultline', 'typecheck') : join(tmpdir(), 'faultline-typecheck');
  return join(dir, `${key}.json`);
}

function cachedPass(path: string): boolean {
  try {
    const entry = JSON.parse(readFileSync(path, 'utf8')) as CacheEntry;
    return Object.entries(entry.files).every(([f, h]) => fileHash(f) === h);
  } catch {
    return false;
  }
}

/**
 * Type-check a user's TypeScript file (and the local files it imports) before it is loaded.
 * Does nothing for a file of this package, when turned off, or when `typescript` cannot be
 * resolved.
 * @throws InputError `<file>:<line>:<col>: <message>` for the first type error (and how many more)
 */
export function typecheckUserFile(file: string): void {
  const abs = resolve(file);
  if (!enabled || checked.has(abs) || !isLocal(abs)) return;
  const text = existsSync(abs) ? readFileSync(abs, 'utf8') : undefined;
  if (text === undefined) return; // the loader reports the missing file
  // The key: the file, its content and the nearest tsconfig.json's; the entry lists the other files covered.
  const config = nearestTsconfig(dirname(abs));
  const key = sha(`${abs}\n${sha(text)}\n${config ?? ''}\n${config !== undefined ? (fileHash(config) ?? '') : ''}`);
  const cache = cacheFile(abs, key);
  if (cachedPass(cache)) {
    checked.add(abs);
    return;
  }
  // Loaded only now: a cache hit never pays for the compiler.
  const ts = loadTypeScript(abs);
  if (ts === undefined) return;
  const { options } = compilerOptions(ts, abs);
  const program = ts.createProgram({ rootNames: [abs], options });
  const files = program.getSourceFiles().filter((sf) => isLocal(sf.fileName));
  // A syntax error is left to the loader, which reports it in the same words as for a .js file.
  if (files.some((sf) => program.getSyntacticDiagnostics(sf).length > 0)) return;
  const diagnostics: TS.Diagnostic[] = [];
  for (const sf of files) diagnostics.push(...program.getSemanticDiagnostics(sf));
  const errors = diagnostics.filter((d) => d.category === ts.DiagnosticCategory.Error);
  const first = errors[0];
  if (first !== undefined) {
    const message = ts.flattenDiagnosticMessageText(first.messageText, ' ').replace(/\s+/g, ' ');
    const more = errors.length > 1 ? ` (and ${errors.length - 1} more type error${errors.length > 2 ? 's' : ''}; --no-typecheck skips the check)` : '';
    if (first.file !== undefined && first.start !== undefined) {
      const { line, character } = first.file.getLineAndCharacterOfPosition(first.start);
      throw new InputError(`${message}${more}`, `${displayPath(resolve(first.file.fileName))}:${line + 1}:${character + 1}`);
    }
    throw new InputError(`${message}${more}`, displayPath(abs));
  }
  checked.add(abs);
  const entry: CacheEntry = { files: {} };
  for (const sf of files) {
    const h = fileHash(sf.fileName);
    if (h !== undefined) entry.files[resolve(sf.fileName)] = h;
  }
  try {
    mkdirSync(dirname(cache), { recursive: true });
    writeFileSync(cache, JSON.stringify(entry));
  } catch {
    // A read-only project: no cache, the check still ran.
  }
}
