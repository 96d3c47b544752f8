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
    expect(lines.map((l) => l.verdict)).toEqual(['linearizable', 'not-linearizable', 'linearizable', 'not-linearizable']);
    for (const l of lines) {
      expect(Object.keys(l).slice(0, 4)).toEqual(['file', 'verdict', 'linearizable', 'ms']);
      expect(typeof l.ms).toBe('number');
    }
  });

  it('text: a verdict line per file and an explanation; exit 0 when all are linearizable', () => {
    // A trace without client operations (a protocol with no clients) is trivially linearizable.
    const empty = join(mkdtempSync(join(tmpdir(), 'faultline-check-')), 'empty.jsonl');
    writeFileSync(empty, JSON.stringify({ format: 'faultline-trace', version: 1, scenario: 's', protocol: 'p', seed: '1', config: null, nodes: [], timeline: [] }) + '\n');
    const good = faultline('check', DATA + 'etcd/etcd_005.log', DATA + 'kv/c10-ok.txt', empty);
    expect(good.code).toBe(0);
    expect(good.stdout).toMatch(/empty\.jsonl: linearizable \(\d+(\.\d+)?(us|ms|s); 0 ops, 0 keys/);
    expect(good.stdout).toMatch(/etcd_005\.log: linearizable \(\d+(\.\d+)?(us|ms|s); 79 ops, 1 key, \d+ steps, register model\)\n/);
    expect(good.stdout).toMatch(/c10-ok\.txt: linearizable \(\d+(\.\d+)?(us|ms|s); 337 ops, 10 keys, \d+ steps, kv model\)\n/);
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
    expect(r.stderr).toBe('faultline: --model: expected one of register, kv, lock, queue, set, counter, cas-register, multi-register (got "stack")\n');
    for (const bad of ['0', '-1', 'lots', '1e400']) {
      const m = faultline('check', DATA + 'etcd/etcd_002.log', '--max-memory', bad);
      expect(m.code).toBe(2);
      expect(m.stderr).toMatch(/^faultline: --max-memory: expected a positive number of MB/);
    }
  });

  it('a bad file: exit 2, one error naming the file and line, nothing on stdout', () => {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-check-'));
    const bad = join(dir, 'broken.log');
    writeFileSync(bad, 'INFO  jepsen.util - 0\t:invoke\t:read\tnil\nINFO  jepsen.util - 0\t:ok\t:read\t[1\n');
    const r = faultline('check', DATA + 'etcd/etcd_002.log', bad);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`faultline: ${bad}: line 2: bad value "[1": unterminated vector (opened on line 1)\n`);
    // The wrong --format is a bad file too.
    const wrong = faultline('check', DATA + 'etcd/etcd_005.log', '--format', 'kv');
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(new RegExp(`^faultline: ${DATA}etcd/etcd_005.log: line 1: expected an op map`));
  });

  it('--max-steps and --max-memory: unknown, with what was explored, as JSON "verdict": "unknown" (exit 1)', () => {
    const r = faultline('check', DATA + 'etcd/etcd_002.log', '--max-steps', '50', '--json');
    expect(r.code).toBe(1);
    const line = JSON.parse(r.stdout) as { verdict: string; linearizable: boolean | null; undecided: { reason: string; steps: number }[] };
    expect(line.verdict).toBe('unknown');
    // Unknown is not a proven violation: "linearizable" is null, neither true nor false.
    expect(line.linearizable).toBeNull();
    expect(line.undecided).toEqual([expect.objectContaining({ partition: '', reason: 'steps', steps: 50 })]);
    const m = faultline('check', DATA + 'etcd/etcd_002.log', '--max-memory', '0.005');
    expect(m.code).toBe(1);
    expect(m.stdout).toMatch(/etcd_002\.log: unknown \(memory budget exhausted\)/);
    expect(m.stdout).toMatch(/not decided: the memory budget ran out on the history \(77 ops: \d+ steps, ~\d+ MB explored\); raise --max-memory to decide/);
  });

  it('a trace: says what else it holds (violations of other properties, no footer, no operations)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-check-'));
    const header = JSON.stringify({ format: 'faultline-trace', version: 1, scenario: 's', protocol: 'lock', seed: '1', config: null, nodes: [], timeline: [] });
    const ev = (o: object) => JSON.stringify(o);
    const body = [
      ev({ seq: 0, t: 1, type: 'invoke', node: 'c1', op: 0, process: 'c1', f: 'acquire', key: 'L' }),
      ev({ seq: 1, t: 2, type: 'return', node: 'c1', op: 0, process: 'c1', outcome: 'ok' }),
      ev({ seq: 2, t: 3, type: 'violation', invariant: 'mutual-exclusion', message: 'two holders of L', cause: 1 }),
    ];
    const full = join(dir, 'full.jsonl');
    writeFileSync(full, [header, ...body, ev({ type: 'end', t: 3, events: 3, hash: 'x', stats: {} })].join('\n') + '\n');
    const r = faultline('check', full);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/full\.jsonl: linearizable \(.*1 ops/);
    expect(r.stderr).toBe(`faultline: warning: ${full}: the run recorded 1 violation of other properties (mutual-exclusion): "two holders of L"; this command checks linearizability only\n`);
    // Header only (a truncated trace): a warning, not a silent "linearizable, 0 ops".
    const headerOnly = join(dir, 'header.jsonl');
    writeFileSync(headerOnly, header + '\n');
    const h = faultline('check', headerOnly);
    expect(h.code).toBe(0);
    expect(h.stderr).toBe(`faultline: warning: ${headerOnly}: no client operations, and the trace has no footer (truncated?): nothing was checked\n`);
    const j = faultline('check', headerOnly, '--json');
    expect((JSON.parse(j.stdout) as { warnings: string[] }).warnings).toHaveLength(1);
    // Operations but no footer.
    const cut = join(dir, 'cut.jsonl');
    writeFileSync(cut, [header, ...body].join('\n') + '\n');
    expect(faultline('check', cut).stderr).toMatch(/the trace has no footer \(truncated or interrupted run\): only the operations it holds were checked/);
  });
});

// testdata/reported/README.md of the shared inputs: each reported file gets the right verdict.
const REPORTED = fileURLToPath(new URL('../../testdata/reported/', import.meta.url));

describe('faultline check on the reported inputs (C3-C7)', () => {
  const cases: [string, string[], number, RegExp][] = [
    ['C3-knossos-vector-format.edn', [], 1, /: not linearizable \(.*1 ops, 1 key, \d+ steps, cas-register model\)/],
    ['C4-kv-register-read-dropped.edn', ['--format', 'kv', '--model', 'register'], 0, /: linearizable \(.*2 ops.*register model\)/],
    ['C4b-kv-queue-dequeue-dropped.edn', ['--format', 'kv', '--model', 'queue'], 0, /: linearizable \(.*2 ops.*queue model\)/],
    ['C5-kv-error-vector.edn', [], 0, /: linearizable \(.*1 ops.*kv model\)/],
    ['C6-etcd-nemesis-line.log', [], 0, /: linearizable \(.*2 ops.*register model, 2 nemesis ops skipped\)/],
    ['C6b-kv-nemesis-process.edn', [], 0, /: linearizable \(.*2 ops.*kv model, 1 nemesis op skipped\)/],
    ['C7-etcd-bigint-precision.log', [], 1, /: not linearizable \(.*register model\)\n.*\n.*\n +1: read -> 9007199254740992 /],
  ];
  for (const [file, args, code, out] of cases)
    it(`${file} ${args.join(' ')}: exit ${code}`, () => {
      const r = faultline('check', REPORTED + file, ...args);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(code);
      expect(r.stdout).toMatch(out);
    });
});
