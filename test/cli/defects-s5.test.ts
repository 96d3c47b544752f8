// CLI defects left by the last session, each fixed in kind and pinned here: no-op faults warned
// once per kind, a missing span bound called missing, durations with a space before the unit,
// `list` columns, `init`'s quoted path, `--bug` suggestions, one seed parser for run and fuzz,
// --no-shrink not saying "shrunk", and one time format in human output.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { campaignSeed, parseSeed } from '../../sim/cli/options.ts';
import { formatDurationExact, formatWall } from '../../sim/cli/time-format.ts';
import type { InputError } from '../../sim/scenario/errors.ts';
import { parseScenario } from '../../sim/scenario/resolve.ts';
import { cli, inProcess, ROOT } from '../cli-harness.ts';

const dir = mkdtempSync(join(tmpdir(), 'faultline-defects-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const write = (name: string, doc: unknown): string => {
  const file = join(dir, name);
  writeFileSync(file, typeof doc === 'string' ? doc : JSON.stringify(doc));
  return file;
};
const base = { description: 'd', protocol: 'pingpong', duration: '50ms' };

describe('faults that change nothing', () => {
  it('restart of an up node, resume of a running one, crash of a crashed one: one warning per kind, the trace unchanged', async () => {
    const timeline = [
      { at: '5ms', kind: 'restart', node: 'n1' },
      { at: '6ms', kind: 'restart', node: 'n2' },
      { at: '7ms', kind: 'resume', node: 'n1' },
      { at: '8ms', kind: 'crash', node: 'n2' },
      { at: '9ms', kind: 'crash', node: 'n2' },
    ];
    const r = await inProcess(['run', write('noop.json', { ...base, name: 'noop', faults: { timeline } }), '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { warnings: { checker: string; message: string; t: number }[] };
    const noop = out.warnings.filter((w) => w.checker === 'faults');
    expect(noop.map((w) => [w.t, w.message.split(',')[0]])).toEqual([
      [5000, 'restart of n1'],
      [7000, 'resume of n1'],
      [9000, 'crash of n2'],
    ]);
    const text = await inProcess(['run', join(dir, 'noop.json')]);
    expect(text.stdout).toMatch(/^warnings {4}faults at 5ms: restart of n1, which was up, changed nothing/m);
    // A timeline without no-op faults warns about none.
    const clean = await inProcess(['run', write('clean.json', { ...base, name: 'clean', faults: { timeline: [{ at: '8ms', kind: 'crash', node: 'n2' }] } }), '--json']);
    expect((JSON.parse(clean.stdout) as { warnings: unknown[] }).warnings).toEqual([]);
  });
});

describe('scenario durations', () => {
  it('a span without max says max is missing (not a bad duration); with a bad max, says what it got', () => {
    const doc = (downtime: unknown) => ({ ...base, name: 'span', faults: { nemesis: { crash: { rate: 1, downtime } } } });
    const error = (d: unknown): string => {
      try {
        parseScenario(d, 'f.json');
      } catch (err) {
        return (err as InputError).describe();
      }
      return 'no error';
    };
    expect(error(doc({ min: '10ms' }))).toMatch(/^f\.json: faults\.nemesis\.crash\.downtime\.max: missing: expected a duration/);
    expect(error(doc({ min: '10ms', max: 'soon' }))).toMatch(/^f\.json: faults\.nemesis\.crash\.downtime\.max: expected a duration: .*\(got "soon"\)/);
  });

  it('a space between the number and the unit is accepted everywhere durations are read ("2 s" is "2s")', () => {
    const a = parseScenario({ ...base, name: 'a', duration: '2 s' });
    const b = parseScenario({ ...base, name: 'a', duration: '2s' });
    expect(a.duration).toBe(2_000_000);
    expect(a).toEqual(b);
  });
});

describe('list, init, --bug and --seed', () => {
  it('list: the description column starts at the same place on every line, 9-letter protocols included', async () => {
    const r = await inProcess(['list']);
    const lines = r.stdout.split('\n\n')[0]!.split('\n');
    const starts = new Set(lines.map((l) => /^\S+ +\S+ +/.exec(l)?.[0].length));
    expect(lines.some((l) => / zookeeper /.test(l))).toBe(true);
    expect([...starts]).toHaveLength(1);
  });

  it('init: a path with a space is printed quoted for the shell', async () => {
    const target = join(dir, "my proj's");
    const r = await inProcess(['init', target]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`cd '${target.replace(/'/g, "'\\''")}' && npm install`);
    expect(readdirSync(target)).toContain('package.json');
  });

  it('--bug: a near miss gets "did you mean"', async () => {
    const r = await inProcess(['fuzz', 'raft-leader-crash', '--bug', 'applyBeforeComit', '--runs', '1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^faultline: --bug: unknown planted bug "applyBeforeComit" of raft; did you mean "applyBeforeCommit"\?; expected one of: /);
  });

  it('one seed parser: text seeds work for run and fuzz; an empty seed is refused by both in the same words', async () => {
    expect(campaignSeed('42')).toBe(42);
    expect(campaignSeed('abc')).toBe(campaignSeed('abc'));
    expect(campaignSeed('abc')).not.toBe(campaignSeed('abd'));
    expect(Number.isSafeInteger(campaignSeed('abc'))).toBe(true);
    const fuzz = await inProcess(['fuzz', 'pingpong', '--seed', 'abc', '--runs', '1', '--workers', '1', '--json']);
    expect(fuzz.code, fuzz.stderr).toBe(0);
    expect((JSON.parse(fuzz.stdout) as { seed: number }).seed).toBe(campaignSeed('abc'));
    expect(() => parseSeed(' ')).toThrow(/non-empty seed/);
    const run = await inProcess(['run', 'pingpong', '--seed', ' ']);
    const fz = await inProcess(['fuzz', 'pingpong', '--seed', ' ', '--runs', '1']);
    expect(run.code).toBe(2);
    expect(fz.code).toBe(2);
    const why = (stderr: string): string => stderr.replace(/^.*is invalid\. /, '').replace(/ \(see faultline \w+ --help\)\n$/, '');
    expect(why(fz.stderr)).toBe(why(run.stderr));
    expect(why(run.stderr)).toMatch(/^expected a non-empty seed/);
  });
});

describe('fuzz --no-shrink', () => {
  it('reports failures as found, never as "shrunk"', async () => {
    const example = join(ROOT, 'examples/broadcast/protocol.ts');
    const file = write('ns.json', { name: 'ns', description: 'd', protocol: example, config: { values: 20 }, duration: '3s', network: { loss: 0.05 } });
    const r = await cli(['fuzz', file, '--bug', 'noRetry', '--runs', '40', '--seed', '1', '--workers', '1', '--no-shrink', '--out', join(dir, 'ns-out')]);
    expect(r.code, r.stderr).toBe(1);
    const all = `${r.stdout}${r.stderr}`;
    expect(all).toMatch(/^FAIL +eventual-delivery at /m);
    expect(all).toMatch(/^ {2}faults {4}\d+ fault/m);
    expect(all).toMatch(/written as found, not shrunk \(--no-shrink\)/);
    expect(all.replace(/not shrunk \(--no-shrink\)/g, '')).not.toMatch(/shrunk/);
  });
});

describe('one time format in human output', () => {
  it('wall and virtual times read as scenario durations do', async () => {
    expect(formatWall(2.9354)).toBe('2.935s');
    expect(formatWall(0.00042)).toBe('420us');
    expect(formatDurationExact(1_000_001)).toBe('1000.001ms');
    expect(formatDurationExact(1_500_000)).toBe('1.5s');
    const r = await inProcess(['run', write('t.json', { ...base, name: 't' })]);
    expect(r.stdout).toMatch(/^wall time {3}\d+(\.\d+)?(us|ms|s)$/m);
    expect(r.stdout).toMatch(/virtual time 50ms$/m);
  });

  it('no command formats a time by hand (toFixed(..) followed by a unit, or "t=...us")', () => {
    const files = ['sim/cli', 'sim/cli/commands', 'sim/scenario', 'sim/vitest'].flatMap((d) =>
      readdirSync(join(ROOT, d))
        .filter((f) => f.endsWith('.ts'))
        .map((f) => join(d, f)),
    );
    const bad = files.flatMap((f) =>
      readFileSync(join(ROOT, f), 'utf8')
        .split('\n')
        .map((line, i) => [f, i + 1, line] as const)
        .filter(([, , line]) => /toFixed\(\d\)\}\s?(s|ms|us|µs)\b|t=\$\{[^}]*\}(us|µs)/.test(line)),
    );
    expect(bad).toEqual([]);
  });
});

describe('bounded summaries', () => {
  it('warnings past the cap are one "n more" line', async () => {
    const { formatWarnings, MAX_WARNING_LINES } = await import('../../sim/cli/summary.ts');
    const ws = Array.from({ length: MAX_WARNING_LINES + 3 }, (_, i) => ({ checker: 'c', message: `w${i}`, t: i }));
    const lines = formatWarnings(ws);
    expect(lines).toHaveLength(MAX_WARNING_LINES + 1);
    expect(lines.at(-1)).toBe('            ... and 3 more warnings (all of them in --json)');
    expect(formatWarnings(ws.slice(0, 2))).toHaveLength(2);
    expect(() => formatWarnings(ws, undefined, 0)).toThrow(RangeError);
  });
});
