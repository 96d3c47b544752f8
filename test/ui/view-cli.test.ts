// `faultline view`: checks the trace in the terminal first (a broken file is
// reported with its line and exit code 2, and nothing is served), then serves
// the viewer and the trace on localhost and prints the URL.

import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../sim/cli/commands/view.ts';
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

  it('--chrome writes the Chrome trace event export and exits', () => {
    const file = join(dir, 'for-chrome.jsonl');
    writeFileSync(file, raftTrace());
    const out = join(dir, 'raft.chrome.json');
    const r = spawnSync(process.execPath, [BIN, 'view', file, '--chrome', out], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`wrote ${out}`);
    const json = JSON.parse(readFileSync(out, 'utf8')) as { traceEvents: { ph: string; name: string }[] };
    expect(json.traceEvents.filter((e) => e.ph === 's').length).toBe(4);
    const bad = spawnSync(process.execPath, [BIN, 'view', file, '--chrome', join(dir, 'no', 'such', 'dir', 'x.json')], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe(`faultline: ${join(dir, 'no', 'such', 'dir', 'x.json')}: cannot write the export (ENOENT)\n`);
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
      expect((await fetch(new URL('../../etc/passwd', url))).status).toBe(404);
      expect((await fetch(new URL('/%2e%2e/%2e%2e/package.json', url))).status).toBe(404);
    } finally {
      child.kill('SIGTERM');
    }
  });
});
