// CLI output defects found before, each fixed in kind: output piped into a reader that stops
// early ends quietly, and `list --json` prints one JSON document (as every other --json).
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BIN, ROOT } from '../cli-harness.ts';

describe('faultline output', () => {
  it('piped into a reader that stops early (head -1): exits 0 without an EPIPE error', () => {
    // The exit status of a pipe's first command is lost in sh: its stderr must stay empty.
    const r = spawnSync('sh', ['-c', `node ${JSON.stringify(BIN)} list | head -1`], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, FAULTLINE_SOURCES: '1' } });
    expect(r.stdout.split('\n').filter((l) => l !== '')).toHaveLength(1);
    expect(r.stderr).not.toMatch(/EPIPE|Unhandled/);
  });

  it('list --json is one JSON document with the scenarios and the protocols', () => {
    const r = spawnSync(process.execPath, [BIN, 'list', '--json'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, FAULTLINE_SOURCES: '1' } });
    expect(r.status, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { scenarios: { name: string; protocol: string }[]; protocols: string[] };
    expect(doc.scenarios.length).toBeGreaterThan(10);
    expect(doc.scenarios.map((s) => s.name)).toContain('raft-leader-crash');
    expect(doc.protocols).toContain('raft');
  });
});
