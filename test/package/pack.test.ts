// The package as a user gets it: `npm pack` of the built package, installed into a fresh
// folder outside the repository, then a user's project there (scaffolded by `npx faultline
// init`, plus a scenario file with a syntax error) run with `npx faultline run`, `npx faultline
// fuzz` (finds the planted bug, shrinks it, on worker threads) and the user's vitest suite
// with faultline/vitest. Nothing of this repository is on the path: the CLI, the user's
// `import ... from 'faultline'` and the workers all load the installed tarball's dist/.
//
// dist/ is built first when missing or older than the sources (.ci/run builds before npm test).
// Skips only when `npm pack` itself is unavailable (it says why).

import { execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../cli-harness.ts';

const exec = promisify(execFile);

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

async function sh(cmd: string, args: string[], cwd: string, timeout = 240_000): Promise<Result> {
  try {
    // A clean environment for the user's side: no NODE_OPTIONS or NODE_PATH pointing back here.
    const env = { ...process.env, NODE_OPTIONS: '', NODE_PATH: '', FORCE_COLOR: '0', NO_COLOR: '1' };
    const { stdout, stderr } = await exec(cmd, args, { cwd, timeout, env, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number | string; stdout?: string; stderr?: string; message?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? e.message ?? '' };
  }
}

/** Newest mtime under dir of files ending in .ts (the build's inputs). */
function newestSource(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (e.name.endsWith('.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

function npmAvailable(): string | undefined {
  try {
    execFileSync('npm', ['--version'], { stdio: 'pipe' });
    return undefined;
  } catch (err) {
    return `npm is not available here (${(err as Error).message.split('\n')[0]})`;
  }
}

const unavailable = npmAvailable();
if (unavailable) console.warn(`pack test skipped: ${unavailable}`);

describe.skipIf(unavailable !== undefined)('npm pack, installed outside the repository', () => {
  let tmp = '';
  let app = '';

  beforeAll(async () => {
    const stamp = join(ROOT, 'dist', 'BUILD');
    if (!existsSync(stamp) || !existsSync(join(ROOT, 'ui', 'dist', 'index.html')) || Math.max(newestSource(join(ROOT, 'sim')), newestSource(join(ROOT, 'scenarios'))) > statSync(stamp).mtimeMs) {
      const b = await sh('npm', ['run', 'build'], ROOT, 600_000);
      if (b.code !== 0) throw new Error(`npm run build failed:\n${b.stdout}\n${b.stderr}`);
    }
    tmp = mkdtempSync(join(tmpdir(), 'faultline-pack-'));
    const pack = await sh('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', tmp], ROOT);
    if (pack.code !== 0) throw new Error(`npm pack failed: ${pack.stderr}`);
    const tarball = join(tmp, pack.stdout.trim().split('\n').at(-1)!);
    app = join(tmp, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'pack-test-app', private: true, type: 'module' }));
    // From the npm cache when it has everything (offline), else the registry.
    const vitestVersion = (JSON.parse(execFileSync('node', ['-p', 'JSON.stringify(require("vitest/package.json").version)'], { cwd: ROOT, encoding: 'utf8' })) as string);
    const tsVersion = (JSON.parse(execFileSync('node', ['-p', 'JSON.stringify(require("typescript/package.json").version)'], { cwd: ROOT, encoding: 'utf8' })) as string);
    const install = await sh('npm', ['install', tarball, `vitest@${vitestVersion}`, `typescript@${tsVersion}`, '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], app);
    if (install.code !== 0) throw new Error(`npm install of the tarball failed:\n${install.stderr}`);
  }, 600_000);

  afterAll(() => {
    if (tmp !== '') rmSync(tmp, { recursive: true, force: true });
  });

  it('is installed as a real package (no link back into the repository) and starts', async () => {
    const installed = join(app, 'node_modules', 'faultline');
    expect(lstatSync(installed).isSymbolicLink()).toBe(false);
    expect(existsSync(join(installed, 'dist', 'sim', 'index.js'))).toBe(true);
    expect(existsSync(join(installed, 'sim'))).toBe(false); // sources are not shipped
    const v = await sh('npx', ['faultline', '--version'], app);
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const list = await sh('npx', ['faultline', 'list'], app);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/^raft-leader-crash +raft /m);
  });

  it('faultline view serves the shipped viewer (built into ui/dist by npm run build) with a trace', async () => {
    const run = await sh('npx', ['faultline', 'run', 'raft-leader-crash', '--trace', 'view.jsonl'], app);
    expect(run.code, run.stderr).toBe(0);
    const env = { ...process.env, NODE_OPTIONS: '', NODE_PATH: '', FORCE_COLOR: '0', NO_COLOR: '1' };
    const child = spawn('npx', ['faultline', 'view', 'view.jsonl', '--port', '0'], { cwd: app, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    try {
      let out = '';
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err += String(d)));
      const url = await new Promise<string>((done, fail) => {
        child.stdout.on('data', (d: Buffer) => {
          out += String(d);
          const m = /^viewer: (http:\/\/\S+)/m.exec(out);
          if (m) done(m[1]!);
        });
        child.on('exit', (code) => fail(new Error(`faultline view exited (${code}) before serving:\n${out}\n${err}`)));
      });
      const page = await fetch(url);
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toMatch(/<script[^>]+src="\.\/assets\/[^"]+\.js"/);
      const script = /src="\.\/(assets\/[^"]+\.js)"/.exec(html)![1]!;
      expect((await fetch(new URL(script, url))).status).toBe(200);
      const trace = await fetch(new URL('trace/view.jsonl', url));
      expect(trace.status).toBe(200);
      expect(await trace.text()).toMatch(/^\{"format":"faultline-trace"/);
    } finally {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGTERM'); // npx and the server under it
      } catch {
        // already gone
      }
    }
  }, 300_000);

  it('init, run, fuzz (finds and shrinks the planted bug, on worker threads), a syntax error, and the vitest helpers', async () => {
    const init = await sh('npx', ['faultline', 'init', 'proj'], app);
    expect(init.code, init.stderr).toBe(0);
    const refused = await sh('npx', ['faultline', 'init', 'proj'], app);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^faultline: proj: the folder is not empty[^\n]*\n$/);

    const run = await sh('npx', ['faultline', 'run', 'proj/scenarios/basic.ts', '--json'], app);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ scenario: 'basic', held: true });

    // From inside the user's project, as a user runs it: the failure's trace names the protocol
    // module relative to the project root, and replays from there.
    const proj = join(app, 'proj');
    const fuzz = await sh('npx', ['faultline', 'fuzz', 'scenarios/basic.ts', '--bug', 'skipFsync', '--runs', '200', '--seed', '1', '--workers', '2', '--out', 'out'], proj);
    expect(fuzz.code, fuzz.stderr).toBe(1);
    // Each failure's block goes to stderr (stdout has the summary and its replay lines).
    const report = `${fuzz.stdout}${fuzz.stderr}`;
    expect(report).toMatch(/^FAIL +acknowledged-writes-survive at /m);
    // Shrunk: a crash and a restart of the server (a trailing quiesce is dropped when the failure does not need it).
    expect(report).toMatch(/^ +shrunk +2 faults: crash s1 @[^,]+, restart s1 @\S+$/m);
    const replay = /^replay +(npx faultline replay \S+)/m.exec(fuzz.stdout);
    expect(replay, fuzz.stdout).not.toBeNull();
    const replayed = await sh('npx', replay![1]!.split(' ').slice(1), proj);
    expect(replayed.code, replayed.stderr).toBe(0);
    expect(replayed.stdout).toMatch(/matches the recorded hash/);

    writeFileSync(join(app, 'proj', 'scenarios', 'broken.ts'), "import { defineScenario } from 'faultline';\nexport default defineScenario({\n  name: 'broken',,\n});\n");
    const broken = await sh('npx', ['faultline', 'run', 'proj/scenarios/broken.ts'], app);
    expect(broken.code).toBe(2);
    // Named relative to the working folder, which holds it (an absolute path from elsewhere).
    expect(broken.stderr).toMatch(/^faultline: proj\/scenarios\/broken\.ts:3:17: [^\n]+\n$/);
    expect(broken.stderr).not.toMatch(/Transform failed/);

    // A type error (tsx alone would strip it and run): checked with the project's typescript.
    writeFileSync(join(app, 'proj', 'scenarios', 'mistyped.ts'), "import { defineScenario } from 'faultline';\nconst d: number = '1s';\nexport default defineScenario({ name: 'mistyped', description: 'd', protocol: 'pingpong', duration: d });\n");
    const mistyped = await sh('npx', ['faultline', 'run', 'scenarios/mistyped.ts'], proj);
    expect(mistyped.code).toBe(2);
    expect(mistyped.stderr).toBe("faultline: scenarios/mistyped.ts:2:7: Type 'string' is not assignable to type 'number'.\n"); // relative to the working folder (proj)
    rmSync(join(app, 'proj', 'scenarios', 'mistyped.ts'));

    const vitest = await sh('npx', ['vitest', 'run', '--root', 'proj'], app);
    expect(vitest.code, `${vitest.stdout}\n${vitest.stderr}`).toBe(0);
    expect(vitest.stdout).toMatch(/2 passed/);
  }, 600_000);
});
