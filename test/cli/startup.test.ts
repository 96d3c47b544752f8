// Start-up: `faultline --version` is answered by bin/ before TypeScript loads,
// `faultline --help` lists the commands from main.ts's table without loading
// them, and `faultline <command>` loads only that command. These tests check
// the table stays complete and the cheap paths print the right things (the
// start-up time itself is measured in the closing note, not asserted).

import { Command } from 'commander';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildProgram, commandNames } from '../../sim/cli/main.ts';
import { cli, inProcess, ROOT } from '../cli-harness.ts';

describe('lazy command loading', () => {
  it('every command module in sim/cli/commands/ is in the table, under the name it registers', async () => {
    const registered: string[] = [];
    for (const f of readdirSync(join(ROOT, 'sim/cli/commands')).filter((x) => x.endsWith('.ts'))) {
      const mod = (await import(join(ROOT, 'sim/cli/commands', f))) as Record<string, unknown>;
      for (const [name, fn] of Object.entries(mod)) {
        if (!name.startsWith('register') || typeof fn !== 'function') continue;
        const p = new Command('x');
        (fn as (p: Command) => void)(p);
        registered.push(...p.commands.map((c) => c.name()));
      }
    }
    expect([...registered].sort()).toEqual([...commandNames].sort());
    const all = await buildProgram('all');
    expect(all.commands.map((c) => c.name())).toEqual(commandNames);
  });

  it('--help lists every command with a summary; <command> --help shows that command in full', async () => {
    const top = await inProcess(['--help']);
    expect(top.code).toBe(0);
    for (const n of commandNames) expect(top.stdout).toMatch(new RegExp(`^  ${n} +\\S`, 'm'));
    const run = await inProcess(['run', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Usage: faultline run \[options\] <scenario>/);
    expect(run.stdout).toMatch(/--seed <seed>/);
    const viaHelp = await inProcess(['help', 'run']);
    expect(viaHelp.stdout).toBe(run.stdout);
  });

  it('an unknown command is one line with a suggestion, exit 2', async () => {
    const r = await inProcess(['rn']);
    expect(r).toEqual({ code: 2, stdout: '', stderr: "faultline: unknown command 'rn' (Did you mean run?) (see faultline --help)\n" });
  });

  it('the real binary: --version without TypeScript, and a command after lazy loading', async () => {
    const v = await cli(['--version']);
    expect(v.code).toBe(0);
    expect(v.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
    const r = await cli(['run', 'test/cli/fixtures/tiny.json', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ scenario: 'tiny', held: true, interrupted: null });
  });
});
