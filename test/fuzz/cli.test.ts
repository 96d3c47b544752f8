// `faultline fuzz` and `faultline replay` end to end: child processes for the
// real command line (worker threads, shards, exit codes), and in-process runs
// of main() for the failure path, which needs the test-only counter protocol.

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { BIN, cli, inProcess, ROOT } from '../cli-harness.ts';

vi.mock('../../sim/protocols/registry.ts', async (orig) => (await import('./with-counter.ts')).withCounter(orig));

// A pingpong fixture, so these tests do not depend on what scenarios/default.ts shows.
const BASE = 'test/fuzz/pingpong-base.ts';
const tmp = mkdtempSync(join(tmpdir(), 'faultline-fuzz-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));


afterEach(() => {
  process.exitCode = undefined;
});

interface Summary {
  runs: number;
  violations: number;
  failures: { seed: string; replay: string; invariant: string; trace: string; scenario: string }[];
  batches: { batch: number; seed: number; runs: number; violations: number }[];
}

describe('faultline fuzz (child process)', () => {
  it('runs the budget on worker threads; shards 1/2 and 2/2 together run exactly the same batches; --time stops', async () => {
    // With a workload module, which each worker thread loads on its own.
    const common = ['fuzz', BASE, '--runs', '40', '--batch', '10', '--duration', '300ms', '--workload', 'test/fuzz/pingpong-workload.ts', '--seed', '7', '--json'];
    // The whole campaign in a real process on worker threads; the shards and the timed run in this process (one thread, no startup cost).
    const wholeRun = cli([...common, '--workers', '2']);
    const s1 = await inProcess([...common, '--workers', '1', '--shard', '1/2']);
    const s2 = await inProcess([...common, '--workers', '1', '--shard', '2/2']);
    const timed = await inProcess(['fuzz', 'pingpong', '--time', '2s', '--batch', '5', '--workers', '1', '--duration', '200ms', '--json']);
    const whole = await wholeRun;
    for (const r of [whole, s1, s2, timed]) expect(r.code, r.stderr).toBe(0);
    const w = JSON.parse(whole.stdout) as Summary;
    expect(w).toMatchObject({ runs: 40, violations: 0, failures: [] });
    expect(w.batches.map((b) => b.batch)).toEqual([0, 1, 2, 3]);
    const a = JSON.parse(s1.stdout) as Summary;
    const b = JSON.parse(s2.stdout) as Summary;
    expect(a.batches.map((x) => x.batch)).toEqual([0, 2]);
    expect(b.batches.map((x) => x.batch)).toEqual([1, 3]);
    expect([...a.batches, ...b.batches].sort((x, y) => x.batch - y.batch)).toEqual(w.batches);
    expect(a.runs + b.runs).toBe(40);
    // Not a terminal: plain progress lines on stderr, stdout is only the JSON line.
    expect(whole.stderr).toMatch(/^fuzz: seed 7, 40\/40 runs, [\d.]+ runs\/s, \d+ states, 0 violations/m);
    expect(whole.stdout.trim().split('\n')).toHaveLength(1);
    const t = JSON.parse(timed.stdout) as Summary;
    expect(t.runs).toBeGreaterThan(0);
    // Whole batches of 5, but for the last one, which the time may cut.
    expect(t.batches.slice(0, -1).every((x) => x.runs === 5)).toBe(true);
    expect(t.batches.at(-1)!.runs).toBeLessThanOrEqual(5);
    expect(t.batches.reduce((n, x) => n + x.runs, 0)).toBe(t.runs);
    // A batch far bigger than the time allows is cut when the time is up, not run to its end.
    const big = await inProcess(['fuzz', 'pingpong', '--time', '2s', '--batch', '10000000', '--workers', '1', '--duration', '200ms', '--json']);
    expect(big.code, big.stderr).toBe(0);
    const bt = JSON.parse(big.stdout) as Summary;
    expect(bt.batches).toHaveLength(1);
    expect(bt.runs).toBeGreaterThan(0);
    expect(bt.runs).toBeLessThan(10_000_000);
  });

  it('Ctrl-C stops a campaign after the current run (--workers 1: inside the batch): a report, exit 130', async () => {
    const child = spawn(process.execPath, [BIN, 'fuzz', BASE, '--runs', '1000000', '--batch', '5', '--workers', '1', '--duration', '200ms', '--json'], { cwd: ROOT });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    // The first progress line says runs are under way.
    await new Promise<void>((resolve) => child.stderr.once('data', () => resolve()));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(130);
    const s = JSON.parse(stdout) as Summary & { interrupted: boolean };
    expect(s.interrupted).toBe(true);
    expect(s.runs).toBeGreaterThan(0);
    expect(s.runs).toBeLessThan(1000000);
  });

  it('bad options and bad targets exit 2 with one line and no stack trace', async () => {
    const cases: [string[], string][] = [
      [['fuzz', BASE, '--shard', '3/2'], '--shard: expected i/n with 1 <= i <= n'],
      [['fuzz', BASE, '--runs', '0'], '--runs: expected a positive integer'],
      [['fuzz', BASE, '--runs', '5', '--time', '1s'], 'not both'],
      [['fuzz', BASE, '--time', 'soon'], '--time: expected a duration'],
      [['fuzz', BASE, '--kinds', 'crash,meteor'], '--kinds: unknown fault kind "meteor"'],
      [['fuzz', 'no-such-thing'], 'no-such-thing: not a scenario file, a scenario in scenarios/ or a protocol'],
      [['fuzz', 'pingpong', '--config', '{nodes:3}'], '--config: expected a JSON object'],
      [['fuzz', 'pingpong', '--bug', 'nosuch'], '--bug: pingpong has no planted bugs'],
      [['fuzz', 'twopc', '--bug', 'voteWithoutLog'], '--bug: unknown planted bug "voteWithoutLog" of twopc; did you mean "voteYesWithoutLog"?; expected one of: commitBeforeLog, voteYesWithoutLog,'],
      [['replay', join(tmp, 'missing.jsonl')], 'no such trace file'],
      [['fuzz', BASE, '--targets', 'n1,n9'], '--targets: unknown node "n9"; this cluster has: n1, n2, n3, n4, n5'],
      [['fuzz', BASE, '--max-failures', 'x'], '--max-failures: expected a positive integer'],
      [['fuzz', BASE, '--shrink-budget', '-1'], '--shrink-budget: expected a non-negative integer'],
      [['fuzz', BASE, '--duration', '1us'], '--duration/--targets: cannot generate faults: fault window is empty'],
      [['fuzz', BASE, '--workload', 'test/fuzz/nope.ts'], 'test/fuzz/nope.ts: no such module'],
      [['fuzz', BASE, '--workload', 'test/fuzz/with-counter.ts'], 'test/fuzz/with-counter.ts: expected a default export that is a fast-check arbitrary'],
    ];
    // The real process for one of them (exit status, stderr); main() in this process for the rest (cheaper, same code path).
    const results = [await cli(cases[0]![0])];
    for (const [args] of cases.slice(1)) results.push(await inProcess(args));
    results.forEach((r, i) => {
      const [args, text] = cases[i]!;
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stderr).toContain(text);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    });
  });

  it('a --time budget that ends before any run finishes is bad input (exit 2, one error line, no summary), not a clean pass', async () => {
    // 1 ms cannot hold a 10-minute pingpong run: the campaign checks nothing, and must not report "0 violations".
    for (const json of [[], ['--json']]) {
      const r = await inProcess(['fuzz', 'pingpong', '--time', '1ms', '--duration', '10m', '--workers', '1', '--seed', '1', ...json]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      // Progress lines (and, under a loaded CI, Node's own warnings) may share stderr: one error line, the last.
      const errors = r.stderr.trim().split('\n').filter((l) => l.startsWith('faultline: '));
      expect(errors, r.stderr).toHaveLength(1);
      expect(r.stderr.trim().split('\n').at(-1)).toBe(errors[0]);
      expect(errors[0]).toMatch(/--time: no run finished within the time budget \(1ms\): .*nothing was checked; expected a budget longer than one run/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('faultline replay: exit 0 on a fresh trace, 1 with the first difference on an edited one, 2 on a truncated one', async () => {
    const trace = join(tmp, 'default.jsonl');
    expect((await inProcess(['run', BASE, '--trace', trace])).code).toBe(0);
    const text = readFileSync(trace, 'utf8');
    const lines = text.split('\n');
    const i = lines.findIndex((l) => l.includes('"type":"crash"'));
    lines[i] = lines[i]!.replace('"node":"n3"', '"node":"n4"');
    writeFileSync(join(tmp, 'edited.jsonl'), lines.join('\n'));
    writeFileSync(join(tmp, 'cut.jsonl'), text.slice(0, Math.floor(text.length / 2)));
    // A real process for the exit status of a bad file; the other two through main() in this process.
    const cutRun = cli(['replay', join(tmp, 'cut.jsonl')]);
    const ok = await inProcess(['replay', trace]);
    const edited = await inProcess(['replay', join(tmp, 'edited.jsonl')]);
    const cut = await cutRun;
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/matches the recorded hash/);
    expect(edited.code).toBe(1);
    expect(edited.stdout).toContain(`first difference at line ${i + 1} (event #${i - 1}):`);
    expect(cut.code).toBe(2);
    expect(cut.stderr).toMatch(new RegExp(`^faultline: ${join(tmp, 'cut.jsonl')}: line \\d+: the trace is truncated`));
  });
});

describe('faultline fuzz finds, records and replays a planted bug (in process)', () => {
  it('prints the replay line, writes the shrunk trace and scenario, and both reproduce the failure', async () => {
    const out = join(tmp, 'found');
    const r = await inProcess(['fuzz', 'counter', '--seed', '24301', '--bug', 'ackBeforeFsync', '--duration', '2s', '--runs', '100', '--workers', '1', '--json', '--out', out]);
    expect(r.code).toBe(1);
    const s = JSON.parse(r.stdout) as Summary;
    expect(s.violations).toBeGreaterThanOrEqual(1);
    // Every run of the budget runs; at most --max-failures (5) failures are shrunk and written (failing runs that
    // shrink to the same counterexample are written once).
    expect(s.failures.length).toBeGreaterThanOrEqual(1);
    expect(s.failures.length).toBeLessThanOrEqual(Math.min(s.violations, 5));
    const f = s.failures[0]!;
    expect(f.invariant).toBe('acked-writes-durable');
    expect(f.trace).toBe(join(out, `counter-fuzz-${f.seed}.jsonl`));
    expect(f.replay).toBe(`npx faultline replay ${f.trace}`);
    expect(existsSync(f.trace)).toBe(true);

    const replay = await inProcess(['replay', f.trace]);
    expect(replay.code).toBe(0);
    expect(replay.stdout).toMatch(/acked-writes-durable/);
    expect(replay.stdout).toMatch(/matches the recorded hash/);

    // The shrunk scenario is a scenario file that demonstrates the bug: `faultline run` says its expectation held.
    // Named like its file, so it can be copied into scenarios/ as a regression test.
    expect(f.scenario).toBe(join(out, `counter-fuzz-${f.seed}.json`));
    const shrunk = JSON.parse(readFileSync(f.scenario, 'utf8')) as { name: string; faults: { timeline: { kind: string }[] }; expect: unknown };
    expect(shrunk.name).toBe(`counter-fuzz-${f.seed}`);
    expect(shrunk.expect).toEqual({ violation: 'acked-writes-durable' });
    // A crash and its restart (other episodes the failure's random draws depend on may stay; the quiesce goes).
    const kinds = shrunk.faults.timeline.map((x) => x.kind);
    expect(kinds).toContain('crash');
    expect(kinds).toContain('restart');
    expect(kinds).not.toContain('quiesce');
    const run = await inProcess(['run', f.scenario]);
    expect(run.code).toBe(0);
  });

  it('--runs N runs N runs, failures collected up to --max-failures; --targets with only the client finds nothing', async () => {
    const args = ['fuzz', 'counter', '--seed', '24301', '--bug', 'ackBeforeFsync', '--duration', '2s', '--runs', '400', '--batch', '20', '--workers', '1', '--json', '--out', join(tmp, 'max')];
    const capped = JSON.parse((await inProcess([...args, '--max-failures', '2'])).stdout) as Summary;
    expect(capped.failures).toHaveLength(2);
    expect(capped.runs).toBe(400);
    expect(capped.violations).toBeGreaterThanOrEqual(2);
    const clientOnly = await inProcess([...args, '--targets', 'c1', '--kinds', 'crash,pause']);
    expect(clientOnly.code).toBe(0);
    expect(JSON.parse(clientOnly.stdout)).toMatchObject({ runs: 400, violations: 0 });
  });

  it('--workload: the workload is drawn and shrunk with the faults, and lands in the shrunk scenario', async () => {
    const out = join(tmp, 'workload');
    const r = await inProcess(['fuzz', 'counter', '--seed', '24301', '--bug', 'ackBeforeFsync', '--workload', 'test/fuzz/counter-workload.ts', '--duration', '2s', '--runs', '100', '--workers', '1', '--max-failures', '1', '--json', '--out', out]);
    expect(r.code).toBe(1);
    const f = (JSON.parse(r.stdout) as Summary).failures[0]!;
    const shrunk = JSON.parse(readFileSync(f.scenario, 'utf8')) as { config: { increments: number } };
    expect(shrunk.config.increments).toBeGreaterThanOrEqual(1);
    expect(shrunk.config.increments).toBeLessThan(40);
    expect((await inProcess(['replay', f.trace])).code).toBe(0);
  });

  it('human output: a FAIL block with seed, shrunk faults, trace, replay and view lines', async () => {
    const out = join(tmp, 'human');
    const r = await inProcess(['fuzz', 'counter', '--seed', '24301', '--bug', 'ackBeforeFsync', '--duration', '2s', '--runs', '100', '--batch', '100', '--workers', '1', '--max-failures', '1', '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^FAIL {8}acked-writes-durable at 2s: /m);
    expect(r.stderr).toMatch(/^ {2}shrunk {4}\d+ faults: (.*, )?crash (n\d) @[\d.]+m?s, (.*, )?restart \2 @[\d.]+m?s(, .*)?$/m);
    const trace = /^ {2}trace {5}(\S+)$/m.exec(r.stderr)?.[1];
    expect(trace).toBeDefined();
    expect(r.stderr).toContain(`  replay    npx faultline replay ${trace}\n`);
    expect(r.stderr).toContain(`  view      npx faultline view ${trace}\n`);
    expect(r.stdout).toContain(`replay      npx faultline replay ${trace}   # acked-writes-durable`);
    expect(r.stdout).toMatch(/^violations {2}\d+ failing runs?; 1 counterexample shrunk and written: acked-writes-durable 1\. /m);
    expect(r.stdout).toMatch(/^fuzz {8}counter-fuzz \(counter\), campaign seed 24301, strategy guided, /m);
  });
});
