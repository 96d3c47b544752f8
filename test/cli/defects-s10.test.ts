// Defects a newcomer found in session 10 (docs/fuzz-at-scale.md, fuzz-report merge, built-in
// scenarios), each tested for its whole kind.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { missingShardsMessage, readFuzzReport, type FuzzJsonReport } from '../../sim/fuzz/merge.ts';
import { inProcess } from '../cli-harness.ts';

const tmp = mkdtempSync(join(tmpdir(), 'faultline-defects-s10-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
afterEach(() => {
  process.exitCode = undefined;
});

const report = (over: Partial<FuzzJsonReport>): FuzzJsonReport =>
  readFuzzReport({ runs: 0, violations: 0, failures: [], scenario: 's', protocol: 'p', seed: 1, strategy: 'guided', batch_size: 10, shard: '1/2', workload: 'none', states: 0, coverage: [], batches: [], ...over }, 'x.json');

/** Write one shard report per entry; return the file names. */
function shards(name: string, reports: Partial<FuzzJsonReport>[]): string[] {
  return reports.map((r, i) => {
    const file = join(tmp, `${name}-${i}.json`);
    writeFileSync(file, JSON.stringify(report(r)));
    return file;
  });
}

describe('fuzz-report merge: an incomplete campaign is not a green one', () => {
  it.each([
    { missing: ['2/2'], text: 'shard 2/2 is missing' },
    { missing: ['2/4', '3/4'], text: 'shards 2/4 and 3/4 are missing' },
    { missing: ['1/4', '2/4', '3/4'], text: 'shards 1/4, 2/4 and 3/4 are missing' },
  ])('names the missing shards in English: $text', ({ missing, text }) => {
    expect(missingShardsMessage(missing)).toBe(text);
  });

  const cases = [
    { what: 'all shards, no violation', given: [{ shard: '1/2' }, { shard: '2/2' }], allow: false, code: 0, warns: undefined },
    { what: 'a shard missing', given: [{ shard: '1/2' }], allow: false, code: 3, warns: 'shard 2/2 is missing' },
    { what: 'two shards missing', given: [{ shard: '1/4' }, { shard: '4/4' }], allow: false, code: 3, warns: 'shards 2/4 and 3/4 are missing' },
    { what: 'a shard missing, --allow-partial', given: [{ shard: '1/2' }], allow: true, code: 0, warns: 'shard 2/2 is missing' },
    { what: 'a shard missing and a violation in another: the violation decides', given: [{ shard: '2/3', violations: 1, runs: 1, failures: [{ batch: 1, run: 0, seed: 5, invariant: 'x', replay: 'faultline run x.json' }] }], allow: false, code: 1, warns: 'shards 1/3 and 3/3 are missing' },
  ] as const;

  it.each(cases)('$what: exit $code', async ({ given, allow, code, warns }) => {
    const files = shards(`c${code}-${given.length}-${String(allow)}`, given as Partial<FuzzJsonReport>[]);
    const out = join(tmp, `merged-${code}-${given.length}-${String(allow)}.json`);
    const r = await inProcess(['fuzz-report', 'merge', ...files, '--out', out, ...(allow ? ['--allow-partial'] : [])]);
    expect(r.code).toBe(code);
    if (warns === undefined) expect(r.stderr).toBe('');
    else expect(r.stderr).toContain(warns);
    // The merged report is written either way, and says what it lacks.
    const merged = JSON.parse(readFileSync(out, 'utf8')) as { complete: boolean; missing: string[] };
    expect(merged.complete).toBe(warns === undefined);
  });

  it('the help and docs/fuzz-at-scale.md document the exit code and --allow-partial', async () => {
    const help = await inProcess(['fuzz-report', 'merge', '--help']);
    expect(help.stdout).toContain('--allow-partial');
    expect(help.stdout.replace(/\s+/g, ' ')).toMatch(/else 3 if shards are missing/);
    const doc = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'fuzz-at-scale.md'), 'utf8');
    expect(doc).toMatch(/exits 3 when shards are missing/);
    expect(doc).toContain('--allow-partial');
  });
});
