// faultline list: every built-in scenario with its one-line description.

import type { Command } from 'commander';
import { scenarioList } from '../scenario-list.ts';

export function registerList(program: Command): void {
  program
    .command('list')
    .description('list the built-in scenarios and protocols')
    .option('--json', 'print one JSON document: { scenarios: [{ name, file, protocol, description, expect }], protocols: [names] }')
    .action(async (opts: { json?: boolean }) => {
      const { scenarios, protocols } = await scenarioList();
      if (opts.json) {
        // One document, as every other --json prints (not JSON Lines): `jq '.scenarios[].name'` reads it.
        const list = scenarios.map((s) => ({ name: s.name, file: s.file, protocol: s.protocol, description: s.description, expect: s.expect }));
        process.stdout.write(JSON.stringify({ scenarios: list, protocols }) + '\n');
        return;
      }
      const width = Math.max(...scenarios.map((s) => s.name.length), 4);
      const pwidth = Math.max(...scenarios.map((s) => s.protocol.length), 8);
      for (const s of scenarios) process.stdout.write(`${s.name.padEnd(width)}  ${s.protocol.padEnd(pwidth)}  ${s.description}\n`);
      process.stdout.write(`\nprotocols: ${protocols.join(', ')}\n`);
    });
}
