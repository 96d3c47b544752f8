// The determinism rule is enforced by ESLint, not by care: these tests prove the
// rule fires on every forbidden source inside sim/, and stays quiet where the
// real world is allowed (the CLI and benchmark entry points).

import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: new URL('../..', import.meta.url).pathname });

async function messages(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).map((m) => `${m.ruleId}: ${m.message}`);
}

const forbidden: [string, string][] = [
  ['Math.random', 'export const x = Math.random();'],
  ['Date.now', 'export const x = Date.now();'],
  ['new Date()', 'export const x = new Date();'],
  ['performance.now', 'export const x = performance.now();'],
  ['setTimeout', 'setTimeout(() => {}, 1);'],
  ['setInterval', 'setInterval(() => {}, 1);'],
  ['crypto.getRandomValues', 'export const x = crypto.getRandomValues(new Uint8Array(4));'],
  ['crypto.randomUUID', 'export const x = crypto.randomUUID();'],
  ['process.env', 'export const x = process.env.SEED;'],
  ['node:crypto import', "import { randomBytes } from 'node:crypto';\nexport const x = randomBytes(4);"],
];

describe('determinism lint rule', () => {
  it.each(forbidden)('rejects %s inside sim/', async (_name, code) => {
    const msgs = await messages(code, 'sim/engine/example.ts');
    expect(msgs.some((m) => m.startsWith('no-restricted-') && m.includes('Determinism'))).toBe(true);
  });

  it.each(forbidden)('rejects %s in a protocol too', async (_name, code) => {
    const msgs = await messages(code, 'sim/protocols/raft/example.ts');
    expect(msgs.some((m) => m.includes('Determinism'))).toBe(true);
  });

  it('allows the real world in the CLI and benchmark entry points', async () => {
    for (const file of ['sim/cli/example.ts', 'sim/bench/example.ts']) {
      const msgs = await messages('export const x = Date.now() + performance.now() + Math.random();', file);
      expect(msgs.filter((m) => m.includes('Determinism'))).toEqual([]);
    }
  });

  it('accepts seeded code', async () => {
    const msgs = await messages("import { rootRng } from '../engine/random.ts';\nexport const x = rootRng('s').next();", 'sim/engine/example.ts');
    expect(msgs).toEqual([]);
  });
});
