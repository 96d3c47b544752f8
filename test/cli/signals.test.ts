// Ctrl-C (SIGINT) and SIGTERM sent to a real `faultline` child process during
// a long run (an hour of virtual time, millions of events): the run stops, the
// trace left is complete and marked interrupted (valid footer and hash) or
// absent, no `*.partial-<pid>` file remains, and the exit code is 130 / 143.

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseTrace } from '../../sim/trace/parse.ts';
import { BIN, inProcess, ROOT } from '../cli-harness.ts';

const LONG = 'test/cli/fixtures/long-pingpong.json';
const LONG_DURATION_US = 3600e6;
const tmp = mkdtempSync(join(tmpdir(), 'faultline-signals-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Start `faultline args`, wait until `ready(stderr so far)` holds (checked every 20 ms), send `signals` one after the other, and wait for the exit. */
async function interrupt(args: string[], ready: (stderr: string) => boolean, signals: NodeJS.Signals[]): Promise<Exit> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<Exit>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr })));
  let done = false;
  void exited.then(() => (done = true));
  while (!ready(stderr) && !done) await new Promise((r) => setTimeout(r, 20));
  for (const s of signals) child.kill(s);
  const r = await exited;
  return { ...r, stdout, stderr };
}

const partials = (dir: string): string[] => readdirSync(dir).filter((f) => f.includes('.partial-'));

function checkInterruptedTrace(file: string): { steps: number; endTime: number } {
  const parsed = parseTrace(readFileSync(file, 'utf8'), { file, verifyHash: true });
  expect(parsed.hash).toBe('ok');
  expect(parsed.footer?.interrupted).toBe(true);
  expect(parsed.footer?.events).toBe(parsed.events.length);
  return { steps: parsed.footer?.stats.steps ?? -1, endTime: parsed.footer?.stats.endTime ?? -1 };
}

describe('interrupting faultline run', () => {
  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('%s: a complete trace marked interrupted, no partial file, exit %i; replay reproduces it exactly', async (sig, exitCode) => {
    const dir = mkdtempSync(join(tmp, `${sig}-`));
    const trace = join(dir, 'run.jsonl');
    // Ready once the run is streaming its trace (the temporary file exists).
    const r = await interrupt(['run', LONG, '--trace', trace], () => partials(dir).length > 0, [sig]);
    expect(r.signal, r.stderr).toBeNull();
    expect(r.code, r.stderr).toBe(exitCode);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(new RegExp(`^interrupted by ${sig} at virtual time `, 'm'));
    expect(r.stdout).toMatch(/^expected {4}INTERRUPTED: not judged/m);
    expect(partials(dir)).toEqual([]);
    const { endTime } = checkInterruptedTrace(trace);
    expect(endTime).toBeLessThan(LONG_DURATION_US);
    // The interrupted trace replays exactly, stopping at the same step.
    const replay = await inProcess(['replay', trace]);
    expect(replay.code, replay.stdout + replay.stderr).toBe(0);
    expect(replay.stdout).toMatch(/matches the recorded hash/);
  });

  it('a second signal ends the process at once: still no partial file, and any trace left is complete', async () => {
    const dir = mkdtempSync(join(tmp, 'twice-'));
    const trace = join(dir, 'run.jsonl');
    const r = await interrupt(['run', LONG, '--trace', trace], () => partials(dir).length > 0, ['SIGINT', 'SIGINT']);
    expect(r.code, r.stderr).toBe(130);
    expect(partials(dir)).toEqual([]);
    if (existsSync(trace)) checkInterruptedTrace(trace);
  });

  it('--json: the JSON line names the signal, held is false', async () => {
    const dir = mkdtempSync(join(tmp, 'json-'));
    const trace = join(dir, 'run.jsonl');
    const r = await interrupt(['run', LONG, '--trace', trace, '--json'], () => partials(dir).length > 0, ['SIGINT']);
    expect(r.code, r.stderr).toBe(130);
    expect(JSON.parse(r.stdout)).toMatchObject({ scenario: 'long-pingpong', held: false, interrupted: 'SIGINT', trace });
    checkInterruptedTrace(trace);
  });

  it('bench pingpong --trace: SIGINT keeps a complete interrupted trace, exit 130', async () => {
    const dir = mkdtempSync(join(tmp, 'bench-'));
    const trace = join(dir, 'bench.jsonl');
    const r = await interrupt(['bench', 'pingpong', '--trace', trace, '--deliveries', '100000000', '--json'], () => partials(dir).length > 0, ['SIGINT']);
    expect(r.code, r.stderr).toBe(130);
    expect(JSON.parse(r.stdout)).toMatchObject({ interrupted: 'SIGINT', trace });
    expect(partials(dir)).toEqual([]);
    checkInterruptedTrace(trace);
  });

  it('faultline replay of a long trace stops on SIGTERM with exit 143 and says so', async () => {
    // A long recording to replay: a run interrupted once its trace holds over 200000 lines (~90 bytes each).
    const dir = mkdtempSync(join(tmp, 'replay-'));
    const trace = join(dir, 'long.jsonl');
    const size = (): number => partials(dir).reduce((n, f) => n + (statSync(join(dir, f), { throwIfNoEntry: false })?.size ?? 0), 0);
    const rec = await interrupt(['run', LONG, '--trace', trace], () => size() > 24 << 20, ['SIGINT']);
    expect(rec.code, rec.stderr).toBe(130);
    const { steps } = checkInterruptedTrace(trace);
    const before = readdirSync(dir);
    // Ready when the replay announces itself on stderr (its signal handlers are installed by then).
    const r = await interrupt(['replay', trace], (stderr) => stderr.includes('re-running'), ['SIGTERM']);
    expect(r.stderr).toMatch(/^replay: re-running a trace of more than 200000 events/m);
    expect(r.code, r.stderr).toBe(143);
    expect(r.stdout).toMatch(/interrupted by SIGTERM after \d+ events; not compared/);
    expect(Number(/after (\d+) events/.exec(r.stdout)?.[1])).toBeGreaterThan(0);
    expect(steps).toBeGreaterThan(0);
    expect(readdirSync(dir)).toEqual(before);
  });
});
