// faultline list [name] [--verbose] [--json]: the built-in scenarios, one line each (name,
// protocol, the first sentence of the description, clipped to the terminal width or 100
// characters); `--verbose` gives the full descriptions; `list <protocol>` only that protocol's
// scenarios; `list <scenario>` one scenario in full.

import type { Command } from 'commander';
import { InputError } from '../../scenario/errors.ts';
import { nearestName } from '../../scenario/names.ts';
import { scenarioList, type ScenarioListEntry } from '../scenario-list.ts';

/** Description width when stdout is not a terminal (a pipe, a file); on a terminal, the line fits its width. */
export const DEFAULT_DESCRIPTION_WIDTH = 100;

/** The first sentence of a text (up to a `.`, `!` or `?` followed by a space or the end), on one line. */
export function firstSentence(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const m = /^(.*?[.!?])(?: |$)/.exec(flat);
  return m?.[1] ?? flat;
}

/** `text` cut to at most `max` characters (at least 10), ending in "..." when cut. */
export function clip(text: string, max: number): string {
  const n = Math.max(10, max);
  return text.length <= n ? text : `${text.slice(0, n - 3).trimEnd()}...`;
}

/**
 * One line per scenario: name, protocol and the first sentence of its description, clipped to
 * `width.line` characters a line (a terminal's width) or `width.description` characters of
 * description (not a terminal); with `verbose`, the whole description (not clipped).
 */
export function formatScenarioLines(scenarios: readonly ScenarioListEntry[], width: { line: number } | { description: number }, verbose = false): string[] {
  const nwidth = Math.max(...scenarios.map((s) => s.name.length), 4);
  const pwidth = Math.max(...scenarios.map((s) => s.protocol.length), 8);
  return scenarios.map((s) => {
    const head = `${s.name.padEnd(nwidth)}  ${s.protocol.padEnd(pwidth)}  `;
    return head + (verbose ? s.description.replace(/\s+/g, ' ').trim() : clip(firstSentence(s.description), 'line' in width ? width.line - head.length : width.description));
  });
}

/** One scenario in full. */
export function formatScenarioDetails(s: ScenarioListEntry): string[] {
  return [`name         ${s.name}`, `file         scenarios/${s.file}`, `protocol     ${s.protocol}`, `expect       ${s.expect}`, `description  ${s.description.replace(/\s+/g, ' ').trim()}`, `run          faultline run ${s.name}`];
}

export function registerList(program: Command): void {
  program
    .command('list')
    .description('list the built-in scenarios (one line each) and protocols; a protocol name lists its scenarios, a scenario name shows it in full')
    .argument('[name]', "a protocol (its scenarios) or a scenario (its full description)")
    .option('--verbose', 'full descriptions instead of their first sentence')
    .option('--json', 'print one JSON document: { scenarios: [{ name, file, protocol, description, expect }], protocols: [names] }')
    .action(async (name: string | undefined, opts: { json?: boolean; verbose?: boolean }) => {
      const { scenarios: all, protocols } = await scenarioList();
      let scenarios = all;
      let one: ScenarioListEntry | undefined;
      if (name !== undefined) {
        one = all.find((s) => s.name === name);
        if (one !== undefined) scenarios = [one];
        else if (protocols.includes(name)) scenarios = all.filter((s) => s.protocol === name);
        else {
          const near = nearestName(name, [...protocols, ...all.map((s) => s.name)]);
          throw new InputError(`no protocol or built-in scenario of that name${near !== undefined ? `; did you mean "${near}"?` : ''} (faultline list shows them all)`, name);
        }
      }
      if (opts.json) {
        // One document, as every other --json prints (not JSON Lines): `jq '.scenarios[].name'` reads it.
        const list = scenarios.map((s) => ({ name: s.name, file: s.file, protocol: s.protocol, description: s.description, expect: s.expect }));
        process.stdout.write(JSON.stringify({ scenarios: list, protocols: name === undefined ? protocols : protocols.filter((p) => p === name) }) + '\n');
        return;
      }
      if (one !== undefined) {
        process.stdout.write(formatScenarioDetails(one).join('\n') + '\n');
        return;
      }
      const width = process.stdout.isTTY && process.stdout.columns > 0 ? { line: process.stdout.columns } : { description: DEFAULT_DESCRIPTION_WIDTH };
      const lines = scenarios.length > 0 ? formatScenarioLines(scenarios, width, opts.verbose === true) : [`(no built-in scenario of ${name ?? 'any protocol'}; write one: see README "Scenarios")`];
      process.stdout.write(lines.join('\n') + '\n');
      if (name === undefined) process.stdout.write(`\nprotocols: ${protocols.join(', ')}\n`);
      if (!opts.verbose) process.stdout.write(`(first sentence of each description; --verbose or faultline list <scenario> for the full text)\n`);
    });
}
