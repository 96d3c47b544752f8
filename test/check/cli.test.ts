// `faultline check` end to end: verdicts and exit codes over the shared
// histories, the --json line format, and a bad file (exit 2, file and line, no
// report on stdout).

import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DATA = fileURLToPath(new URL('../../testdata/linearizability/', import.meta.url));

function faultline(...args: string[]) {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/faultline.js'), ...args], { cwd: ROOT, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('faultline check', () => {
  it('--json: one line per file with the verdict and time; exit 1 when any is not linearizable', () => {
    const files = ['etcd/etcd_002.log', 'etcd/etcd_000.log', 'kv/c01-ok.txt', 'kv/c01-bad.txt'].map((f) => DATA + f);
    const r = faultline('check', ...files, '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const lines = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => [l.file, l.linearizable])).toEqual([
      [files[0], true],
      [files[1], false],
      [files[2], true],
      [files[3], false],
    ]);
    for (const l of lines) {
      expect(Object.keys(l)).toEqual(['file', 'linearizable', 'ms']);
      expect(typeof l.ms).toBe('number');
    }
  });

  it('text: a verdict line per file and an explanation; exit 0 when all are linearizable', () => {
    // A trace without client operations (a protocol with no clients) is trivially linearizable.
    const empty = join(mkdtempSync(join(tmpdir(), 'faultline-check-')), 'empty.jsonl');
    writeFileSync(empty, JSON.stringify({ format: 'faultline-trace', version: 1, scenario: 's', protocol: 'p', seed: '1', config: null, nodes: [], timeline: [] }) + '\n');
    const good = faultline('check', DATA + 'etcd/etcd_005.log', DATA + 'kv/c10-ok.txt', empty);
    expect(good.code).toBe(0);
    expect(good.stdout).toMatch(/empty\.jsonl: linearizable \(\d+\.\d+ ms; 0 ops, 0 keys/);
    expect(good.stdout).toMatch(/etcd_005\.log: linearizable \(\d+\.\d+ ms; 79 ops, 1 key, \d+ steps, register model\)\n/);
    expect(good.stdout).toMatch(/c10-ok\.txt: linearizable \(\d+\.\d+ ms; 337 ops, 10 keys, \d+ steps, kv model\)\n/);
    const bad = faultline('check', DATA + 'kv/c10-bad.txt');
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/c10-bad\.txt: not linearizable/);
    expect(bad.stdout).toMatch(/ {4}kv key "\d" is not linearizable\.\n {4}Smallest failing core: these 2 of \d+ operations cannot be linearized/);
    expect(bad.stdout).toMatch(/\n {4}Longest linearizable prefix: \d+ of \d+ operations/);
    expect(bad.stdout).toMatch(/Cannot place: \d+: get\[\d\] -> ".*" {3}\(called at line \d+, returned at line \d+\)/);
  });

  it('--max-steps: an exhausted budget is reported as unknown, never as a verdict (exit 1)', () => {
    const r = faultline('check', DATA + 'etcd/etcd_002.log', '--max-steps', '50');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/etcd_002\.log: unknown \(search budget exhausted\) \(/);
  });

  it('bad options: exit 2 with what was expected', () => {
    const r = faultline('check', DATA + 'etcd/etcd_002.log', '--model', 'stack');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('faultline: --model: expected one of register, kv, lock, queue, set, counter (got "stack")\n');
  });

  it('a bad file: exit 2, one error naming the file and line, nothing on stdout', () => {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-check-'));
    const bad = join(dir, 'broken.log');
    writeFileSync(bad, 'INFO  jepsen.util - 0\t:invoke\t:read\tnil\nINFO  jepsen.util - 0\t:ok\t:read\t[1\n');
    const r = faultline('check', DATA + 'etcd/etcd_002.log', bad);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`faultline: ${bad}: line 2: bad value "[1": unterminated vector\n`);
    // The wrong --format is a bad file too.
    const wrong = faultline('check', DATA + 'etcd/etcd_005.log', '--format', 'kv');
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(new RegExp(`^faultline: ${DATA}etcd/etcd_005.log: line 1: expected an EDN map`));
  });
});
