// The `faultline` command line. Each command lives in commands/<name>.ts and
// exports register(program). User mistakes (InputError, bad options) print one
// clear line and exit 2; anything else is a bug and keeps its stack trace.
// Error lines are `faultline: <command>: <what>`, coloured on a terminal only
// (see colour.ts), with control characters escaped so they stay one line.

import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { InputError } from '../scenario/errors.ts';
import { stderrColours } from './colour.ts';
import { registerBench } from './commands/bench.ts';
import { registerFuzz } from './commands/fuzz.ts';
import { registerCheck } from './commands/check.ts';
import { registerList } from './commands/list.ts';
import { registerReplay } from './commands/replay.ts';
import { registerRing } from './commands/ring.ts';
import { registerRun } from './commands/run.ts';
import { registerView } from './commands/view.ts';

/** The package version (package.json next to sim/). */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
  return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
}

export function buildProgram(): Command {
  const program = new Command('faultline')
    .description('Deterministic simulation of distributed protocols under faults')
    .version(packageVersion(), '-V, --version', 'print the version and exit')
    // main() prints commander's errors itself, as one line.
    .configureOutput({ outputError: () => undefined })
    .exitOverride();
  registerRun(program);
  registerList(program);
  registerBench(program);
  registerCheck(program);
  registerReplay(program);
  registerFuzz(program);
  registerView(program);
  registerRing(program);
  return program;
}

const MAX_ERROR_CHARS = 500;

/** One printable line: control characters escaped (a file name or option value may hold a newline), long text clipped. */
export function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  const escaped = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (ch) => JSON.stringify(ch).slice(1, -1).replace(/^\\u00/, '\\x'));
  return escaped.length > MAX_ERROR_CHARS ? `${escaped.slice(0, MAX_ERROR_CHARS - 3)}...` : escaped;
}

/** Print `faultline: <what>` on stderr (the prefix in red on a terminal). */
export function printError(what: string): void {
  const c = stderrColours();
  process.stderr.write(`${c.red(c.bold('faultline:'))} ${oneLine(what)}\n`);
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof InputError) {
      printError(err.describe());
      return 2;
    }
    if (err instanceof CommanderError) {
      if (err.exitCode === 0) return 0;
      // Help shown because no command was given: commander already printed it.
      if (err.code === 'commander.help') return 2;
      const sub = program.commands.find((c) => c.name() === argv[0]);
      const hint = sub ? `see faultline ${sub.name()} --help` : 'see faultline --help';
      printError(`${sub ? `${sub.name()}: ` : ''}${err.message.replace(/^error: /, '')} (${hint})`);
      return 2;
    }
    throw err;
  }
  return typeof process.exitCode === 'number' ? process.exitCode : 0;
}
