// CLI defects a newcomer met in session 7, each fixed in kind and pinned here: a .ts scenario
// with no default export says so, and config mistakes read in the options' wording
// ("expected ... (got ...)"), never zod's ("Too big: ...", "Invalid input: ...").
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inProcess } from '../cli-harness.ts';

const dir = mkdtempSync(join(tmpdir(), 'faultline-defects7-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string): string => {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
};

describe('session 7 CLI defects', () => {
  it.each([
    ['a file with no import or export', 'nothing.ts', 'const a = 1;\n'],
    ['named exports only', 'named.ts', "export const scenario = { name: 'x' };\n"],
  ])('run of a .ts with %s: "no default export", exit 2', async (_what, name, text) => {
    const r = await inProcess(['run', file(name, text), '--no-typecheck']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/: no default export: expected export default defineScenario/);
  });

  it.each([
    [{ config: { nodes: 0 } }, 'config.nodes: expected a number at least 1 (got 0)'],
    [{ network: { loss: 2 } }, 'network.loss: expected a number at most 1 (got 2)'],
    [{ config: { nodes: 'five' } }, 'config.nodes: expected a number (got "five")'],
    [{ config: { nodes: 1.5 } }, 'config.nodes: expected a whole number (got 1.5)'],
  ])('%j reads as the options do, without zod wording', async (extra, message) => {
    const f = file('bad.json', JSON.stringify({ name: 'bad', description: 'd', protocol: 'pingpong', duration: '50ms', ...extra }));
    const r = await inProcess(['run', f]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr).not.toMatch(/Too big|Too small|Invalid input|received/);
  });
});
