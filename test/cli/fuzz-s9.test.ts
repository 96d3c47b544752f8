// `faultline fuzz` of session 9: Ctrl-C with --workers 1 stops the running batch after its current run (the
// batch runs one run at a time, batchSteps, and the event loop turns between runs), not after the whole batch.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { driveSteps, kindsDefaultText } from '../../sim/cli/commands/fuzz.ts';
import { DEFAULT_FAULT_KINDS, DEFAULT_RARE_KINDS, GEN_FAULT_KINDS, undrawableKinds } from '../../sim/fuzz/arbitraries.ts';
import { batchSteps, runBatch } from '../../sim/fuzz/campaign.ts';
import { fuzz } from '../../sim/fuzz/fuzz.ts';
import { parseScenario, prepareRun } from '../../sim/scenario/resolve.ts';
import { RunCutError, runPrepared } from '../../sim/scenario/run.ts';
import { BIN, ROOT, cli, inProcess } from '../cli-harness.ts';
import { storm } from '../fuzz/storm-protocol.ts';

// The storm protocol of test/fuzz/refused.test.ts (every message answered twice after a restart), for runs that never end.
vi.mock('../../sim/protocols/registry.ts', async (importOriginal) => {
  const orig = await importOriginal<typeof import('../../sim/protocols/registry.ts')>();
  return { ...orig, getProtocol: (name: string) => (name === 'storm' ? storm : orig.getProtocol(name)), protocolNames: () => [...orig.protocolNames(), 'storm'] };
});

const dir = mkdtempSync(join(tmpdir(), 'faultline-fuzz-s9-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('fuzz --workers 1: Ctrl-C inside a batch', () => {
  it('stops the batch after the current run: fewer runs than the batch, interrupted, exit 130', async () => {
    // One guided batch of 400 correct-raft runs (minutes under load): the first progress line (every 2 s, or after
    // the first run) comes long before the batch ends.
    const child = spawn(process.execPath, [BIN, 'fuzz', 'raft', '--workers', '1', '--runs', '400', '--batch', '400', '--seed', '1', '--no-shrink', '--json', '--out', dir], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let done = false;
    void exited.then(() => (done = true));
    while (!/fuzz: seed 1, [1-9]\d*\/400 runs/.test(stderr) && !done) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGINT');
    const code = await exited;
    expect(code).toBe(130);
    const j = JSON.parse(stdout) as { runs: number; interrupted: boolean; batches: { runs: number }[] };
    expect(j.interrupted).toBe(true);
    expect(j.runs).toBeGreaterThan(0);
    expect(j.runs).toBeLessThan(400);
    expect(j.batches).toHaveLength(1);
  }, 120_000);

  it('a batch driven run by run makes the same runs as runBatch, and its stop ends it after the current run', async () => {
    const base = parseScenario({ name: 'raft-s9', description: 'x', protocol: 'raft', duration: '2s' });
    const task = { batch: 0, seed: 7, runs: 12 };
    const whole = runBatch({ scenario: base, task });
    expect(await driveSteps(batchSteps({ scenario: base, task }), 0)).toEqual(whole);
    // A stop flag set between two runs (as the SIGINT handler does while the event loop turns): the batch ends there.
    let flag = false;
    let seen = 0;
    const cut = await driveSteps(batchSteps({ scenario: base, task }, { onRun: () => (seen++ === 4 ? (flag = true) : undefined), stop: () => flag }), 0);
    expect(cut.runs).toBe(5);
  });
});

describe('fuzz: a run that never ends is cut by the campaign stop (--time), not left to overrun it', () => {
  const STORM = parseScenario({ name: 'storm-cut', description: 'x', protocol: 'storm', duration: '2s' });
  it('runPrepared asks interrupt every 4096 events and throws RunCutError when it says so; without it the same run goes on', () => {
    const crashed = prepareRun(parseScenario({ ...STORM, faults: { timeline: [{ at: '100ms', kind: 'crash', node: 'n2' }, { at: '150ms', kind: 'restart', node: 'n2' }] } }));
    let asked = 0;
    let caught: unknown;
    try {
      runPrepared(crashed, { hash: false, interrupt: () => ++asked >= 3 });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(RunCutError);
    expect(asked).toBe(3);
    expect((caught as RunCutError).events).toBe(3 * 4096);
    // A calm run (no restart) ends by itself; interrupt never says stop, so it is not cut.
    expect(runPrepared(prepareRun(STORM), { hash: false, interrupt: () => false }).violations).toEqual([]);
  });

  it('fuzz(): the batch ends inside the storm run (engine bound not lowered): report.cut, neither a violation nor refused', () => {
    let calls = 0;
    // Calm runs ask stop about once each; a storm run asks every 4096 events: the 30th call falls inside a storm.
    const rep = fuzz({ scenario: STORM, runs: 25, seed: 1, strategy: 'random', faults: { kinds: ['crash'] }, stop: () => ++calls >= 30 });
    expect(rep.cut).toBeDefined();
    expect(rep.cut!.events).toBeGreaterThanOrEqual(4096);
    expect(rep.cut!.run).toBe(rep.runs);
    expect(rep.runs).toBeLessThan(25);
    expect(rep.violations).toBe(0);
    expect(rep.refused).toBe(0);
  });

  it('faultline fuzz storm --time 1s: the run in progress is cut, reported as cut, the summary printed (JSON stopped_by time)', async () => {
    // Seed 6: the first run is calm and finishes; the second storms and is cut at the deadline.
    const r = await inProcess(['fuzz', 'storm', '--kinds', 'crash', '--time', '1s', '--workers', '1', '--seed', '6', '--json', '--out', dir]);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { runs: number }).runs).toBeGreaterThan(0);
    const j = JSON.parse(r.stdout) as { stopped_by: string | null; cut: { events: number }[]; violations: number; refused: number };
    expect(j.stopped_by).toBe('time');
    expect(j.cut).toHaveLength(1);
    expect(j.cut[0]!.events).toBeGreaterThanOrEqual(4096);
    expect(j.violations).toBe(0);
    expect(j.refused).toBe(0);
    const h = await inProcess(['fuzz', 'storm', '--kinds', 'crash', '--time', '1s', '--workers', '1', '--seed', '6', '--out', dir]);
    expect(h.stdout).toMatch(/^cut {9}run \d+ of batch 0 \(seed \d+\) cut by --time after \d+ events/m);
    expect(h.stdout).toMatch(/^violations {2}0$/m);
    // Seed 1: the first run storms. Cut with no run finished, the campaign checked nothing: bad input (exit 2), no summary.
    const none = await inProcess(['fuzz', 'storm', '--kinds', 'crash', '--time', '1s', '--workers', '1', '--seed', '1', '--json', '--out', dir]);
    expect(none.code).toBe(2);
    expect(none.stdout).toBe('');
    expect(none.stderr).toMatch(/--time: no run finished within the time budget \(1s\): the first run was cut by the deadline after \d+ events at simulated t=.*nothing was checked/);
  }, 60_000);
});

describe('fuzz --max-failures with --time', () => {
  it('stops as soon as the limit is reached and says so (summary, --json stopped_by)', async () => {
    const args = ['fuzz', 'raft', '--bug', 'leaderReadsWithoutQuorum', '--time', '10m', '--max-failures', '1', '--no-shrink', '--workers', '1', '--seed', '1', '--out', dir];
    const j = JSON.parse((await inProcess([...args, '--json'])).stdout) as { stopped_by: string | null; failures: unknown[]; runs: number; batch_size: number };
    expect(j.stopped_by).toBe('max-failures');
    expect(j.failures).toHaveLength(1);
    // Stopped at the failing run, not at the batch end (nor the 10 minutes).
    expect(j.runs).toBeLessThan(j.batch_size);
    const h = await inProcess(args);
    expect(h.code).toBe(1);
    expect(h.stdout).toMatch(/^stopped {5}--max-failures 1 reached/m);
  }, 120_000);
});

describe('fuzz --targets and --kinds', () => {
  it('refuses a node listed twice and a kind the targets cannot draw (exit 2, one line)', async () => {
    const twice = await cli(['fuzz', 'raft', '--targets', 'n1,n1', '--runs', '1']);
    expect(twice.code).toBe(2);
    expect(twice.stderr.trim()).toMatch(/^faultline: --targets: node "n1" is listed twice/);
    const block = await cli(['fuzz', 'raft', '--targets', 'n1', '--kinds', 'block', '--runs', '1']);
    expect(block.code).toBe(2);
    expect(block.stderr.trim().split('\n')).toHaveLength(1);
    expect(block.stderr).toMatch(/block needs at least 2 targets \(got 1 target\)/);
    // One target with kinds it can draw is fine.
    expect(undrawableKinds(['crash', 'pause', 'partition'], 1).map((u) => u.kind)).toEqual(['partition']);
    expect(undrawableKinds(['block', 'partition'], 2)).toEqual([]);
  }, 60_000);

  it('--help states the --kinds default from DEFAULT_FAULT_KINDS', async () => {
    const left = GEN_FAULT_KINDS.filter((k) => !DEFAULT_FAULT_KINDS.includes(k));
    for (const k of left) expect(kindsDefaultText()).toContain(k);
    for (const k of DEFAULT_FAULT_KINDS.filter((d) => !DEFAULT_RARE_KINDS.includes(d))) expect(kindsDefaultText()).not.toContain(k);
    // A rare default kind is named with its share of runs.
    for (const k of DEFAULT_RARE_KINDS) expect(kindsDefaultText()).toContain(`${k} in 1 run in 4`);
    const help = await cli(['fuzz', '--help']);
    expect(help.stdout.replace(/\s+/g, ' ')).toContain(kindsDefaultText());
  }, 60_000);
});
