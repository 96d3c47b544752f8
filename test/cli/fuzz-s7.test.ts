// `faultline fuzz` defects a newcomer met (session 7), each pinned here: the progress bar under --time on
// a terminal, the last plain progress line printed twice, `--time 5` without a unit, the JSON seeds'
// types, the failure origin's name, duplicate failures under --no-shrink, and how a --time campaign
// replays. The progress tests drive the Progress class on an in-memory stream that says it is a terminal.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { jsonSeed, Progress, replayHint, type ProgressStream } from '../../sim/cli/commands/fuzz.ts';
import { mergeFuzzReports, readFuzzReport } from '../../sim/fuzz/merge.ts';
import { inProcess } from '../cli-harness.ts';

const dir = mkdtempSync(join(tmpdir(), 'faultline-fuzz-s7-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A stream that records what is written; `isTTY` as asked. */
function capture(isTTY: boolean): { stream: ProgressStream; text: () => string } {
  const s = new PassThrough() as PassThrough & { isTTY?: boolean; columns?: number };
  s.isTTY = isTTY;
  s.columns = 300;
  let out = '';
  s.on('data', (c: Buffer) => (out += c.toString('utf8')));
  return { stream: s, text: () => out };
}

describe('fuzz progress', () => {
  it('on a terminal with a time budget, the bar counts runs as runs (not "146/1 runs")', async () => {
    const { stream, text } = capture(true);
    const p = new Progress(undefined, performance.now() + 60_000, 7, stream);
    p.update(146, 0);
    p.stop();
    await new Promise((r) => setImmediate(r));
    expect(text()).toContain('| 146 runs |');
    expect(text()).not.toMatch(/146\/\d+ runs/);
  });

  it('on a terminal with a run budget, the bar says runs of the budget', async () => {
    const { stream, text } = capture(true);
    const p = new Progress(300, undefined, 7, stream);
    p.update(146, 0);
    p.stop();
    await new Promise((r) => setImmediate(r));
    expect(text()).toContain('| 146/300 runs |');
  });

  it('not on a terminal, the final line is not printed again when the last line said the same', async () => {
    const { stream, text } = capture(false);
    const p = new Progress(10, undefined, 7, stream);
    p.update(10, 1); // the first update prints (2 s since "never")
    p.update(10, 1, true);
    await new Promise((r) => setImmediate(r));
    expect(text().trim().split('\n')).toHaveLength(1);
    p.update(12, 1, true); // something moved: the final line is printed
    await new Promise((r) => setImmediate(r));
    expect(text().trim().split('\n')).toHaveLength(2);
  });
});

describe('fuzz options and output', () => {
  it('--time without a unit is bad input that names the missing unit (exit 2, one line)', async () => {
    const r = await inProcess(['fuzz', 'pingpong', '--time', '5']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^faultline: --time: the duration has no unit: expected a duration such as 5s or 5m \(got "5"\)/);
  });

  it('a failing run seed in --json is a number, as the campaign seed is; a text seed stays text', () => {
    expect(jsonSeed('1234567')).toBe(1234567);
    expect(jsonSeed('0')).toBe(0);
    expect(jsonSeed('abc')).toBe('abc');
    expect(jsonSeed('042')).toBe('042');
  });

  it('--json: failures[].seed and seed are both numbers; origin is drawn or mutant, never random; merge reads it', async () => {
    const out = join(dir, 'json');
    const r = await inProcess(['fuzz', 'raft', '--bug', 'leaderTruncatesOnConflict', '--runs', '30', '--seed', '3', '--workers', '1', '--no-shrink', '--json', '--out', out, '--max-failures', '3']);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout) as { seed: unknown; failures: { seed: unknown; origin: string }[]; batches: { failures: { seed: unknown }[] }[] };
    expect(typeof j.seed).toBe('number');
    expect(j.failures.length).toBeGreaterThan(0);
    for (const f of j.failures) {
      expect(typeof f.seed).toBe('number');
      expect(['drawn', 'mutant']).toContain(f.origin);
    }
    for (const b of j.batches) for (const f of b.failures) expect(typeof f.seed).toBe('number');
    expect(mergeFuzzReports([{ file: 'a.json', report: readFuzzReport(JSON.parse(r.stdout), 'a.json') }]).failures).toHaveLength(j.failures.length);
  });

  it('--no-shrink lists each checker and message once and counts the others', async () => {
    // Search campaign seeds 1-3 for one whose unshrunk failures repeat a checker and message.
    let seen = false;
    for (const seed of ['1', '2', '3']) {
      const out = join(dir, `dup-${seed}`);
      const r = await inProcess(['fuzz', 'raft', '--bug', 'leaderTruncatesOnConflict', '--runs', '40', '--seed', seed, '--workers', '1', '--no-shrink', '--json', '--out', out, '--max-failures', '40']);
      const j = JSON.parse(r.stdout) as { violations: number; duplicates: number; failures: { invariant: string; message?: string }[] };
      const keys = j.failures.map((f) => `${f.invariant} ${f.message ?? ''}`);
      expect(new Set(keys).size).toBe(keys.length);
      expect(j.failures.length + j.duplicates).toBeLessThanOrEqual(j.violations);
      if (j.duplicates > 0) {
        seen = true;
        const h = await inProcess(['fuzz', 'raft', '--bug', 'leaderTruncatesOnConflict', '--runs', '40', '--seed', seed, '--workers', '1', '--no-shrink', '--out', out, '--max-failures', '40']);
        expect(h.stdout).toMatch(new RegExp(`duplicates  ${j.duplicates} more failures? with the same checker and message`));
        break;
      }
    }
    expect(seen).toBe(true);
  });

  it('a --time campaign says how it replays: --time, or --runs of its whole batches', () => {
    expect(replayHint({ seed: 9, budgetMs: undefined, batchSize: 400 }, 2)).toBe('--seed 9 replays it');
    const t = replayHint({ seed: 9, budgetMs: 60_000, batchSize: 400 }, 2);
    expect(t).toContain('--seed 9 --time 60s');
    expect(t).toContain('--seed 9 --runs 800');
  });
});
