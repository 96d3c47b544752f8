// Error and warning lines on stderr, the same shape everywhere:
//   faultline: <file>: <where>: <what was expected>        (an error: exit 2)
//   faultline: warning: <file>: <what>                     (the command goes on)
// "faultline:" is red and "warning:" yellow on a terminal only (colour.ts).
// Each message is one line: control characters are escaped (a file name or an
// option value may hold a line break) and very long text is clipped.

import { stderrColours } from './colour.ts';

const MAX_MESSAGE_CHARS = 500;

/** One printable line: control characters escaped as \n, \x1b, ...; text past 500 characters clipped with "...". */
export function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  const escaped = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (ch) => JSON.stringify(ch).slice(1, -1).replace(/^\\u00/, '\\x'));
  return escaped.length > MAX_MESSAGE_CHARS ? `${escaped.slice(0, MAX_MESSAGE_CHARS - 3)}...` : escaped;
}

/** Print `faultline: <what>` on stderr. */
export function printError(what: string): void {
  const c = stderrColours();
  process.stderr.write(`${c.red(c.bold('faultline:'))} ${oneLine(what)}\n`);
}

/** Print `faultline: warning: <file>: <what>` (or `faultline: warning: <what>` without a file) on stderr. */
export function printWarning(file: string | undefined, what: string): void {
  const c = stderrColours();
  process.stderr.write(`${c.bold('faultline:')} ${c.yellow('warning:')} ${file !== undefined ? `${oneLine(file)}: ` : ''}${oneLine(what)}\n`);
}

/**
 * Warnings about the input (a scenario's name that differs from its file name) held back until the input
 * is known to be good: bad input is ONE line, so a warning must not come before an error found later
 * (a fault aimed at a node itself, caught after the schema). main() holds them while a command runs;
 * the command releases them once its input is checked (or main does at its end); an input error drops them.
 */
let held: string[] | undefined;

/** Hold input warnings from now on (main(), before a command runs). */
export function holdWarnings(): void {
  held = [];
}

/** Print a whole warning line (with its newline) now, or hold it while warnings are held. */
export function warnAboutInput(line: string): void {
  if (held !== undefined) held.push(line);
  else process.stderr.write(line);
}

/** Stop holding warnings: print the held ones (`print` false: drop them, the input was bad). */
export function releaseWarnings(print = true): void {
  const lines = held ?? [];
  held = undefined;
  if (print) for (const l of lines) process.stderr.write(l);
}
