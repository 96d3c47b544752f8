// The `--bug <name>` option shared by `fuzz` and `explore`: one name per use,
// repeatable, or several separated by commas. Not variadic, so `--bug X raft`
// leaves `raft` to the command's argument.

import { InputError } from '../scenario/errors.ts';

/**
 * Commander's collector for `--bug`: appends the comma-separated names of `value` to `prev`.
 * Throws InputError (where `--bug`) when `value` names no bug at all (`''`, `','`): a campaign
 * "with a bug" that silently runs without one would report a false "no violation".
 */
export function collectBugs(value: string, prev: string[] | undefined): string[] {
  const names = value.split(',').map((b) => b.trim()).filter((b) => b !== '');
  if (names.length === 0) throw new InputError(`expected a planted bug name (or several separated by commas), got ${JSON.stringify(value)}`, undefined, '--bug');
  return [...(prev ?? []), ...names];
}

/** Help text of `--bug`. */
export const BUG_OPTION_HELP = 'switch on a planted bug (config.bugs.<name> = true); repeat it or separate names by commas for several';
