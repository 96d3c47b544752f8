// `faultline view`: checks the trace in the terminal first (a broken file is
// reported with its line and exit code 2, and nothing is served), then serves
// the viewer and the trace on localhost and prints the URL.

import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTraceFile, REPO_ROOT } from '../../sim/cli/commands/view.ts';
import { writePingpongTrace } from '../../sim/bench/viewer.ts';
import { openSync, readSync, statSync, closeSync, truncateSync, copyFileSync } from 'node:fs';
import type { TraceEvent } from '../../sim/engine/types.ts';
import { raftTrace } from './synthetic.ts';

const BIN = join(REPO_ROOT, 'bin', 'faultline.js');
const dir = mkdtempSync(join(tmpdir(), 'faultline-view-'));

describe('faultline view', () => {
  it('rejects a missing file and a malformed trace with exit 2 and a one-line message', () => {
    const missing = spawnSync(process.execPath, [BIN, 'view', join(dir, 'nope.jsonl')], { encoding: 'utf8' });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toBe(`faultline: ${join(dir, 'nope.jsonl')}: no such trace file\n`);

    writeFileSync(join(dir, 'good-for-at.jsonl'), raftTrace());
    const bad = join(dir, 'bad.jsonl');
    const lines = raftTrace().split('\n');
    lines[3] = '{"seq":2,"t":0,"type":"start"}';
    writeFileSync(bad, lines.join('\n'));
    const r = spawnSync(process.execPath, [BIN, 'view', bad, '--port', '0'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`faultline: ${bad}: line 4: start event: field "node" must be a string\n`);
    expect(r.stdout).toBe('');

    const at = spawnSync(process.execPath, [BIN, 'view', join(dir, 'good-for-at.jsonl'), '--at', '99'], { encoding: 'utf8' });
    expect(at.status).toBe(2);
    expect(at.stderr).toBe('faultline: --at: expected an event number 0-26 (got "99")\n');
  });

  it('replay --project with a folder that does not exist (or a file) is one line, exit 2, before the trace is read', () => {
    const file = join(dir, 'for-replay.jsonl');
    writeFileSync(file, raftTrace());
    const missing = join(dir, 'no-such-project');
    const r = spawnSync(process.execPath, [BIN, 'replay', '--project', missing, file], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`faultline: ${missing}: --project: expected an existing project folder (no such folder)\n`);
    expect(r.stdout).toBe('');
    const notDir = spawnSync(process.execPath, [BIN, 'replay', '--project', file, file], { encoding: 'utf8' });
    expect(notDir.status).toBe(2);
    expect(notDir.stderr).toBe(`faultline: ${file}: --project: expected a project folder, got a file\n`);
  });

  it('--help names the default port once', () => {
    const r = spawnSync(process.execPath, [BIN, 'view', '--help'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout.match(/4173/g)).toEqual(['4173']);
  });

  it('--chrome writes the Chrome trace event export and exits', () => {
    const file = join(dir, 'for-chrome.jsonl');
    writeFileSync(file, raftTrace());
    const out = join(dir, 'raft.chrome.json');
    const r = spawnSync(process.execPath, [BIN, 'view', file, '--chrome', out], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`wrote ${out}`);
    const json = JSON.parse(readFileSync(out, 'utf8')) as { traceEvents: { ph: string; name: string }[] };
    expect(json.traceEvents.filter((e) => e.ph === 's').length).toBe(4);
    // Missing folders on the way are created, as for every file the CLI writes (README, "Interrupts").
    const nested = join(dir, 'no', 'such', 'dir', 'x.json');
    const made = spawnSync(process.execPath, [BIN, 'view', file, '--chrome', nested], { encoding: 'utf8' });
    expect(made.status).toBe(0);
    expect((JSON.parse(readFileSync(nested, 'utf8')) as { traceEvents: unknown[] }).traceEvents.length).toBe(json.traceEvents.length);
    // A folder at the path is bad input: one line, exit 2.
    const bad = spawnSync(process.execPath, [BIN, 'view', file, '--chrome', dir], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe(`faultline: ${dir}: cannot write the export: this is a folder; expected a file name\n`);
  });

  it('serves the viewer and the trace, and prints the URL', async () => {
    const file = join(dir, 'good.jsonl');
    writeFileSync(file, raftTrace());
    const child = spawn(process.execPath, [BIN, 'view', file, '--port', '0', '--at', '5'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /viewer: (http:\/\/127\.0\.0\.1:\d+\/\?trace=trace%2Fgood\.jsonl)#e=5\nfirst violation \(election-safety\), at its cause: \1#e=23\n/.exec(out);
          if (m) resolve(m[1] as string);
        });
        child.on('exit', (code) => reject(new Error(`exited with ${code}`)));
      });
      const page = await fetch(url);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<title>Faultline viewer</title>');
      const trace = await fetch(new URL('trace/good.jsonl', url));
      expect(await trace.text()).toBe(raftTrace());
      // Byte ranges (the viewer reads the tail first for the run's end time): suffix, open-ended, bounded, unsatisfiable.
      const whole = Buffer.from(raftTrace());
      const ranged = async (range: string): Promise<[number, string | null, string]> => {
        const r = await fetch(new URL('trace/good.jsonl', url), { headers: { range } });
        return [r.status, r.headers.get('content-range'), await r.text()];
      };
      expect(await ranged('bytes=-100')).toEqual([206, `bytes ${whole.length - 100}-${whole.length - 1}/${whole.length}`, whole.subarray(whole.length - 100).toString()]);
      expect(await ranged('bytes=10-')).toEqual([206, `bytes 10-${whole.length - 1}/${whole.length}`, whole.subarray(10).toString()]);
      expect(await ranged('bytes=3-7')).toEqual([206, `bytes 3-7/${whole.length}`, whole.subarray(3, 8).toString()]);
      expect((await ranged(`bytes=${whole.length + 5}-`))[0]).toBe(416);
      expect((await fetch(new URL('../../etc/passwd', url))).status).toBe(404);
      expect((await fetch(new URL('/%2e%2e/%2e%2e/package.json', url))).status).toBe(404);
    } finally {
      child.kill('SIGTERM');
    }
  });

  it('reads a long run streamed to a file line by line: every event, a verified hash, and a cut copy with a warning', async () => {
    // About 300,000 events (26 MB) from a long pingpong run, written as it runs.
    const file = join(dir, 'long.jsonl');
    const bytes = writePingpongTrace(file, 300_000);
    expect(statSync(file).size).toBe(bytes);
    let count = 0;
    let lastSeq = -1;
    let ordered = true;
    const s = await readTraceFile(
      file,
      (ev: TraceEvent) => {
        if (ev.seq !== lastSeq + 1) ordered = false;
        lastSeq = ev.seq;
        count++;
      },
      { verifyHash: true },
    );
    expect(ordered).toBe(true);
    expect(count).toBe(s.footer!.events);
    expect(count).toBeGreaterThan(290_000);
    expect(s.hash).toBe('ok');
    expect(s.warnings).toEqual([]);
    // Cut in the middle of a line, far into the file: it loads up to there, with a warning naming the line.
    const cut = join(dir, 'long-cut.jsonl');
    copyFileSync(file, cut);
    truncateSync(cut, Math.floor(bytes * 0.7));
    const fd = openSync(cut, 'r');
    const tail = Buffer.alloc(1);
    readSync(fd, tail, 0, 1, Math.floor(bytes * 0.7) - 1);
    closeSync(fd);
    let cutCount = 0;
    const c = await readTraceFile(cut, () => cutCount++);
    expect(c.footer).toBeUndefined();
    expect(c.warnings[0]).toMatch(tail[0] === 10 ? /no end line after line \d+/ : /line \d+ is cut off mid-line/);
    expect(cutCount).toBeGreaterThan(count * 0.6);
    expect(cutCount).toBeLessThan(count * 0.75);
  });
});
