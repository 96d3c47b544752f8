// One rule for every output path the CLI writes (traces, --chrome exports, merged fuzz reports,
// scenario files): only a regular file (or nothing) may stand at the path, since the file is
// renamed into place and a rename would replace a device, a pipe or a symbolic link; missing
// folders are created. Uses a symlink and a FIFO in a temporary folder (never a real device).

import { spawnSync } from 'node:child_process';
import { lstatSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { writeOutputFile } from '../../sim/cli/file-sink.ts';
import { InputError } from '../../sim/scenario/errors.ts';
import { inProcess } from '../cli-harness.ts';

const TINY = 'test/cli/fixtures/tiny.json';
const tmp = mkdtempSync(join(tmpdir(), 'faultline-output-paths-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
afterEach(() => {
  process.exitCode = undefined;
});

/** A symbolic link to a file holding "keep", and a FIFO, under `name`. */
function specials(name: string): { target: string; link: string; fifo: string } {
  const target = join(tmp, `${name}-target`);
  writeFileSync(target, 'keep\n');
  const link = join(tmp, `${name}-link.json`);
  symlinkSync(target, link);
  const fifo = join(tmp, `${name}-fifo.json`);
  expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
  return { target, link, fifo };
}

function expectLeftAlone({ target, link, fifo }: { target: string; link: string; fifo: string }): void {
  expect(lstatSync(link).isSymbolicLink()).toBe(true);
  expect(lstatSync(fifo).isFIFO()).toBe(true);
  expect(readFileSync(target, 'utf8')).toBe('keep\n');
  expect(readdirSync(tmp).filter((n) => n.includes('.partial-'))).toEqual([]);
}

const report = JSON.stringify({ runs: 3, violations: 0, failures: [], scenario: 's', protocol: 'p', seed: 1, strategy: 'guided', batch_size: 10, shard: '1/1', workload: 'none', states: 0, coverage: [], batches: [] });

describe('every output path follows the trace rule', () => {
  it('writeOutputFile: refuses a link, a FIFO and a folder; creates missing folders; writes whole', () => {
    const s = specials('unit');
    for (const path of [s.link, s.fifo]) {
      expect(() => writeOutputFile(path, 'x', 'the export')).toThrow(InputError);
      expect(() => writeOutputFile(path, 'x', 'the export')).toThrow(/cannot write the export: something other than a regular file is there/);
    }
    expect(() => writeOutputFile(tmp, 'x', 'the export')).toThrow(/this is a folder/);
    expectLeftAlone(s);
    const deep = join(tmp, 'a', 'b', 'c.json');
    writeOutputFile(deep, 'hello', 'the export');
    expect(readFileSync(deep, 'utf8')).toBe('hello');
    writeOutputFile(deep, 'again', 'the export'); // a regular file is replaced
    expect(readFileSync(deep, 'utf8')).toBe('again');
  });

  it('view --chrome: a link or FIFO is refused (exit 2, one line) and left as it is; a missing folder is created', async () => {
    const trace = join(tmp, 'tiny.jsonl');
    expect((await inProcess(['run', TINY, '--trace', trace])).code).toBe(0);
    const s = specials('chrome');
    for (const path of [s.link, s.fifo]) {
      const r = await inProcess(['view', trace, '--chrome', path]);
      expect(r.code, path).toBe(2);
      expect(r.stderr).toBe(`faultline: ${path}: cannot write the export: something other than a regular file is there (a device, pipe, socket or symbolic link); expected a file name\n`);
    }
    expectLeftAlone(s);
    const deep = join(tmp, 'nonexistentdir', 'x', 'c.json');
    const r = await inProcess(['view', trace, '--chrome', deep]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(readFileSync(deep, 'utf8'))).toHaveProperty('traceEvents');
  });

  it('fuzz-report merge --out: a link or FIFO is refused and left as it is; a missing folder is created', async () => {
    const input = join(tmp, 'report.json');
    writeFileSync(input, report);
    const s = specials('merge');
    for (const path of [s.link, s.fifo]) {
      const r = await inProcess(['fuzz-report', 'merge', input, '--out', path]);
      expect(r.code, path).toBe(2);
      expect(r.stderr).toMatch(/^faultline: .*: cannot write the report: something other than a regular file is there/);
    }
    expectLeftAlone(s);
    const deep = join(tmp, 'm', 'n', 'merged.json');
    const r = await inProcess(['fuzz-report', 'merge', input, '--out', deep]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(readFileSync(deep, 'utf8'))).toMatchObject({ runs: 3 });
  });
});
