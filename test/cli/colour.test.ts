// Colour: on a terminal, or when forced; never when piped (tests compare plain
// text), never with NO_COLOR. Same precedence as commander (colour.ts).

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { colourEnabled } from '../../sim/cli/colour.ts';
import { oneLine } from '../../sim/cli/messages.ts';
import { BIN, ROOT } from '../cli-harness.ts';

const exec = promisify(execFile);
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[\d+m/;
const ESC = String.fromCharCode(27);

async function run(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  const base = { ...process.env };
  for (const k of ['NO_COLOR', 'FORCE_COLOR', 'CLICOLOR_FORCE']) delete base[k];
  try {
    const { stdout, stderr } = await exec(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...base, ...env } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('colour', () => {
  it.each([
    [{ isTTY: true }, {}, true],
    [{ isTTY: false }, {}, false],
    [{}, {}, false],
    [{ isTTY: true }, { NO_COLOR: '1' }, false],
    [{ isTTY: true }, { NO_COLOR: '' }, true],
    [{ isTTY: true }, { TERM: 'dumb' }, false],
    [{ isTTY: false }, { FORCE_COLOR: '1' }, true],
    [{ isTTY: false }, { FORCE_COLOR: '' }, true],
    [{ isTTY: true }, { FORCE_COLOR: '0' }, false],
    [{ isTTY: false }, { CLICOLOR_FORCE: '1' }, true],
    [{ isTTY: false }, { NO_COLOR: '1', FORCE_COLOR: '1' }, false],
  ])('stream %j, env %j: %s', (stream, env, expected) => {
    expect(colourEnabled(stream, env)).toBe(expected);
  });

  it('a piped run summary and error are plain; FORCE_COLOR colours the verdict and the error prefix; NO_COLOR wins', async () => {
    const args = ['run', 'test/cli/fixtures/tiny.json'];
    const piped = await run(args, {});
    expect(piped.code).toBe(0);
    expect(piped.stdout).not.toMatch(ANSI);
    expect(piped.stdout).toMatch(/^expected {4}HELD: /m);
    const forced = await run(args, { FORCE_COLOR: '1' });
    expect(forced.stdout).toMatch(new RegExp(`expected {4}${ESC}\\[\\d+m.*HELD`));
    const err = await run(['run', 'nosuch-scenario'], { FORCE_COLOR: '1' });
    expect(err.code).toBe(2);
    expect(err.stderr).toMatch(new RegExp(`^${ESC}\\[\\d+m.*faultline:`));
    const off = await run(['run', 'nosuch-scenario'], { FORCE_COLOR: '1', NO_COLOR: '1' });
    expect(off.stderr).toBe('faultline: nosuch-scenario: no such file, and no scenario of that name in scenarios/ (see faultline list)\n');
  });

  it('messages stay one line: control characters escaped, long text clipped', () => {
    expect(oneLine('a\nb\r\u001b[31mc\u0000')).toBe('a\\nb\\r\\x1b[31mc\\x00');
    expect(oneLine('x'.repeat(10_000))).toHaveLength(500);
  });
});
