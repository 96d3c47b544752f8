// faultline init: the scaffold's files, its placeholders filled, a refusal (one line, exit 2)
// for a folder that is not empty or is a file, and the scaffolded scenario running (its
// protocol named by path, `faultline` resolved to this package) with the planted bug caught.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { packageVersion } from '../../sim/cli/main.ts';
import { expectScenario, fuzzScenario, FuzzTestFailure } from '../../sim/vitest/index.ts';
import { inProcess } from '../cli-harness.ts';

const tmp = mkdtempSync(join(tmpdir(), 'faultline-init-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('faultline init', () => {
  it('scaffolds package.json (on this version of faultline), tsconfig, protocol, scenario and test', async () => {
    const dir = join(tmp, 'My Proto');
    const r = await inProcess(['init', dir]);
    expect(r.code, r.stderr).toBe(0);
    for (const f of ['package.json', 'tsconfig.json', '.gitignore', 'README.md', 'src/protocol.ts', 'scenarios/basic.ts', 'test/protocol.test.ts']) expect(existsSync(join(dir, f)), f).toBe(true);
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name: string; type: string; dependencies: Record<string, string> };
    expect(pkg).toMatchObject({ name: 'my-proto', type: 'module', dependencies: { faultline: `^${packageVersion()}` } });
    expect(readFileSync(join(dir, 'README.md'), 'utf8')).not.toMatch(/\{\{/);
  });

  it('the scaffolded scenario holds, and fuzzing finds its planted bug', async () => {
    const dir = join(tmp, 'run-me');
    expect((await inProcess(['init', dir])).code).toBe(0);
    const scenario = join(dir, 'scenarios/basic.ts');
    await expectScenario(scenario);
    const err = await fuzzScenario(scenario, { runs: 200, bug: 'skipFsync', outDir: join(tmp, 'out') }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FuzzTestFailure);
    expect((err as FuzzTestFailure).failure.violation.invariant).toBe('acknowledged-writes-survive');
    const clean = await fuzzScenario(scenario, { runs: 100, outDir: join(tmp, 'out') });
    expect(clean.failures).toEqual([]);
    // The template's abstractState gives guided fuzzing shapes to steer by (server down, paused, an ack in flight).
    for (const part of ['down', 'paused', 'ack-in-flight']) expect(clean.stateSet.some((s) => s.includes(part)), part).toBe(true);
  });

  it('refuses a folder that is not empty, or a file (one line, exit 2), and writes nothing', async () => {
    const full = join(tmp, 'full');
    expect((await inProcess(['init', full])).code).toBe(0);
    const again = await inProcess(['init', full]);
    expect(again).toEqual({ code: 2, stdout: '', stderr: `faultline: ${full}: the folder is not empty; faultline init writes a new project into an empty or missing folder\n` });
    const file = join(tmp, 'a-file');
    writeFileSync(file, 'x');
    const onFile = await inProcess(['init', file]);
    expect(onFile).toEqual({ code: 2, stdout: '', stderr: `faultline: ${file}: expected a folder to create the project in, got a file\n` });
    expect(readFileSync(file, 'utf8')).toBe('x');
  });

  it('an empty folder name is bad input (it used to scaffold over the working folder), and a path under a file is one line, not a stack trace', async () => {
    const empty = await inProcess(['init', '']);
    expect(empty).toEqual({ code: 2, stdout: '', stderr: 'faultline: expected a folder name (an empty or missing folder), got an empty argument\n' });
    const file = join(tmp, 'plain-file');
    writeFileSync(file, 'x');
    const under = await inProcess(['init', join(file, 'proj')]);
    expect(under).toEqual({ code: 2, stdout: '', stderr: `faultline: ${join(file, 'proj')}: cannot create the folder (ENOTDIR): expected a path whose parent folders can be created\n` });
  });
});
