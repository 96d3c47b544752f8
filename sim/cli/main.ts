// The `faultline` command line. Each command lives in commands/<name>.ts and
// exports register(program). User mistakes (InputError, bad options) print one
// clear line and exit 2; anything else is a bug and keeps its stack trace.

import { Command, CommanderError } from 'commander';
import { InputError } from '../scenario/errors.ts';
import { registerBench } from './commands/bench.ts';
import { registerFuzz } from './commands/fuzz.ts';
import { registerFuzzReport } from './commands/fuzz-report.ts';
import { registerCheck } from './commands/check.ts';
import { registerList } from './commands/list.ts';
import { registerReplay } from './commands/replay.ts';
import { registerRing } from './commands/ring.ts';
import { registerRun } from './commands/run.ts';
import { registerView } from './commands/view.ts';

export function buildProgram(): Command {
  const program = new Command('faultline')
    .description('Deterministic simulation of distributed protocols under faults')
    .showHelpAfterError()
    .exitOverride();
  registerRun(program);
  registerList(program);
  registerBench(program);
  registerCheck(program);
  registerReplay(program);
  registerFuzz(program);
  registerFuzzReport(program);
  registerView(program);
  registerRing(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof InputError) {
      process.stderr.write(`faultline: ${err.describe()}\n`);
      return 2;
    }
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? 0 : 2;
    }
    throw err;
  }
  return typeof process.exitCode === 'number' ? process.exitCode : 0;
}
