// `faultline fuzz` defects of session 8, each pinned here: failing runs past --max-failures were not
// accounted for in the summary (they vanished between "N failing runs" and the failures listed),
// `duplicates` was missing from --json when shrinking was on, and an explicit --seed with --time gave
// no replay hint (a --time campaign stops at a point wall time decides, whoever chose the seed).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { notWrittenLine, shrinkCutCause } from '../../sim/cli/commands/fuzz.ts';
import { mergeFuzzReports, readFuzzReport } from '../../sim/fuzz/merge.ts';
import { inProcess } from '../cli-harness.ts';

const dir = mkdtempSync(join(tmpdir(), 'faultline-fuzz-s8-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Json {
  violations: number;
  duplicates?: number;
  not_written?: number;
  failures: { invariant: string }[];
}

describe('fuzz summary accounts for every failing run', () => {
  it('with --max-failures, the failing runs past it are counted (JSON not_written, summary line) and add up to violations', async () => {
    // Search campaign seeds 1-3 for one with more failing runs than --max-failures 1 (a shallow bug fails often).
    let seen = false;
    for (const seed of ['1', '2', '3']) {
      const args = ['fuzz', 'raft', '--bug', 'leaderTruncatesOnConflict', '--runs', '30', '--seed', seed, '--workers', '1', '--strategy', 'random', '--batch', '10', '--max-failures', '1', '--shrink-budget', '20'];
      const r = await inProcess([...args, '--json', '--out', join(dir, `max-${seed}`)]);
      expect(r.code).toBe(1);
      const j = JSON.parse(r.stdout) as Json;
      expect(j.failures).toHaveLength(1);
      expect(typeof j.not_written).toBe('number');
      expect(j.failures.length + (j.duplicates ?? 0) + (j.not_written ?? 0)).toBe(j.violations);
      if (j.violations < 2) continue;
      seen = true;
      expect(j.not_written).toBeGreaterThan(0);
      const h = await inProcess([...args, '--out', join(dir, `max-${seed}-text`)]);
      expect(h.stdout).toMatch(new RegExp(`not written ${j.not_written} more failing runs? \\(${j.not_written} past --max-failures 1`));
      break;
    }
    expect(seen).toBe(true);
  });

  it('a merge of shard reports adds up duplicates and not_written, so the sum still equals the violations', () => {
    const shard = (i: number, violations: number, duplicates: number, notWritten: number) =>
      readFuzzReport(
        {
          runs: 10, violations, scenario: 's', protocol: 'raft', seed: 1, shard: `${i}/2`, duplicates, not_written: notWritten,
          failures: [{ seed: 1, replay: 'x', invariant: 'i', batch: i - 1, run: 0 }],
          batches: [{ batch: i - 1, seed: 1, runs: 10, violations }],
        },
        `s${i}.json`,
      );
    const m = mergeFuzzReports([{ file: 'a', report: shard(1, 4, 1, 2) }, { file: 'b', report: shard(2, 3, 0, 2) }]);
    expect([m.violations, m.duplicates, m.not_written, m.failures.length]).toEqual([7, 1, 4, 2]);
    expect(m.failures.length + m.duplicates + m.not_written).toBe(m.violations);
    // A report from before session 8 has neither: both count 0.
    expect(readFuzzReport({ runs: 1, violations: 0, failures: [], scenario: 's', protocol: 'raft', seed: 1, shard: '1/1', batches: [] }, 'old.json')).toMatchObject({ duplicates: 0, not_written: 0 });
  });

  it('--json has duplicates with shrinking on too (a number, within the violations)', async () => {
    const r = await inProcess(['fuzz', 'raft', '--bug', 'leaderTruncatesOnConflict', '--runs', '20', '--seed', '2', '--workers', '1', '--strategy', 'random', '--batch', '10', '--max-failures', '3', '--shrink-budget', '20', '--json', '--out', join(dir, 'dup')]);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout) as Json;
    expect(typeof j.duplicates).toBe('number');
    expect(j.failures.length + (j.duplicates ?? 0)).toBeLessThanOrEqual(j.violations);
  });

  it('an explicit --seed with --time says how the campaign replays', async () => {
    const r = await inProcess(['fuzz', 'pingpong', '--time', '1s', '--duration', '200ms', '--seed', '5', '--workers', '1', '--out', join(dir, 'time')]);
    expect(r.code).toBe(0);
    const header = r.stdout.split('\n').find((l) => l.startsWith('fuzz  '));
    expect(header).toContain('campaign seed 5 (--seed 5 --time 1s replays it as far as the time allows; --seed 5 --runs');
    // A run budget with an explicit seed needs no hint: the command line already replays it.
    const n = await inProcess(['fuzz', 'pingpong', '--runs', '5', '--seed', '5', '--workers', '1', '--out', join(dir, 'runs')]);
    expect(n.stdout).toMatch(/campaign seed 5, strategy/);
  });
});

// Newcomer review, session 8: the not-written line gave both causes and the advice to raise --max-failures when
// the limit was never reached (the runs were shrink duplicates within a batch); a shrink cut short by Ctrl-C with
// --runs was said to be cut by --time.
describe('fuzz summary names the cause that applies', () => {
  it('mergesort-drop-equal, --max-failures 20 never reached: the other failing runs of the property shrunk are repeats (session 13), nothing is left unwritten, no advice', async () => {
    const args = ['fuzz', 'mergesort-drop-equal', '--runs', '20', '--seed', '1', '--workers', '1', '--batch', '20', '--max-failures', '20'];
    const j = JSON.parse((await inProcess([...args, '--json', '--out', join(dir, 'same-json')])).stdout) as Json & { repeats: number };
    expect(j.failures.length).toBeLessThan(20);
    // Before session 13 these runs were shrunk again, each to a counterexample the batch had, and counted as not written.
    expect(j.repeats).toBeGreaterThan(0);
    expect(j.not_written).toBe(0);
    expect(j.failures.length + (j.duplicates ?? 0) + j.repeats).toBe(j.violations);
    const h = await inProcess([...args, '--out', join(dir, 'same')]);
    expect(h.stdout.split('\n').find((l) => l.startsWith('not written'))).toBeUndefined();
    expect(h.stdout).toMatch(new RegExp(`^repeats {5}${j.repeats} more failing runs? of .* after its counterexample was shrunk: counted, not shrunk again`, 'm'));
    expect(h.stdout).not.toContain('raise --max-failures');
  });

  it('the same campaign with --max-failures 1: the limit cut them, and the advice is given', async () => {
    // --max-failures 1 (3 before session 13): the later failing runs of the one property are repeats while the limit is not reached.
    const h = await inProcess(['fuzz', 'mergesort-drop-equal', '--runs', '20', '--seed', '1', '--workers', '1', '--batch', '10', '--max-failures', '1', '--out', join(dir, 'limit')]);
    expect(h.stdout).toMatch(/^not written (\d+) more failing runs \(\1 past --max-failures 1\): .*; raise --max-failures to see more$/m);
  });

  it('notWrittenLine: each cause alone and both; advice only when the limit cut some', () => {
    expect(notWrittenLine(0, 0, 0, 5)).toBeUndefined();
    expect(notWrittenLine(0, 9, 0, 20)).not.toContain('raise --max-failures');
    expect(notWrittenLine(0, 2, 0, 20, false)).toBe('not written 2 more failing runs (2 identical to a failing run their batch had already found): counted in violations, not written');
    expect(notWrittenLine(2, 0, 1, 5)).toBe('not written 2 more failing runs (2 past --max-failures 5 (1 of them shrunk by a batch that finished after the limit was reached)): counted in violations, not written; raise --max-failures to see more');
    expect(notWrittenLine(1, 3, 0, 5)).toBe('not written 4 more failing runs (1 past --max-failures 5; 3 shrunk within their batch to a counterexample that batch had already found): counted in violations, not written; raise --max-failures to see more');
  });

  it('shrinkCutCause names what stopped the shrinking: Ctrl-C first (with or without --time), then --time, then the limit', () => {
    expect(shrinkCutCause(true, false, 5)).toBe('the interrupt (Ctrl-C)');
    expect(shrinkCutCause(true, true, 5)).toBe('the interrupt (Ctrl-C)');
    expect(shrinkCutCause(false, true, 5)).toBe('--time');
    expect(shrinkCutCause(false, false, 5)).toBe('--max-failures 5 being reached');
  });
});
