// scripts/mutants.mjs refuses bad options up front: one line, exit 2, before any campaign runs.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// The protocols that have mutants are the folders of testdata/mutants (the message names them all, sorted).
const withMutants = readdirSync('testdata/mutants', { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort().join(', ');

const run = (...args: string[]) => spawnSync(process.execPath, ['scripts/mutants.mjs', ...args], { encoding: 'utf8' });

describe('scripts/mutants.mjs bad input', () => {
  it.each([
    [['--bogus'], /^mutants: Unknown option '--bogus'/],
    [['--time', '20'], /^mutants: --time: expected a positive duration with a unit/],
    [['--protocol', 'nope'], new RegExp(`^mutants: --protocol: no mutants for "nope"; protocols with mutants: ${withMutants}$`, 'm')],
    [['--strategies', 'guided,x'], /^mutants: --strategies: /],
    [['--seeds', '1,a'], /^mutants: --seeds: /],
    [['--runs', '0'], /^mutants: --runs: expected an integer >= 1/],
  ])('%j: one line, exit 2', (args, message) => {
    const r = run(...args);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toMatch(/at .*\.mjs:\d+/);
  });
});

describe('scripts/mutants.mjs --help', () => {
  it('prints the usage from the opening comment and exits 0', () => {
    const r = run('--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Outside-bug evaluation/);
    expect(r.stdout).toMatch(/node scripts\/mutants\.mjs \[--protocol /);
    expect(r.stderr).toBe('');
  });
});
