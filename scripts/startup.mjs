// Whole-process start-up times of the CLI, median of N runs each (default 10), for the README:
// `node scripts/startup.mjs [N]`. Needs a build (npm run build). Compares the built CLI (dist/)
// with the TypeScript sources run through tsx (FAULTLINE_SOURCES=1, the CLI before it was built
// to JavaScript), against `node -e 0`; and a user's TypeScript scenario with the type check
// (cache hit, and cold: cache cleared before each run) and with --no-typecheck.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const n = Number(process.argv[2] ?? 10);
const root = new URL('..', import.meta.url).pathname;
const bin = join(root, 'bin', 'faultline.js');

function median(cmd, args, env = {}, before = () => {}) {
  const times = [];
  for (let i = 0; i < n; i++) {
    before();
    const t0 = performance.now();
    const r = spawnSync(cmd, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    times.push(performance.now() - t0);
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  }
  times.sort((a, b) => a - b);
  return (times[Math.floor(n / 2)] / 1000).toFixed(3);
}

const project = mkdtempSync(join(tmpdir(), 'faultline-startup-'));
writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'startup', private: true, type: 'module' }));
mkdirSync(join(project, 'node_modules'));
const scenario = join(project, 'basic.ts');
writeFileSync(scenario, "const nodes: number = 2;\nexport default { name: 'basic', description: 'd', protocol: 'pingpong', config: { nodes, inFlight: 10 }, duration: '50ms' };\n");
const cache = join(project, 'node_modules', '.cache');

const rows = [
  ['node -e 0', median(process.execPath, ['-e', '0'])],
  ['faultline --version (built)', median(process.execPath, [bin, '--version'])],
  ['faultline list (built)', median(process.execPath, [bin, 'list'])],
  ['faultline list (sources through tsx)', median(process.execPath, [bin, 'list'], { FAULTLINE_SOURCES: '1' })],
  ['faultline run user.ts --no-typecheck (built)', median(process.execPath, [bin, 'run', scenario, '--no-typecheck'])],
  ['faultline run user.ts, type check cached (built)', median(process.execPath, [bin, 'run', scenario])],
  ['faultline run user.ts, type check cold (built)', median(process.execPath, [bin, 'run', scenario], {}, () => rmSync(cache, { recursive: true, force: true }))],
];
rmSync(project, { recursive: true, force: true });
for (const [what, s] of rows) process.stdout.write(`${what.padEnd(52)} ${s} s\n`);
