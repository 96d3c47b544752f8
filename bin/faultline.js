#!/usr/bin/env node
// Entry point for `npx faultline`: registers tsx so the TypeScript sources
// (and TypeScript scenario files) load directly, with no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../sim/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
