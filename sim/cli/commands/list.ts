// faultline list: every built-in scenario with its one-line description.

import type { Command } from 'commander';
import { basename } from 'node:path';
import { protocolNames } from '../../protocols/registry.ts';
import { loadAllScenarios } from '../scenarios.ts';

export function registerList(program: Command): void {
  program
    .command('list')
    .description('list the built-in scenarios and protocols')
    .option('--json', 'one JSON line per scenario')
    .action(async (opts: { json?: boolean }) => {
      const all = await loadAllScenarios();
      if (opts.json) {
        for (const { file, scenario } of all) {
          const expect = scenario.expect === 'no-violation' ? 'no-violation' : `violation:${scenario.expect.violation}`;
          process.stdout.write(JSON.stringify({ name: scenario.name, file: basename(file), protocol: scenario.protocol, description: scenario.description, expect }) + '\n');
        }
        return;
      }
      const width = Math.max(...all.map((s) => s.scenario.name.length), 4);
      for (const { scenario } of all) {
        process.stdout.write(`${scenario.name.padEnd(width)}  ${scenario.protocol.padEnd(8)}  ${scenario.description}\n`);
      }
      process.stdout.write(`\nprotocols: ${protocolNames().join(', ')}\n`);
    });
}
