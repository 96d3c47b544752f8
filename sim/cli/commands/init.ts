// faultline init <dir>: scaffold a project for a user's own protocol (templates/project):
// package.json depending on faultline, tsconfig, a tiny protocol written against the node
// API with a checker and a planted bug switch, a scenario naming it by path, and a vitest
// test. Refuses a folder that exists and is not empty (exit 2, one line).

import type { Command } from 'commander';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError } from '../../scenario/errors.ts';
import { packageVersion } from '../main.ts';

/** templates/project of this package (next to sim/ in a checkout, next to dist/ when built). */
export function templateDir(): string {
  for (const up of ['../../../templates/project', '../../../../templates/project']) {
    const dir = fileURLToPath(new URL(up, import.meta.url));
    if (existsSync(join(dir, 'package.json'))) return dir;
  }
  throw new Error('faultline init: the project template (templates/project) is missing from this installation');
}

/** Files of the template, relative paths, sorted. */
function templateFiles(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(dir, prefix)).sort()) {
    const rel = prefix === '' ? name : `${prefix}/${name}`;
    if (statSync(join(dir, rel)).isDirectory()) out.push(...templateFiles(dir, rel));
    else out.push(rel);
  }
  return out;
}

/** An npm package name from a folder name: lower case, letters, digits, dashes. */
function packageName(dir: string): string {
  const n = basename(resolve(dir)).toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '');
  return n === '' ? 'my-protocol' : n;
}

/**
 * Write the template into `dir` (created if missing). Returns the files written, relative to dir.
 * @throws InputError when dir exists and is not an empty folder
 */
export function scaffold(dir: string): string[] {
  if (dir.trim() === '') throw new InputError('expected a folder name (an empty or missing folder), got an empty argument');
  if (existsSync(dir)) {
    if (!statSync(dir).isDirectory()) throw new InputError('expected a folder to create the project in, got a file', dir);
    if (readdirSync(dir).length > 0) throw new InputError('the folder is not empty; faultline init writes a new project into an empty or missing folder', dir);
  }
  const from = templateDir();
  const vars: Record<string, string> = { name: packageName(dir), version: packageVersion() };
  const written: string[] = [];
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    // ENOTDIR, EACCES, EROFS...: say where and why in one line, before any file is written.
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new InputError(`cannot create the folder (${code}): expected a path whose parent folders can be created`, dir);
  }
  for (const rel of templateFiles(from)) {
    // npm leaves .gitignore files out of packages: the template has it as `gitignore`.
    const target = join(dir, rel === 'gitignore' ? '.gitignore' : rel);
    mkdirSync(join(target, '..'), { recursive: true });
    const text = readFileSync(join(from, rel), 'utf8').replace(/\{\{(\w+)\}\}/g, (m, k: string) => vars[k] ?? m);
    writeFileSync(target, text);
    written.push(relative(dir, target));
  }
  return written;
}

/** `text` as one word of a POSIX shell command line: as is when safe, else in single quotes. */
export function shellQuote(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, "'\\''")}'`;
}

export function registerInit(program: Command): void {
  program
    .command('init')
    .description('scaffold a project for your own protocol: package.json, tsconfig, a tiny protocol with a checker and a planted bug, a scenario and a vitest test')
    .argument('<dir>', 'an empty or missing folder')
    .action((dir: string) => {
      const files = scaffold(dir);
      const lines = [
        `created ${shellQuote(dir)}: ${files.join(', ')}`,
        '',
        'next:',
        `  cd ${shellQuote(dir)} && npm install`,
        '  npx faultline run scenarios/basic.ts',
        '  npx faultline fuzz scenarios/basic.ts --bug skipFsync   # the planted bug, found and shrunk',
        '  npm test',
      ];
      process.stdout.write(lines.join('\n') + '\n');
    });
}
