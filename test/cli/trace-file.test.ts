// Output files that cannot be written: an unwritable path, a folder, a disk
// that fills up while the trace streams (Linux /dev/full: every write fails
// with ENOSPC). Each ends in one `faultline: <file>: ...` line, exit 2, and
// nothing under the final name (nor a temporary file).

import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileSink, removeStalePartials, withTraceFile } from '../../sim/cli/file-sink.ts';
import { InputError } from '../../sim/scenario/errors.ts';
import { cli, inProcess } from '../cli-harness.ts';

const TINY = 'test/cli/fixtures/tiny.json';
const LONG = 'test/cli/fixtures/long-pingpong.json';
const tmp = mkdtempSync(join(tmpdir(), 'faultline-trace-file-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const hasDevFull = existsSync('/dev/full');

/** One line, the expected prefix, no stack trace. */
function expectOneLineError(stderr: string, prefix: string): void {
  expect(stderr.endsWith('\n')).toBe(true);
  expect(stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(stderr.startsWith(`faultline: ${prefix}`), stderr).toBe(true);
  expect(stderr).not.toMatch(/\n\s+at /);
}

describe('--trace to a path that cannot be written', () => {
  it('an unwritable path (/proc/x.jsonl), as a real process: one line, exit 2, nothing left', async () => {
    const r = await cli(['run', TINY, '--trace', '/proc/x.jsonl']);
    expect(r.code).toBe(2);
    expectOneLineError(r.stderr, '/proc/x.jsonl: cannot write the trace: ');
    expect(r.stdout).toBe('');
    expect(existsSync('/proc/x.jsonl')).toBe(false);
  });

  it('a missing folder that cannot be created (/proc/nope/x.jsonl), as a real process: one line, exit 2 (the recursive mkdir of Node loops forever there)', async () => {
    const r = await cli(['run', TINY, '--trace', '/proc/nope/x.jsonl']);
    expect(r.code).toBe(2);
    expectOneLineError(r.stderr, '/proc/nope/x.jsonl: cannot write the trace: ');
    expect(r.stdout).toBe('');
  });

  it('a symbolic link or a pipe at the path is refused and left as it is (the rename would replace it: think of /dev/null)', async () => {
    const target = join(tmp, 'link-target');
    writeFileSync(target, 'keep\n');
    const link = join(tmp, 'link.jsonl');
    symlinkSync(target, link);
    const fifo = join(tmp, 'fifo.jsonl');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    for (const path of [link, fifo]) {
      const r = await inProcess(['run', TINY, '--trace', path]);
      expect(r.code, path).toBe(2);
      expectOneLineError(r.stderr, `${path}: cannot write the trace: something other than a regular file is there`);
    }
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
    expect(readFileSync(target, 'utf8')).toBe('keep\n');
  });

  it('a folder, or a path under a regular file: exit 2 before running', async () => {
    const file = join(tmp, 'plain');
    await inProcess(['run', TINY, '--trace', file]);
    const cases: [string, RegExp][] = [
      [tmp, /this is a folder/],
      [join(file, 'x.jsonl'), /\((ENOTDIR|EEXIST)\)$/],
    ];
    for (const [path, msg] of cases) {
      const r = await inProcess(['run', TINY, '--trace', path]);
      expect(r.code, path).toBe(2);
      expectOneLineError(r.stderr, `${path}: cannot write the trace: `);
      expect(r.stderr.trimEnd()).toMatch(msg);
      expect(r.stdout).toBe('');
    }
    expect(readdirSync(tmp).filter((f) => f.includes('.partial-'))).toEqual([]);
  });

  it('bench pingpong --trace to an unwritable path, and --trace with a benchmark that writes none', async () => {
    const r = await inProcess(['bench', 'pingpong', '--deliveries', '100', '--trace', '/proc/y.jsonl']);
    expect(r.code).toBe(2);
    expectOneLineError(r.stderr, '/proc/y.jsonl: cannot write the trace: ');
    const other = await inProcess(['bench', 'ring', '--trace', join(tmp, 'ring.jsonl')]);
    expect(other.code).toBe(2);
    expectOneLineError(other.stderr, '--trace applies to the pingpong benchmark only');
  });
});

describe.runIf(hasDevFull)('a full disk while the trace streams (/dev/full)', () => {
  // The temporary file is `<trace>.partial-<pid>`: a symlink there to /dev/full makes every write fail with ENOSPC.
  function fullDisk(name: string): string {
    const dir = mkdtempSync(join(tmp, `${name}-`));
    const trace = join(dir, 'run.jsonl');
    symlinkSync('/dev/full', `${trace}.partial-${process.pid}`);
    return trace;
  }

  it('a short run (the error comes at the final flush): exit 2, one line, no trace, temporary file removed', async () => {
    const trace = fullDisk('short');
    const r = await inProcess(['run', TINY, '--trace', trace]);
    expect(r.code).toBe(2);
    expectOneLineError(r.stderr, `${trace}: cannot write the trace: no space left on device (ENOSPC); no trace was left`);
    expect(r.stdout).toBe('');
    expect(existsSync(trace)).toBe(false);
    expect(() => lstatSync(`${trace}.partial-${process.pid}`)).toThrow();
  });

  it('an hour-long run stops at the first failed write instead of running to the end, and is not reported as a protocol violation', async () => {
    const trace = fullDisk('long');
    const r = await inProcess(['run', LONG, '--trace', trace, '--json']);
    expect(r.code).toBe(2);
    expectOneLineError(r.stderr, `${trace}: cannot write the trace: no space left on device (ENOSPC)`);
    expect(r.stdout).toBe('');
    expect(existsSync(trace)).toBe(false);
  });

  it('withTraceFile (used by fuzz for failure traces): the error surfaces as an InputError after the run, never inside it', () => {
    const trace = fullDisk('sync');
    let writes = 0;
    let thrown: unknown;
    try {
      withTraceFile(trace, (sink: FileSink) => {
        for (let i = 0; i < 30_000; i++) {
          sink.write(`{"seq":${i},"padding":"${'x'.repeat(64)}"}\n`); // about 2 MB: at least one flush fails
          writes++;
        }
        expect(sink.failed).toMatch(/ENOSPC/);
      });
    } catch (err) {
      thrown = err;
    }
    expect(writes).toBe(30_000);
    expect(thrown).toBeInstanceOf(InputError);
    expect((thrown as InputError).describe()).toBe(`${trace}: cannot write the trace: no space left on device (ENOSPC); no trace was left`);
    expect(existsSync(trace)).toBe(false);
  });
});

describe('temporary files of processes that died', () => {
  it('a new run removes `<trace>.partial-<pid>` of a dead process, and keeps those of live ones', async () => {
    const dir = mkdtempSync(join(tmp, 'stale-'));
    const trace = join(dir, 'run.jsonl');
    const dead = spawnSync(process.execPath, ['-e', '0']).pid as number; // exited: its pid is free
    writeFileSync(`${trace}.partial-${dead}`, '{"half":');
    writeFileSync(`${trace}.partial-1`, 'pid 1 (init) is alive');
    writeFileSync(`${trace}.partial-notapid`, 'not a temporary file of ours');
    writeFileSync(join(dir, `other.jsonl.partial-${dead}`), 'another trace: not this one');
    expect(removeStalePartials(trace)).toEqual([`run.jsonl.partial-${dead}`]);
    const r = await inProcess(['run', TINY, '--trace', trace]);
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(dir).sort()).toEqual([`other.jsonl.partial-${dead}`, 'run.jsonl', 'run.jsonl.partial-1', 'run.jsonl.partial-notapid'].sort());
  });
});
