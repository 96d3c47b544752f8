// CLI defects a newcomer met in session 9 on a clean clone, each fixed in kind (every place the same
// mistake could happen) and pinned here. The explore items whose test needs a module mock are in
// test/explore/cli-s9.test.ts.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkOutputFolder, writeOutputFile, writeOutputFiles } from '../../sim/cli/file-sink.ts';
import { InputError } from '../../sim/scenario/errors.ts';
import { parseScenario, prepareRun } from '../../sim/scenario/resolve.ts';
import { cli, inProcess } from '../cli-harness.ts';

const TINY = 'test/cli/fixtures/tiny.json';
const dir = mkdtempSync(join(tmpdir(), 'faultline-defects9-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const afile = join(dir, 'afile');
writeFileSync(afile, 'a plain file\n');

/** One line, `faultline: <path>: ...`, no stack trace. */
function expectOneLine(stderr: string, start: string): void {
  const lines = stderr.trimEnd().split('\n');
  expect(lines, stderr).toHaveLength(1);
  expect(lines[0]!.startsWith(`faultline: ${start}`), stderr).toBe(true);
  expect(stderr).not.toMatch(/\n\s+at /);
}

describe('1. an output path under a regular file is one line, exit 2, for every CLI output', () => {
  const trace = join(dir, 'tiny.jsonl');
  const report = join(dir, 'report.json');
  writeFileSync(report, JSON.stringify({ runs: 3, violations: 0, failures: [], scenario: 's', protocol: 'p', seed: 1, strategy: 'guided', batch_size: 10, shard: '1/1', workload: 'none', states: 0, coverage: [], batches: [] }));
  // Each CLI output, with the path under test in place of its file or folder.
  const outputs: [string, (p: string) => string[]][] = [
    ['run --trace', (p) => ['run', TINY, '--trace', p]],
    ['view --chrome', (p) => ['view', trace, '--chrome', p]],
    ['fuzz-report merge --out', (p) => ['fuzz-report', 'merge', report, '--out', p]],
    ['explore --out', (p) => ['explore', 'lock', '--bug', 'grantBeforeExpiry', '--drift', '1', '--depth', '8', '--no-progress', '--out', p]],
    ['fuzz --out', (p) => ['fuzz', 'pingpong', '--runs', '1', '--workers', '1', '--out', p]],
    ['bench --trace', (p) => ['bench', 'pingpong', '--deliveries', '10', '--trace', p]],
  ];
  it.each(outputs)('%s', async (_name, args) => {
    if (!existsSync(trace)) expect((await inProcess(['run', TINY, '--trace', trace])).code).toBe(0);
    for (const p of [join(afile, 'x.json'), join(afile, 'sub', 'x.json')]) {
      const r = await inProcess(args(p));
      expect(r.code, r.stderr).toBe(2);
      expectOneLine(r.stderr, p);
      expect(r.stderr).toContain('(ENOTDIR)');
    }
    expect(readFileSync(afile, 'utf8')).toBe('a plain file\n');
    expect(readdirSync(dir).filter((n) => n.includes('.partial-'))).toEqual([]);
  });

  it('the helpers: never a raw error, whatever stands above the path', () => {
    for (const p of [join(afile, 'x'), join(afile, 'a', 'b', 'x')]) {
      expect(() => writeOutputFile(p, 'x', 'the export')).toThrow(InputError);
      expect(() => checkOutputFolder(p, 'the failures')).toThrow(/is not a folder \(ENOTDIR\)/);
    }
    // A folder that does not exist yet but can be made passes, and is not created by the check.
    const later = join(dir, 'later', 'deeper');
    checkOutputFolder(later, 'the failures');
    expect(existsSync(join(dir, 'later'))).toBe(false);
  });

  it('writeOutputFiles: all or none (a failing second file leaves no first file and no temporary file)', () => {
    const first = join(dir, 'pair', 'a.jsonl');
    expect(() => writeOutputFiles([{ path: first, text: 'trace', what: 'the trace' }, { path: join(afile, 'b.json'), text: 'doc', what: 'the scenario' }])).toThrow(/cannot write the scenario: .*ENOTDIR/);
    expect(existsSync(first)).toBe(false);
    expect(readdirSync(join(dir, 'pair')).filter((n) => n.includes('.partial-'))).toEqual([]);
    writeOutputFiles([{ path: first, text: 'trace', what: 'the trace' }, { path: join(dir, 'pair', 'b.json'), text: 'doc', what: 'the scenario' }]);
    expect([readFileSync(first, 'utf8'), readFileSync(join(dir, 'pair', 'b.json'), 'utf8')]).toEqual(['trace', 'doc']);
  });
});

describe('2. explore checks its outputs before the search and writes all or none', () => {
  it('a FIFO at the counterexample scenario path: refused before the search, nothing written beside it', async () => {
    const out = join(dir, 'explore-fifo');
    mkdirSync(out);
    expect(spawnSync('mkfifo', [join(out, 'explore-lock-counterexample.json')]).status).toBe(0);
    const r = await inProcess(['explore', 'lock', '--bug', 'grantBeforeExpiry', '--drift', '1', '--depth', '8', '--no-progress', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe(''); // no search ran: nothing was found and lost
    expectOneLine(r.stderr, join(out, 'explore-lock-counterexample.json'));
    expect(readdirSync(out)).toEqual(['explore-lock-counterexample.json']);
  });
});

describe('3. an explore stopped by --max-states is unknown, not a pass', () => {
  it('says so, exits 1 as check does on unknown; --json has verdict "unknown"', async () => {
    const r = await inProcess(['explore', 'twopc-spec', '--max-states', '50', '--no-progress']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^unknown: stopped at --max-states 50 before the bounds were exhausted/m);
    expect(r.stdout).not.toMatch(/no violation within the bounds/);
    const j = JSON.parse((await inProcess(['explore', 'twopc-spec', '--max-states', '50', '--json'])).stdout) as Record<string, unknown>;
    expect([j.verdict, j.end]).toEqual(['unknown', 'max-states']);
  });

  it('a search that covered its bounds: verdict no-violation, exit 0', async () => {
    const r = await inProcess(['explore', 'twopc-spec', '--rms', '2', '--json']);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as Record<string, unknown>).verdict).toBe('no-violation');
  });

  it('the help says what each exit code means', async () => {
    const r = await inProcess(['explore', '--help']);
    expect(r.stdout.replace(/\s+/g, ' ')).toMatch(/1 if one did .* or the verdict is unknown \(stopped by --max-states/);
  });
});

describe('4. a cross-field config rule names the values and never says "missing" for a defaulted field', () => {
  const base = { name: 'x', description: 'x', duration: '1s' };
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ['lock', { config: { ttl: '10ms', keepAlive: '20ms' } }, /^config\.margin: margin 50ms must be shorter than ttl 10ms \(margin was not given: that is its default\)$/],
    ['lock', { config: { margin: '2s' } }, /^config\.margin: margin 2s must be shorter than ttl 500ms$/],
    ['raft', { config: { electionTimeout: { min: '300ms', max: '100ms' } } }, /^config\.electionTimeout\.max: max 100ms must be >= min 300ms$/],
    ['twopc', { config: { amount: { min: 5, max: 2 } } }, /^config\.amount\.max: max 2 must be >= min 5$/],
    ['pingpong', { faults: { nemesis: { crash: { rate: 1, downtime: { min: '2s', max: '1s' } } } } }, /^faults\.nemesis\.crash\.downtime\.max: max 1s must be >= min 2s$/],
    ['pingpong', { network: { latency: { kind: 'uniform', min: '5ms', max: '1ms' } } }, /^network\.latency\.max: max 1ms must be >= min 5ms$/],
  ];
  it.each(cases)('%s %j', (protocol, doc, message) => {
    let e: unknown;
    try {
      prepareRun(parseScenario({ ...base, protocol, ...doc }, 'f.json'));
    } catch (err) {
      e = err;
    }
    expect(e).toBeInstanceOf(InputError);
    const err = e as InputError;
    expect(`${err.where}: ${err.message}`).toMatch(message);
    expect(err.message).not.toMatch(/missing/);
  });
});

describe('5. a warning before a late input error: still one line', () => {
  const bad = join(dir, 'misnamed.json');
  writeFileSync(bad, JSON.stringify({ name: 'other-name', description: 'd', protocol: 'pingpong', config: { nodes: 3 }, duration: '50ms', faults: { timeline: [{ at: '1ms', kind: 'block', from: 'n1', to: 'n1' }] } }));
  it.each([['run'], ['explore'], ['fuzz']])('%s', async (command) => {
    const r = await inProcess([command, bad, ...(command === 'fuzz' ? ['--runs', '1', '--workers', '1', '--out', join(dir, 'f')] : [])]);
    expect(r.code).toBe(2);
    expectOneLine(r.stderr, `${bad}: faults.timeline[0].to: "n1" is the blocked node itself`);
  });
  it('good input still gets its warning', async () => {
    const good = join(dir, 'misnamed-good.json');
    writeFileSync(good, readFileSync(bad, 'utf8').replace('"to":"n1"', '"to":"n2"'));
    const r = await inProcess(['run', good]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^faultline: warning: .*name: the name "other-name" differs from the file name/);
  });
});

describe('6. fuzz-report merge: a file that is not a report names the place and what was expected', () => {
  it.each([
    ['[]', '(top level): not a faultline fuzz --json report: expected an object (got a list of 0 items)'],
    ['{"runs":"x"}', 'runs: not a faultline fuzz --json report: expected a number (got "x")'],
  ])('%s', async (text, message) => {
    const f = join(dir, `bad-${text.length}.json`);
    writeFileSync(f, text);
    const r = await inProcess(['fuzz-report', 'merge', f]);
    expect(r.code).toBe(2);
    expectOneLine(r.stderr, `${f}: ${message}`);
    expect(r.stderr).not.toMatch(/Invalid input|received/);
  });
});

describe('7. faultline run <protocol> suggests a path that works from the user\'s folder', () => {
  it('from another folder: a path that exists there, and runs', async () => {
    const elsewhere = join(dir, 'elsewhere');
    mkdirSync(elsewhere);
    const r = await cli(['run', 'pingpong'], { cwd: elsewhere });
    expect(r.code).toBe(2);
    const m = /did you mean (\S+)\? /.exec(r.stderr);
    expect(m, r.stderr).not.toBeNull();
    expect(isAbsolute(m![1]!)).toBe(true); // the checkout is not under this folder
    expect(existsSync(resolve(elsewhere, m![1]!))).toBe(true);
  });
});
