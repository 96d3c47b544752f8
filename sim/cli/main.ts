// The `faultline` command line. Each command lives in commands/<name>.ts and
// exports register(program). User mistakes (InputError, bad options) print one
// clear line and exit 2; anything else is a bug and keeps its stack trace.
// Error lines are `faultline: <command>: <what>` (see messages.ts).

import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { Command, CommanderError } from 'commander';
import { InputError } from '../scenario/errors.ts';
import { holdWarnings, printError, releaseWarnings } from './messages.ts';

/** The package version (package.json next to sim/, or next to dist/ when this runs built). */
export function packageVersion(): string {
  for (const up of ['../../package.json', '../../../package.json']) {
    const url = new URL(up, import.meta.url);
    if (!existsSync(url)) continue;
    const pkg = JSON.parse(readFileSync(url, 'utf8')) as { name?: unknown; version?: unknown };
    if (pkg.name === 'faultline' && typeof pkg.version === 'string') return pkg.version;
  }
  return '0.0.0';
}

type Register = (program: Command) => void;

interface CommandEntry {
  /** Imports the command's module and gives its register function. */
  load: () => Promise<Register>;
  /** One short line for the command list of `faultline --help` (the full description is in `faultline <command> --help`). */
  summary: string;
}

/**
 * The commands, loaded on demand: `faultline run ...` imports only commands/run.ts (and what it
 * needs), so a command does not pay for the simulator, the fuzzer or the viewer server it does
 * not use, and `faultline --help` lists the summaries below without loading any command.
 * Add one entry per command (the order is the order of `--help`).
 */
const COMMANDS: Record<string, CommandEntry> = {
  run: { load: async () => (await import('./commands/run.ts')).registerRun, summary: 'run a scenario and print a summary (and a trace)' },
  list: { load: async () => (await import('./commands/list.ts')).registerList, summary: 'list the built-in scenarios and protocols' },
  bench: { load: async () => (await import('./commands/bench.ts')).registerBench, summary: 'run a benchmark, or all of them' },
  check: { load: async () => (await import('./commands/check.ts')).registerCheck, summary: 'check history files for linearizability' },
  replay: { load: async () => (await import('./commands/replay.ts')).registerReplay, summary: 're-run a trace and check it replays exactly' },
  fuzz: { load: async () => (await import('./commands/fuzz.ts')).registerFuzz, summary: 'fuzz a scenario or protocol with generated faults; shrink failures' },
  view: { load: async () => (await import('./commands/view.ts')).registerView, summary: 'open a trace in the browser viewer' },
  ring: { load: async () => (await import('./commands/ring.ts')).registerRing, summary: 'consistent hash ring tools' },
  'fuzz-report': { load: async () => (await import('./commands/fuzz-report.ts')).registerFuzzReport, summary: 'merge the --json reports of a sharded fuzz campaign' },
  explore: { load: async () => (await import('./commands/explore.ts')).registerExplore, summary: 'explore every state of a small configuration; shortest counterexample' },
  init: { load: async () => (await import('./commands/init.ts')).registerInit, summary: 'scaffold a project for your own protocol (protocol, checker, scenario, test)' },
};

export const commandNames: readonly string[] = Object.keys(COMMANDS);

/** The command `argv` runs, if it names one (`faultline help <command>` too). */
function commandOf(argv: readonly string[]): string | undefined {
  const first = argv[0] === 'help' ? argv[1] : argv[0];
  return first !== undefined && Object.hasOwn(COMMANDS, first) ? first : undefined;
}

/**
 * The program. With `only` it has that one command, loaded; with `'all'` every command,
 * loaded; without, every command as a stub that only lists its summary (enough for
 * `faultline --help`, `--version` and the error for an unknown command).
 */
export async function buildProgram(only?: string): Promise<Command> {
  const names = only === 'all' ? commandNames : only !== undefined && Object.hasOwn(COMMANDS, only) ? [only] : [];
  const registers = await Promise.all(names.map((n) => (COMMANDS[n] as CommandEntry).load()));
  const program = new Command('faultline')
    .description('Deterministic simulation of distributed protocols under faults')
    .version(packageVersion(), '-V, --version', 'print the version and exit')
    // main() prints commander's errors itself, as one line.
    .configureOutput({ outputError: () => undefined })
    // Taken out of argv by main() before parsing (any position); listed here for --help.
    .option('--no-typecheck', "do not type-check a user's .ts scenario or protocol before loading it")
    // `faultline run --help` lists the options every command takes (--no-typecheck) under "Global Options".
    .configureHelp({ showGlobalOptions: true })
    .exitOverride();
  if (registers.length === 0) {
    for (const [name, entry] of Object.entries(COMMANDS)) program.command(name).summary(entry.summary);
    program.addHelpText('after', '\nRun faultline <command> --help for its arguments and options.');
  }
  for (const register of registers) register(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  if (argv.includes('--no-typecheck')) {
    argv = argv.filter((a) => a !== '--no-typecheck');
    (await import('./typecheck.ts')).setTypecheck(false);
  }
  const program = await buildProgram(commandOf(argv));
  // Input warnings wait until the command has checked its input (messages.ts): bad input stays one line.
  holdWarnings();
  try {
    await program.parseAsync(argv, { from: 'user' });
    releaseWarnings();
  } catch (err) {
    releaseWarnings(!(err instanceof InputError || err instanceof CommanderError));
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
      printError(`${sub ? `${sub.name()}: ` : ''}${err.message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' ')} (${hint})`);
      return 2;
    }
    throw err;
  }
  return typeof process.exitCode === 'number' ? process.exitCode : 0;
}

/** Whether this module is the program Node was started with (`node --import tsx sim/cli/main.ts ...`). */
function isEntry(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return pathToFileURL(realpathSync(script)).href === import.meta.url;
  } catch {
    return false;
  }
}

// Started directly (`node --import tsx sim/cli/main.ts fuzz raft`, or `node dist/sim/cli/main.js ...`):
// run the command as bin/faultline.js does. Without this the module only exported main(), and such a
// command exited 0 having done nothing (an outside evaluator took that silence for a clean campaign).
if (isEntry()) process.exitCode = await main(process.argv.slice(2));
