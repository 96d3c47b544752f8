#!/usr/bin/env node
// Entry point for `npx faultline`. Runs the compiled JavaScript in dist/ (npm run build) with no
// TypeScript transform; tsx is loaded later only if a user's .ts scenario or protocol is met
// (sim/cli/protocol-modules.ts). In a checkout without a build, or whose sources are newer than
// the build, it runs the TypeScript sources through tsx instead, so a stale dist/ never runs.
// `faultline --version` is answered here, before anything else loads (start-up cost).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';

const args = process.argv.slice(2);

// Output piped into a reader that stops early (`faultline list | head -3`): stop quietly, as
// other command-line tools do, instead of an unhandled EPIPE error and its stack.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
}
const root = new URL('../', import.meta.url);

/** Whether a source file (.ts, .js, .json) under `dir`, or `dir` itself (a file added or removed), changed after `than` (ms). */
function newerThan(dir, than) {
  if (statSync(dir).mtimeMs > than) return true;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = `${dir}/${entry.name}`;
    if (entry.isDirectory()) {
      if (newerThan(p, than)) return true;
    } else if (/\.(ts|js|json)$/.test(entry.name) && statSync(p).mtimeMs > than) return true;
  }
  return false;
}

/** Use dist/ when it is built and (in a checkout, where sim/ exists) no source is newer than the build. */
function useDist() {
  const stamp = new URL('dist/BUILD', root);
  if (!existsSync(stamp)) return false;
  if (process.env.FAULTLINE_SOURCES === '1') return false;
  const sources = new URL('sim', root);
  if (!existsSync(sources)) return true;
  const built = statSync(stamp).mtimeMs;
  return !newerThan(sources.pathname, built) && !newerThan(new URL('scenarios', root).pathname, built);
}

if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  process.stdout.write(`${JSON.parse(readFileSync(new URL('package.json', root), 'utf8')).version}\n`);
} else if (useDist()) {
  const { main } = await import('../dist/sim/cli/main.js');
  process.exitCode = await main(args);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  (await import('tsx/cjs/api')).register(); // a user's .ts outside a "type": "module" package is CommonJS to Node
  (await import('node:module')).register('./source-resolve.js', import.meta.url);
  globalThis[Symbol.for('faultline.tsLoader')] = true;
  const { main } = await import('../sim/cli/main.ts');
  process.exitCode = await main(args);
}
