#!/usr/bin/env node
// Entry point for `npx faultline`: registers tsx so the TypeScript sources
// (and TypeScript scenario files) load directly, with no build step.
// `faultline --version` is answered here, before tsx loads (start-up cost).
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  process.stdout.write(`${JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version}\n`);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  const { main } = await import('../sim/cli/main.ts');
  process.exitCode = await main(args);
}
