// Damaged traces (test/damaged-traces/, expectations in its cases.json): `faultline check`,
// `replay` and `view` refuse the same damage with the same one line naming file and line,
// exit 2, nothing on stdout and no file written; a trace cut mid-line says "truncated".

import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inProcess } from '../cli-harness.ts';

interface Expected {
  code: number;
  stderr: string;
  stdout: string;
}
interface Case {
  file: string;
  damage: string;
  refused?: string;
  check?: Expected;
  replay?: Expected;
  view?: Expected;
}

const DIR = 'test/damaged-traces/';
const cases = JSON.parse(readFileSync(join(DIR, 'cases.json'), 'utf8')) as Case[];
const commands = ['check', 'replay', 'view'] as const;
const out = mkdtempSync(join(tmpdir(), 'faultline-damaged-'));

function args(command: (typeof commands)[number], file: string, chrome: string): string[] {
  return command === 'view' ? ['view', '--chrome', chrome, file] : [command, file];
}

describe('damaged traces: check, replay and view side by side', () => {
  it('every file in the folder has a case', async () => {
    const { readdirSync } = await import('node:fs');
    expect(readdirSync(DIR).filter((f) => f.endsWith('.jsonl')).sort()).toEqual(cases.map((c) => c.file).sort());
  });

  const rows = cases.flatMap((c) => commands.map((command) => [command, c.file, c] as const));
  it.each(rows)('%s %s', async (command, file, c) => {
    const path = join(DIR, file);
    const chrome = join(out, `${command}-${file}.json`);
    const r = await inProcess(args(command, path, chrome));
    if (c.refused !== undefined) {
      expect(r).toEqual({ code: 2, stdout: '', stderr: `faultline: ${path}: ${c.refused}\n` });
      expect(existsSync(chrome)).toBe(false);
      return;
    }
    const e = c[command]!;
    expect(r.code).toBe(e.code);
    // One whole line, in the shape every command uses (sim/cli/messages.ts): `faultline: warning: <file>: <what>`
    // for a warning, `faultline: <file>: <where>: <what>` for an error.
    expect(r.stderr).toBe(`${e.stderr.replace('{path}', path)}\n`);
    if (e.stdout === '') expect(r.stdout).toBe('');
    else expect(r.stdout).toContain(e.stdout);
  });
});
