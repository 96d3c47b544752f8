// Terminal colour for the CLI (picocolors). Decided per output stream, with
// the same precedence as commander's own colour support: NO_COLOR (non-empty)
// or FORCE_COLOR=0/false turn colour off; FORCE_COLOR (any other value) or
// CLICOLOR_FORCE turn it on; otherwise colour only on a terminal (isTTY) whose
// TERM is not "dumb". Piped output (tests, `| less`, files) is plain text.
// See https://no-color.org and https://force-color.org.

import pc from 'picocolors';

export type Colours = ReturnType<typeof pc.createColors>;

/** Whether text written to `stream` should be coloured, given the environment `env`. */
export function colourEnabled(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if ((env.NO_COLOR !== undefined && env.NO_COLOR !== '') || env.FORCE_COLOR === '0' || env.FORCE_COLOR === 'false') return false;
  if (env.FORCE_COLOR !== undefined || env.CLICOLOR_FORCE !== undefined) return true;
  return stream.isTTY === true && env.TERM !== 'dumb';
}

/** Colours for standard output (summaries, verdicts). */
export function stdoutColours(): Colours {
  return pc.createColors(colourEnabled(process.stdout));
}

/** Colours for standard error (errors, warnings). */
export function stderrColours(): Colours {
  return pc.createColors(colourEnabled(process.stderr));
}

/** No colour at all (JSON output, tests). */
export const plain: Colours = pc.createColors(false);
