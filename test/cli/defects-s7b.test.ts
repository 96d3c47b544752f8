// CLI defects a newcomer met in session 7, each fixed in kind and pinned here: a choice among listed
// values (a fault kind, a latency kind, an enum of a config) is worded as the command-line options'
// ("expected one of: a, b"), never zod's; a .ts scenario with named exports but no default export says
// so; `fuzz --kinds ''` is bad input, not a campaign without faults; a TypeScript `--workload` loads on
// the main thread and in worker threads.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, inProcess, ROOT } from '../cli-harness.ts';

const dir = mkdtempSync(join(tmpdir(), 'faultline-defects7b-'));
// A workload module imports fast-check: it lives inside the repository, where that resolves.
const local = mkdtempSync(join(ROOT, '.tmp-defects7b-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(local, { recursive: true, force: true });
});
const write = (folder: string, name: string, text: string): string => {
  const file = join(folder, name);
  writeFileSync(file, text);
  return file;
};
const base = { name: 'x', description: 'd', protocol: 'raft', duration: '1s' };

describe('a choice among listed values reads as the options do', () => {
  it.each([
    [{ faults: { timeline: [{ at: '1s', kind: 'crsh', node: 'n1' }] } }, 'faults.timeline[0].kind: expected one of: crash, restart, pause, resume, partition, isolate, block, heal, clock, loss, duplicate, slow, corrupt, quiesce, reseed (got "crsh"; did you mean "crash"?)'],
    [{ network: { latency: { kind: 'normal' } } }, 'network.latency.kind: expected one of: constant, uniform, exponential, lognormal (got "normal")'],
    [{ config: { service: 'kvv' } }, 'config.service: expected one of: kv, lock (got "kvv"; did you mean "kv"?)'],
  ])('%j', async (extra, where) => {
    const file = write(dir, 'choice.json', JSON.stringify({ ...base, name: 'choice', ...extra }));
    const r = await inProcess(['run', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`faultline: ${file}: ${where}\n`);
    expect(r.stderr).not.toMatch(/Invalid|Expected '/);
  });
});

describe('a .ts scenario with no default export', () => {
  it('named exports only, or none: "no default export"; a default export beside named ones loads', async () => {
    for (const text of ['export const x = 1;\n', 'export const scenario = { name: "named" };\nexport function f(): number { return 1; }\n']) {
      const file = write(dir, 'named.ts', text);
      const r = await inProcess(['run', file, '--no-typecheck']);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toBe(`faultline: ${file}: no default export: expected export default defineScenario({...})\n`);
    }
    const ok = write(dir, 'withdefault.ts', 'export const x = 1;\nexport default { name: "withdefault", description: "d", protocol: "pingpong", duration: "50ms" };\n');
    const r = await inProcess(['run', ok, '--no-typecheck']);
    expect(r.code, r.stderr).toBe(0);
  });
});

describe('fuzz --kinds and --workload', () => {
  it("--kinds '' and ',' are bad input (a campaign without faults is not what was asked)", async () => {
    for (const kinds of ['', ',', ' , ']) {
      const r = await inProcess(['fuzz', 'raft', '--kinds', kinds, '--runs', '2']);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^faultline: --kinds: expected at least one fault kind \(got "[ ,]*"\); some of: crash, /);
      expect(r.stdout).toBe('');
    }
  });

  it('a TypeScript workload module runs on worker threads as on the main thread; a bad one is one line, exit 2', async () => {
    const wl = write(local, 'wl.ts', "import fc from 'fast-check';\nexport default fc.record({ heartbeat: fc.constantFrom(20_000, 30_000) });\n");
    const one = await cli(['fuzz', 'raft', '--workload', wl, '--runs', '8', '--batch', '4', '--workers', '1', '--seed', '3', '--json']);
    expect(one.code, one.stderr).toBe(0);
    const two = await cli(['fuzz', 'raft', '--workload', wl, '--runs', '8', '--batch', '4', '--workers', '2', '--seed', '3', '--json']);
    expect(two.code, two.stderr).toBe(0);
    const a = JSON.parse(one.stdout) as { runs: number; worker_deaths: unknown; states: number };
    const b = JSON.parse(two.stdout) as { runs: number; worker_deaths: unknown; states: number };
    expect(b.runs).toBe(8);
    expect(b.worker_deaths).toEqual([]);
    expect(b.states).toBeGreaterThan(0);
    expect(b.states).toBe(a.states);
    const bad = write(local, 'bad.ts', 'export default 42;\n');
    const r = await cli(['fuzz', 'raft', '--workload', bad, '--runs', '2']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^faultline: \S*bad\.ts: expected a default export that is a fast-check arbitrary/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});
