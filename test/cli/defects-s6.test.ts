// CLI defects a newcomer met in session 6, each fixed in kind and pinned here: one seed reading
// everywhere (`run --seed 042` is `--seed 42`, as in fuzz and in a scenario file), type and syntax
// errors in a user's files shown relative to the working folder when inside it, and the global
// `--no-typecheck` listed by every command's --help.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { campaignSeed, parseSeed } from '../../sim/cli/options.ts';
import { displayPath } from '../../sim/cli/project.ts';
import { parseScenario } from '../../sim/scenario/resolve.ts';
import { canonicalSeed } from '../../sim/scenario/seed.ts';
import { cli, inProcess } from '../cli-harness.ts';

const dir = mkdtempSync(join(tmpdir(), 'faultline-defects6-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const scenario = (name: string, extra: Record<string, unknown> = {}, folder = ''): string => {
  mkdirSync(join(dir, folder), { recursive: true });
  const file = join(dir, folder, `${name}.json`);
  writeFileSync(file, JSON.stringify({ name, description: 'd', protocol: 'pingpong', duration: '50ms', ...extra }));
  return file;
};

describe('one seed reading for run, fuzz and scenario files', () => {
  it.each([
    ['042', '42'],
    [' 42 ', '42'],
    ['+42', '42'],
    ['-007', '-7'],
    ['-0', '0'],
    ['00', '0'],
    ['123456789012345678901234567890', '123456789012345678901234567890'],
    ['abc', 'abc'],
    [' abc ', 'abc'],
    ['0x10', '0x10'],
    ['4 2', '4 2'],
  ])('%j reads as %j', (text, seed) => {
    expect(canonicalSeed(text)).toBe(seed);
    expect(parseSeed(text)).toBe(seed);
  });

  it('fuzz takes the same text to the same campaign seed', () => {
    expect(campaignSeed('042')).toBe(42);
    expect(campaignSeed(' abc ')).toBe(campaignSeed('abc'));
  });

  it('run --seed 042, --seed 42 and a scenario file with seed "042" or 42 run the same (same trace hash)', async () => {
    const hashes: string[] = [];
    for (const args of [['--seed', '042'], ['--seed', '42'], ['--seed', ' 42']]) {
      const r = await inProcess(['run', scenario('seeded'), ...args, '--json']);
      expect(r.code, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout) as { seed: string; hash: string };
      expect(out.seed).toBe('42');
      hashes.push(out.hash);
    }
    for (const seed of ['042', 42]) {
      const r = await inProcess(['run', scenario('seeded', { seed }, `file-seed-${typeof seed}`), '--json']);
      hashes.push((JSON.parse(r.stdout) as { hash: string }).hash);
    }
    expect(new Set(hashes).size).toBe(1);
    const other = await inProcess(['run', scenario('seeded'), '--seed', '43', '--json']);
    expect((JSON.parse(other.stdout) as { hash: string }).hash).not.toBe(hashes[0]);
    expect(parseScenario({ name: 'x', description: 'd', protocol: 'pingpong', duration: '1ms', seed: '0042' }).seed).toBe('42');
  });
});

describe('error lines name a user file relative to the working folder when it is inside it', () => {
  it('displayPath: inside -> relative, outside -> absolute, relative input and line:col tails kept', () => {
    expect(displayPath('/a/b/c.ts:2:7', '/a')).toBe('b/c.ts:2:7');
    expect(displayPath('/a/b/c.ts', '/a/b')).toBe('c.ts');
    expect(displayPath('/x/c.ts', '/a')).toBe('/x/c.ts');
    expect(displayPath('/a', '/a')).toBe('/a');
    expect(displayPath('b/c.ts', '/a')).toBe('b/c.ts');
  });

  it('a type error and a syntax error, run from the project folder: file:line:col relative to it; from elsewhere: absolute', async () => {
    const proj = join(dir, 'rel-project');
    mkdirSync(join(proj, 'src'), { recursive: true });
    writeFileSync(join(proj, 'package.json'), JSON.stringify({ name: 'rel-project', private: true, type: 'module' }));
    writeFileSync(join(proj, 'src', 'nodes.ts'), "export const nodes: number = 2;\nexport const other: number = 'two';\n");
    writeFileSync(join(proj, 'scenario.ts'), "import { nodes } from './src/nodes.ts';\nexport default { name: 'scenario', description: 'd', protocol: 'pingpong', config: { nodes, inFlight: 10 }, duration: '50ms' };\n");
    const inside = await cli(['run', 'scenario.ts'], { cwd: proj });
    expect(inside.code).toBe(2);
    expect(inside.stderr).toBe("faultline: src/nodes.ts:2:14: Type 'string' is not assignable to type 'number'.\n");
    const outside = await cli(['run', join(proj, 'scenario.ts')], { cwd: dir });
    expect(outside.stderr).toBe(`faultline: rel-project/src/nodes.ts:2:14: Type 'string' is not assignable to type 'number'.\n`);
    mkdirSync(join(dir, 'elsewhere'), { recursive: true });
    const elsewhere = await cli(['run', join(proj, 'scenario.ts')], { cwd: join(dir, 'elsewhere') });
    expect(elsewhere.stderr).toBe(`faultline: ${join(proj, 'src', 'nodes.ts')}:2:14: Type 'string' is not assignable to type 'number'.\n`);
    writeFileSync(join(proj, 'bad.ts'), 'const n: number = ;\nexport default {};\n');
    const syntax = await cli(['run', 'bad.ts'], { cwd: proj });
    expect(syntax.code).toBe(2);
    expect(syntax.stderr).toBe('faultline: bad.ts:1:18: Unexpected ";"\n');
  });
});

describe('--no-typecheck, an option of every command, is listed by their --help', () => {
  it.each(['run', 'fuzz', 'replay', 'explore'])('faultline %s --help', async (command) => {
    const r = await inProcess([command, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\n {2}--no-typecheck +do not type-check a user's \.ts scenario or protocol/);
  });
});
