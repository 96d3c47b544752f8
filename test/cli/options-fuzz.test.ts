// Parser fuzzing of the command line: fast-check generates argv for run, list,
// replay and bench (known and unknown options, hostile values: empty, huge,
// negative, NaN-ish, control characters, line breaks, NUL, long, non-ASCII,
// paths that are folders or cannot be written) and runs main() in this
// process. Each must end in a result (exit 0 or 1) or ONE line
// `faultline: ...` with exit 2: never a stack trace, never an exception out of
// main(), never a temporary or half-written trace file.
// Benchmarks are replaced by cheap stand-ins (this tests parsing, not speed).

import fc from 'fast-check';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { inProcess } from '../cli-harness.ts';

vi.mock('../../sim/bench/index.ts', async () => {
  const { positiveInt } = await import('../../sim/bench/case.ts');
  const stub = (name: string) => ({
    name,
    description: `stand-in for ${name}`,
    run: (opts: Record<string, string | boolean | undefined>) => ({ deliveries: positiveInt(opts.deliveries, 'deliveries', 10), runs: positiveInt(opts.runs, 'runs', 1) }),
  });
  return { benchCases: [stub('pingpong'), stub('ring')] };
});
// `bench pingpong --trace` runs the real simulation: at most 1000 deliveries here.
vi.mock('../../sim/bench/pingpong.ts', async (orig) => {
  const real = await orig<typeof import('../../sim/bench/pingpong.ts')>();
  return { ...real, pingpongSimulation: (opts: Parameters<typeof real.pingpongSimulation>[0]) => real.pingpongSimulation({ ...opts, deliveries: Math.min(opts.deliveries, 1000) }) };
});

const TINY = 'test/cli/fixtures/tiny.json';
const tmp = mkdtempSync(join(tmpdir(), 'faultline-options-fuzz-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Inputs tried per property (stated in the closing report of issue 14). */
export const OPTION_RUNS = 400;

const hostile = fc.constantFrom(
  '', ' ', '\t', '-', '--', '-1', '0', '1e3', '1.5', 'NaN', 'Infinity', '0x10', '1_000', '99999999999999999999999', '9007199254740993',
  'a\nb', 'a\rb', '\u0000', 'x\u0000y', '\u2028', '\u001b[31mred', '😀', 'é', 'x'.repeat(10_000), '../../etc/passwd', '/', '/proc', '/proc/x.jsonl', '.', 'scenarios',
  '--json', '--seed', '-h',
);
const value = fc.oneof({ weight: 3, arbitrary: hostile }, { weight: 1, arbitrary: fc.string({ maxLength: 40 }) }, { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) }, { weight: 1, arbitrary: fc.integer({ min: -5, max: 3000 }).map(String) });
/** --trace values used as they are: empty, unwritable or a folder (anything else is moved into the temporary folder). */
const KEPT_TRACE_VALUES = new Set(['', '/', '/proc', '/proc/x.jsonl']);
/** A fresh trace path in the temporary folder (so "nothing written" can be checked), or a hostile one. */
const tracePath = fc.oneof(fc.nat(1e9).map((n) => join(tmp, `t${n}.jsonl`)), hostile, fc.constant(tmp), fc.nat(1e9).map((n) => join(tmp, `sub${n}`, 'deeper', 'x.jsonl')));

const option = (cmd: string): fc.Arbitrary<readonly string[]> => {
  const common = [fc.constant(['--json']), fc.tuple(fc.constantFrom('--bogus', '-z', '--JSON', '--json=1', '--help'), fc.option(value, { nil: undefined })).map(([o, v]) => (v === undefined ? [o] : [o, v]))];
  switch (cmd) {
    case 'run':
      return fc.oneof(...common, value.map((v) => ['--seed', v]), fc.nat(50).map((n) => ['--seed', String(n)]), tracePath.map((p) => ['--trace', p]), fc.constant(['--seed']), fc.constant(['--trace']));
    case 'bench':
      return fc.oneof(
        ...common,
        fc.oneof(value, fc.constantFrom('1', '7', '1_000')).map((v) => ['--deliveries', v]),
        fc.oneof(value, fc.constantFrom('1', '2')).map((v) => ['--runs', v]),
        tracePath.map((p) => ['--trace', p]),
      );
    default:
      return fc.oneof(...common);
  }
};

const positional = (cmd: string): fc.Arbitrary<readonly string[]> => {
  switch (cmd) {
    case 'run':
      return fc.oneof({ weight: 3, arbitrary: fc.constant([TINY]) }, { weight: 2, arbitrary: value.map((v) => [v]) }, { weight: 1, arbitrary: fc.constant([]) }, { weight: 1, arbitrary: fc.constant([TINY, 'extra']) });
    case 'replay':
      return fc.oneof(fc.constant([TINY]), fc.constant([tmp]), value.map((v) => [v]), fc.constant([]));
    case 'bench':
      return fc.oneof(fc.constantFrom(['pingpong'], ['ring'], ['all'], ['nosuch'], []), value.map((v) => [v]));
    default:
      return fc.oneof(fc.constant([]), value.map((v) => [v]));
  }
};

const argv = fc
  .constantFrom('run', 'list', 'replay', 'bench', 'nosuch', '--version', '--help', '')
  .chain((cmd) => fc.tuple(fc.constant(cmd), positional(cmd), fc.array(option(cmd), { maxLength: 3 })))
  .chain(([cmd, pos, opts]) => fc.shuffledSubarray([...pos.map((p) => [p]), ...opts], { minLength: pos.length + opts.length }).map((parts) => [cmd, ...parts.flat()]));

describe('command-line options never crash', () => {
  it(`${OPTION_RUNS} generated command lines for run, list, replay, bench: a result or one line, exit 2`, async () => {
    let tried = 0;
    const codes = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(argv, async (raw) => {
        tried++;
        // Every --trace value goes into the temporary folder (relative ones too: never into the
        // repository, never over a fixture), except the empty one and the unwritable absolute ones.
        const args = raw.map((a, i) => (raw[i - 1] === '--trace' && !KEPT_TRACE_VALUES.has(a) && !a.startsWith(tmp) ? join(tmp, 'rel', a.replaceAll('..', '__').replace(/^\/+/, '')) : a));
        // Trace paths that do not exist yet: after a bad-input exit they still must not.
        const traces = args.filter((a, i) => args[i - 1] === '--trace' && a.startsWith(tmp) && !existsSync(a));
        const r = await inProcess(args);
        codes.set(r.code, (codes.get(r.code) ?? 0) + 1);
        expect([0, 1, 2]).toContain(r.code);
        expect(r.stderr).not.toMatch(/\n\s+at /);
        if (r.code === 2 && !(args.length <= 1 && args[0] !== '--version' && r.stdout === '')) {
          // (bare `faultline` prints the help on stderr with exit 2)
          expect(r.stderr.trimEnd().split('\n'), JSON.stringify(args)).toHaveLength(1);
          expect(r.stderr.startsWith('faultline: '), r.stderr).toBe(true);
          for (const t of traces) expect(existsSync(t), t).toBe(false);
        }
        expect(readdirSync(tmp).filter((f) => f.includes('.partial-'))).toEqual([]);
      }),
      { numRuns: OPTION_RUNS },
    );
    expect(tried).toBe(OPTION_RUNS);
    // The generator reaches both outcomes.
    expect(codes.get(2)).toBeGreaterThan(0);
    expect(codes.get(0)).toBeGreaterThan(0);
  });

  it('an empty or blank --seed, a --seed with a line break: exit 2 naming --seed', async () => {
    for (const seed of ['', '   ', 'a\nb']) {
      const r = await inProcess(['run', TINY, '--seed', seed]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^faultline: run: option '--seed <seed>' argument '.*' is invalid\. expected a (non-empty )?seed/);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    }
    const ok = await inProcess(['run', TINY, '--seed', '42', '--json']);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ seed: '42' });
  });

  it('--version prints the package version; -V too; --help lists --version', async () => {
    const { version } = (await import('../../package.json', { with: { type: 'json' } })).default as { version: string };
    for (const flag of ['--version', '-V']) {
      const r = await inProcess([flag]);
      expect(r).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
    }
    const help = await inProcess(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/-V, --version +print the version and exit/);
  });
});
