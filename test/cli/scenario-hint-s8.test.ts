// `faultline run <protocol>` suggests one of the protocol's scenarios: one that plants no bug and
// expects no violation, named so the user can run it (the built CLI's scenarios are compiled .js
// files under dist/scenarios: it names the .ts source when the build sits in a checkout, else the
// bare scenario name, which `faultline run` resolves).

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exampleScenario } from '../../sim/cli/scenarios.ts';
import { inProcess } from '../cli-harness.ts';

const tmp = mkdtempSync(join(tmpdir(), 'faultline-hint-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function built(root: string): string[] {
  const dir = join(root, 'dist', 'scenarios');
  mkdirSync(dir, { recursive: true });
  const files = {
    'lock-bug-table.js': "export default defineScenario({ config: { bugs: { skipFsync: true } }, expect: { violation: 'single-holder' } });",
    'lock-fine.js': "export default defineScenario({ config: { clients: 2 }, expect: 'no-violation' });",
  };
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return Object.keys(files).map((n) => join(dir, n));
}

describe('the scenario a protocol name suggests', () => {
  it('built CLI: not the .js file; the .ts source in a checkout, else the bare name; never the planted-bug scenario', () => {
    const installed = built(join(tmp, 'installed'));
    expect(exampleScenario(installed)).toBe('lock-fine');
    const checkout = join(tmp, 'checkout');
    const files = built(checkout);
    mkdirSync(join(checkout, 'scenarios'));
    writeFileSync(join(checkout, 'scenarios', 'lock-fine.ts'), '');
    expect(exampleScenario(files, checkout)).toBe('scenarios/lock-fine.ts');
    // From another folder: a path that works there (absolute here, the checkout being elsewhere).
    expect(exampleScenario(files, join(tmp, 'installed'))).toBe(join(checkout, 'scenarios', 'lock-fine.ts'));
  });

  it('sources: a scenario without a planted bug first; the only one when all plant bugs', () => {
    const src = join(tmp, 'src');
    mkdirSync(src);
    writeFileSync(join(src, 'x-bug.ts'), "defineScenario({ config: { bugs: { a: true } } })");
    writeFileSync(join(src, 'x-ok.json'), '{"expect": "no-violation"}');
    expect(exampleScenario([join(src, 'x-bug.ts'), join(src, 'x-ok.json')], tmp)).toBe('src/x-ok.json');
    expect(exampleScenario([join(src, 'x-bug.ts')], tmp)).toBe('src/x-bug.ts');
    expect(exampleScenario([])).toBeUndefined();
  });

  it('faultline run lock suggests a scenario that plants no bug, which then runs', async () => {
    const r = await inProcess(['run', 'lock']);
    expect(r.code).toBe(2);
    const m = /did you mean (scenarios\/lock-[a-z-]+\.ts)\?/.exec(r.stderr);
    expect(m, r.stderr).not.toBeNull();
    expect(m![1]).not.toContain('bug');
    const ran = await inProcess(['run', m![1]!]);
    expect(ran.code, ran.stderr).toBe(0);
  });
});
