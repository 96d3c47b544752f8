// Campaigns beyond one machine and one process: `faultline fuzz-report merge`
// of shard reports, a dying worker thread, two campaigns sharing an output
// folder, fresh campaign seeds.

import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { claimScenarioFile } from '../../sim/cli/commands/fuzz.ts';
import { fuzz } from '../../sim/fuzz/fuzz.ts';
import { mergeFuzzReports, readFuzzReport, type FuzzJsonReport } from '../../sim/fuzz/merge.ts';
import { parseScenario } from '../../sim/scenario/resolve.ts';
import { cli, inProcess } from '../cli-harness.ts';

vi.mock('../../sim/protocols/registry.ts', async (orig) => (await import('./with-counter.ts')).withCounter(orig));

const tmp = mkdtempSync(join(tmpdir(), 'faultline-fuzz-merge-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
afterEach(() => {
  process.exitCode = undefined;
});

const report = (over: Partial<FuzzJsonReport>): FuzzJsonReport =>
  readFuzzReport({ runs: 0, violations: 0, failures: [], scenario: 's', protocol: 'p', seed: 1, strategy: 'guided', batch_size: 10, shard: '1/2', workload: 'none', states: 0, coverage: [], batches: [], ...over }, 'x.json');

describe('merging shard reports', () => {
  it('n shards of a campaign report the same runs, failures and batches as one machine', async () => {
    const common = ['fuzz', 'counter', '--bug', 'ackBeforeFsync', '--duration', '2s', '--runs', '240', '--batch', '20', '--seed', '3', '--workers', '1', '--max-failures', '50', '--shrink-budget', '20', '--json'];
    const whole = await inProcess([...common, '--out', join(tmp, 'whole')]);
    const files: string[] = [];
    for (let i = 1; i <= 3; i++) {
      const r = await inProcess([...common, '--shard', `${i}/3`, '--out', join(tmp, `shard${i}`)]);
      files.push(join(tmp, `shard${i}.json`));
      writeFileSync(files.at(-1)!, r.stdout);
    }
    const merged = await inProcess(['fuzz-report', 'merge', ...files]);
    const w = JSON.parse(whole.stdout) as FuzzJsonReport;
    const m = JSON.parse(merged.stdout) as FuzzJsonReport & { shards: string[]; complete: boolean };
    expect(w.violations).toBeGreaterThan(0);
    expect(merged.code).toBe(1);
    expect(m.complete).toBe(true);
    expect(m.shards).toEqual(['1/3', '2/3', '3/3']);
    expect(m.runs).toBe(240);
    expect(m.violations).toBe(w.violations);
    const key = (r: FuzzJsonReport) => r.failures.map((f) => [f.batch, f.run, f.seed, f.invariant]);
    expect(key(m)).toEqual(key(w));
    expect(m.batches).toEqual(w.batches);
    expect(m.coverage).toEqual(w.coverage);
    expect(m.not_judged).toEqual(w.not_judged);
    // What the runs drew faults from is the campaign's, kept by the merge.
    expect([m.fault_kinds, m.rare_kinds, m.prior_ordinary_kinds, m.swarm]).toEqual([w.fault_kinds, w.rare_kinds, w.prior_ordinary_kinds, w.swarm]);
    expect(w.fault_kinds?.length).toBeGreaterThan(0);
  });

  it('coverage is the union; shards of other campaigns, repeated shards and bad files are refused', () => {
    const a = report({ shard: '1/3', runs: 5, coverage: ['a', 'b'], batches: [{ batch: 0, seed: 9, runs: 5, violations: 0 }] });
    const b = report({ shard: '3/3', runs: 7, coverage: ['b', 'c'], batches: [{ batch: 2, seed: 8, runs: 7, violations: 0 }] });
    const m = mergeFuzzReports([{ file: 'a', report: a }, { file: 'b', report: b }]);
    expect(m).toMatchObject({ runs: 12, coverage: ['a', 'b', 'c'], states: 3, complete: false, missing: ['2/3'] });
    expect(() => mergeFuzzReports([{ file: 'a', report: a }, { file: 'c', report: { ...b, seed: 2 } }])).toThrow(/not a shard of the same campaign as a: seed is 2, not 1/);
    expect(() => mergeFuzzReports([{ file: 'a', report: a }, { file: 'c', report: { ...b, fault_kinds: ['crash'] } }])).toThrow(/not a shard of the same campaign as a: fault_kinds is \["crash"\], not undefined/);
    expect(() => mergeFuzzReports([{ file: 'a', report: a }, { file: 'c', report: a }])).toThrow(/shard 1\/3 is also in a/);
    expect(() => mergeFuzzReports([{ file: 'a', report: a }, { file: 'c', report: { ...b, shard: '2/4' } }])).toThrow(/into 4 shards/);
    expect(() => readFuzzReport({ runs: 'many' }, 'r.json')).toThrow(/not a faultline fuzz --json report/);
  });

  it('the command: one line and exit 2 on a bad file, a warning when shards are missing', async () => {
    writeFileSync(join(tmp, 'bad.json'), '{"runs": ');
    const bad = await inProcess(['fuzz-report', 'merge', join(tmp, 'bad.json')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^faultline: .*bad\.json: line 1: expected one JSON object/);
    writeFileSync(join(tmp, 'half.json'), JSON.stringify(report({ shard: '2/2', runs: 3 })));
    const half = await inProcess(['fuzz-report', 'merge', join(tmp, 'half.json'), '--out', join(tmp, 'merged.json')]);
    expect(half.code).toBe(3); // incomplete (test/cli/defects-s10.test.ts has the cases)
    expect(half.stderr).toContain('shard 1/2 is missing');
    expect(JSON.parse(readFileSync(join(tmp, 'merged.json'), 'utf8'))).toMatchObject({ runs: 3, complete: false });
  });
});

describe('campaign robustness', () => {
  it('a worker thread that dies is reported with its batch, run, seed and a replay line; the campaign goes on', async () => {
    const marker = join(tmp, 'died-once');
    process.env.FAULTLINE_TEST_DIE_ONCE = marker;
    try {
      const r = await cli(['fuzz', 'pingpong', '--runs', '40', '--batch', '10', '--workers', '2', '--seed', '5', '--duration', '300ms', '--workload', 'test/fuzz/dying-workload.ts', '--json', '--out', join(tmp, 'dying')]);
      expect(existsSync(marker)).toBe(true);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(/^WORKER DIED running batch \d+ \(fast-check seed \d+\): /m);
      expect(r.stderr).toMatch(/^ {2}replay {4}npx faultline fuzz pingpong --seed 5 --strategy guided --batch 10 .*--workload test\/fuzz\/dying-workload\.ts --runs \d+ --shard (\d+)\/\1 --workers 1$/m);
      const s = JSON.parse(r.stdout) as { runs: number; batches: unknown[]; worker_deaths: { batch: number }[] };
      expect(s.worker_deaths).toHaveLength(1);
      expect(s.batches).toHaveLength(3);
      expect(s.runs).toBe(30);
    } finally {
      delete process.env.FAULTLINE_TEST_DIE_ONCE;
    }
  });

  it('two campaigns writing into one folder do not clobber each other: a different failure of the same name gets the next name', () => {
    const base = parseScenario({ name: 'counter-fuzz', description: 'c', protocol: 'counter', config: { bugs: { ackBeforeFsync: true } }, duration: '2s' });
    const f = fuzz({ scenario: base, runs: 200, seed: 1 }).failures[0]!;
    const other = { ...f, scenario: { ...f.scenario, description: 'another campaign, same seed' } };
    const dir = join(tmp, 'shared-out');
    const a = claimScenarioFile(dir, f);
    const b = claimScenarioFile(dir, other);
    const again = claimScenarioFile(dir, f);
    expect(a.file).toBe(join(dir, `${f.scenario.name}.json`));
    expect(b.file).toBe(join(dir, `${f.scenario.name}-2.json`));
    expect(b.scenario.name).toBe(`${f.scenario.name}-2`);
    expect(again.file).toBe(a.file);
    expect(JSON.parse(readFileSync(b.file, 'utf8')).description).toBe('another campaign, same seed');
    expect(JSON.parse(readFileSync(a.file, 'utf8')).description).toBe(f.scenario.description);
  });

  it('a fault naming a node the cluster lacks: one line naming the file, as run says it', async () => {
    const file = join(tmp, 'unknown-node.json');
    writeFileSync(file, JSON.stringify({ name: 'unknown-node', description: 'd', protocol: 'raft', duration: '1s', faults: { timeline: [{ at: '10ms', kind: 'crash', node: 'n9' }] } }));
    const r = await inProcess(['fuzz', file, '--runs', '1', '--workers', '1']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(new RegExp(`^faultline: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: faults\\.timeline\\[0\\]\\.node: unknown node "n9"`));
  });

  it('a base config its nodes reject at start is bad input (exit 2), not a failure of every run', async () => {
    const file = join(tmp, 'zero-timeout.json');
    writeFileSync(file, JSON.stringify({ name: 'zero-timeout', description: 'd', protocol: 'raft', duration: '1s', config: { electionTimeout: { min: '0ms', max: '0ms' } } }));
    const r = await inProcess(['fuzz', file, '--runs', '5', '--workers', '1', '--no-workload']);
    expect(r.code).toBe(2);
    // The schema holds the nodes' preconditions, so the mistake is named by its field before any node starts.
    expect(r.stderr.trim()).toBe(`faultline: ${file}: config.electionTimeout.min: the election timeout (min 0us) must be longer than the heartbeat (50ms)`);
  });

  it('each invocation draws a fresh campaign seed and prints it; --seed replays; --shard needs --seed; a text seed is hashed the same every time', async () => {
    const args = ['fuzz', 'pingpong', '--runs', '5', '--batch', '5', '--workers', '1', '--duration', '200ms', '--json'];
    const a = JSON.parse((await inProcess(args)).stdout) as { seed: number; batches: { seed: number }[] };
    const b = JSON.parse((await inProcess(args)).stdout) as { seed: number; batches: { seed: number }[] };
    expect(a.seed).not.toBe(b.seed);
    const human = await inProcess(args.filter((x) => x !== '--json'));
    expect(human.stdout).toMatch(/^fuzz {8}pingpong-fuzz \(pingpong\), campaign seed (\d+) \(fresh; --seed \1 replays it\), strategy guided, /m);
    expect(human.stderr).toMatch(/^fuzz: seed \d+, 5\/5 runs/m);
    const again = JSON.parse((await inProcess([...args, '--seed', String(a.seed)])).stdout) as typeof a;
    expect(again.batches).toEqual(a.batches);
    const shard = await inProcess([...args, '--shard', '1/2']);
    expect(shard.code).toBe(2);
    expect(shard.stderr).toContain('--shard: shards of one campaign must share its seed');
    // One seed parser for run and fuzz: an empty seed is bad input; text is hashed to a seed, the same every time.
    const empty = await inProcess([...args, '--seed', '']);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('expected a non-empty seed');
    const x1 = JSON.parse((await inProcess([...args, '--seed', 'nightly-x'])).stdout) as typeof a;
    const x2 = JSON.parse((await inProcess([...args, '--seed', 'nightly-x'])).stdout) as typeof a;
    expect(x1.seed).toBe(x2.seed);
    expect(x1.batches).toEqual(x2.batches);
  });
});
