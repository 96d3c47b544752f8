// `faultline fuzz` of session 9: Ctrl-C with --workers 1 stops the running batch after its current run (the
// batch runs one run at a time, batchSteps, and the event loop turns between runs), not after the whole batch.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { driveSteps } from '../../sim/cli/commands/fuzz.ts';
import { batchSteps, runBatch } from '../../sim/fuzz/campaign.ts';
import { parseScenario } from '../../sim/scenario/resolve.ts';
import { BIN, ROOT } from '../cli-harness.ts';

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
