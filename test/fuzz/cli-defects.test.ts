// Fuzz CLI defects found by a newcomer (issue 11): each one is pinned by a test. In-process runs of main()
// (the counter protocol is test-only) with one worker and small budgets.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { fuzz, runScenario } from '../../sim/fuzz/fuzz.ts';
import { parseScenario } from '../../sim/scenario/resolve.ts';
import { plural } from '../../sim/cli/plural.ts';
import { inProcess } from '../cli-harness.ts';

vi.mock('../../sim/protocols/registry.ts', async (orig) => (await import('./with-counter.ts')).withCounter(orig));

const tmp = mkdtempSync(join(tmpdir(), 'faultline-fuzz-defects-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
afterEach(() => {
  process.exitCode = undefined;
});

const COUNTER = ['counter', '--bug', 'ackBeforeFsync', '--duration', '2s', '--workers', '1', '--seed', '24301', '--out', tmp];

describe('fuzz CLI defects', () => {
  it('--bug takes one name per use (repeatable, or comma-separated): `fuzz --bug X raft` does not swallow the protocol', async () => {
    const r = await inProcess(['fuzz', '--bug', 'ackBeforeFsync', 'counter', '--duration', '2s', '--runs', '2', '--workers', '1', '--seed', '1', '--json', '--no-shrink', '--out', tmp]);
    expect(r.stderr).not.toMatch(/missing required argument/);
    expect(JSON.parse(r.stdout)).toMatchObject({ protocol: 'counter', runs: 2 });
    const bad = await inProcess(['fuzz', 'counter', '--bug', 'ackBeforeFsync,nope', '--runs', '1', '--workers', '1', '--seed', '1']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown planted bug "nope"/);
  });

  it('--duration 0 is a valid run length, as in scenarios (runs without faults)', async () => {
    const r = await inProcess(['fuzz', 'counter', '--duration', '0', '--runs', '3', '--workers', '1', '--seed', '1', '--json', '--out', tmp]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ runs: 3, violations: 0 });
  });

  it('a duration that is not a whole number of µs is rejected, not rounded: --time and scenario durations alike', async () => {
    const r = await inProcess(['fuzz', 'counter', '--time', '1.5us', '--workers', '1', '--seed', '1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--time: expected a duration.*whole number of µs.*1\.5us/);
    expect(() => parseScenario({ name: 'x', description: 'x', protocol: 'counter', duration: '1.5us' })).toThrow(/whole number of µs/);
    expect(parseScenario({ name: 'x', description: 'x', protocol: 'counter', duration: '1.1ms' }).duration).toBe(1100);
  });

  it('the summary counts in words (1 batch, 1 worker, 1 counterexample), with one pair of brackets under --no-shrink, and says runs/s with and without shrinking', async () => {
    const r = await inProcess(['fuzz', ...COUNTER, '--runs', '20', '--no-shrink', '--max-failures', '1', '--kinds', 'crash,partition,isolate,block,pause,clock,loss,slow']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/in 1 batch,/);
    expect(r.stdout).toMatch(/, 1 worker\n/);
    expect(r.stdout).toMatch(/1 counterexample written as found, not shrunk \(--no-shrink\): acked-writes-durable 1\./);
    expect(r.stdout).not.toMatch(/\) \(|\(\(/);
    expect(r.stdout).toMatch(/runs\/s while searching \(as the progress line\), [\d.]+ over the whole wall time, shrinking included/);
    expect(r.stderr).not.toMatch(/\b1 violations|\b1 batches/);
  });

  it('a protocol without an abstract state says so and names what steers guided search', async () => {
    const r = await inProcess(['fuzz', 'counter', '--duration', '1s', '--runs', '3', '--workers', '1', '--seed', '1', '--out', tmp]);
    expect(r.stdout).toMatch(/counter declares no abstract state.*trace-edge coverage/);
    expect(r.stdout).not.toMatch(/0 distinct abstract states/);
  });

  it('plural', () => {
    expect([plural(0, 'run'), plural(1, 'run'), plural(2, 'batch', 'batches')]).toEqual(['0 runs', '1 run', '2 batches']);
  });
});

describe('fuzz(): stop bounds shrinking too', () => {
  it('a stop during shrinking ends it: the failure so far is reported with shrinkCut and still reproduces', () => {
    const base = parseScenario({ name: 'counter-cut', description: 'x', protocol: 'counter', config: { bugs: { ackBeforeFsync: true } }, duration: '2s' });
    // Search campaign seeds 1-3 for a failure whose shrinking the stop cuts (draws move when the generator changes).
    let checked = 0;
    for (const seed of [1, 2, 3]) {
      let shrinkRuns = 0;
      const r = fuzz({ scenario: base, runs: 100, seed, onShrink: (used) => (shrinkRuns = used), stop: () => shrinkRuns >= 2 });
      const f = r.failures[0];
      if (f === undefined) continue;
      expect(shrinkRuns).toBe(2);
      expect(f.shrinkCut).toBe(true);
      expect(runScenario(f.scenario).violations[0]?.invariant).toBe(f.violation.invariant);
      const full = fuzz({ scenario: base, runs: 100, seed });
      expect(full.failures[0]?.shrinkCut).toBeUndefined();
      checked++;
    }
    expect(checked).toBeGreaterThan(0);
  });
});
