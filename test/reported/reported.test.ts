// Every reported input (see README.md beside this file) with its command and the
// right result: bad input is exit 2 with one line naming the file and the place,
// never a hang, a stack trace or a protocol violation.

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, ROOT, cli, inProcess } from '../cli-harness.ts';

interface NpmHashRing {
  ring: { value: number; server: string }[];
  get(key: string): string;
}
const NpmHashRing = createRequire(import.meta.url)('hashring') as new (servers: Record<string, number>) => NpmHashRing;

const DIR = 'test/reported/';
const at = (f: string): string => join(DIR, f);

/** stderr is only "faultline: ..." lines: no stack trace, one line per message. */
function oneLineErrors(stderr: string): string[] {
  const lines = stderr.split('\n').filter((l) => l !== '');
  for (const l of lines) expect(l).toMatch(/^faultline: /);
  return lines.filter((l) => !l.startsWith('faultline: warning: '));
}

describe('reported inputs: faultline run F exits 2 naming the file, the field and what was expected', () => {
  it.each([
    ['H1-raft-heartbeat-zero-hang.json', 'config.heartbeat: expected a positive duration'],
    ['H1b-lock-keepalive-zero-hang.json', 'config.keepAlive: expected a positive duration'],
    ['H1c-twopc-retry-zero-hang.json', 'config.retryInterval: expected a positive duration'],
    ['H2-duration-number-1e300.json', 'duration: duration out of range: 1e+300 is more than 365 days'],
    ['H4-overlapping-partition-groups-accepted.json', 'faults.timeline[0].groups[1][0]: overlapping partition groups: "n2" is in group 0 and in group 1'],
    ['R6-election-timeout-zero-reported-as-violation.json', 'config.electionTimeout.min: the election timeout (min 0us) must be longer than the heartbeat (50ms)'],
    ['R7-preload-unknown-node-silently-ignored.json', 'config.preload.n7: no server "n7"; this cluster has n1, n2, n3'],
    ['R7b-electionTimeoutOf-unknown-node-silently-ignored.json', 'config.electionTimeoutOf.n7: no server "n7"; this cluster has n1, n2, n3'],
    ['G5-ring-ketama-heavy-join-reported-as-violation.json', 'config.changes[0].weight: after this change n1, n2, n3 get no points on the ketama continuum'],
  ])('%s', async (file, expected) => {
    const r = await inProcess(['run', at(file)]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const errors = oneLineErrors(r.stderr);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(`faultline: ${at(file)}: ${expected}`);
  });

  it('the same in a real process: exit 2, one line, no stack trace (H1, whose run used to hang)', async () => {
    const r = await cli(['run', at('H1-raft-heartbeat-zero-hang.json')]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(oneLineErrors(r.stderr)).toEqual([`faultline: ${at('H1-raft-heartbeat-zero-hang.json')}: config.heartbeat: expected a positive duration: a timer re-armed with 0 fires forever at the same instant (got 0)`]);
  });
});

describe('reported inputs: faultline ring lookup --mode ketama', () => {
  const keys = at('G3-G4-one-key.keys');

  it('G3: a server whose weight rounds to zero points: exit 2 with --replicas 2, naming the line', async () => {
    const servers = at('G3-ketama-zero-point-member.servers');
    const r = await inProcess(['ring', 'lookup', '--mode', 'ketama', '--servers', servers, '--keys', keys, '--replicas', '2']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(oneLineErrors(r.stderr)).toEqual([
      `faultline: ${servers}: line 1: --replicas 2 needs 2 servers with points on the ketama continuum, but only 1 of 2 have any: mc1:11211 gets none (floor(1 / 101 x 40 x 2) = 0 digests); raise its weight or lower the others`,
    ]);
  });

  it('G3 without --replicas: as libketama, the zero-point server owns no key, and a warning says so', async () => {
    const servers = at('G3-ketama-zero-point-member.servers');
    const r = await cli(['ring', 'lookup', '--mode', 'ketama', '--servers', servers, '--keys', keys]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('session:42\tmc2:11211\n');
    expect(r.stderr).toBe(`faultline: warning: ${servers}: line 1: server mc1:11211 gets no points on the ketama continuum (floor(1 / 101 x 40 x 2) = 0 digests), so no key maps to it (as in libketama)\n`);
  });

  it('G4: weights whose sum overflows: exit 2 naming the file and line (with and without --replicas)', async () => {
    const servers = at('G4-ketama-weight-overflow.servers');
    for (const extra of [[], ['--replicas', '2']]) {
      const r = await inProcess(['ring', 'lookup', '--mode', 'ketama', '--servers', servers, '--keys', keys, ...extra]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(oneLineErrors(r.stderr)).toEqual([`faultline: ${servers}: line 1: the weight of a is too large: 1e308 is above 2^53 - 1 (9007199254740991)`]);
    }
  });

  it('G6: a Latin-1 key is hashed as its raw bytes (md5 of the bytes, as libketama) and printed back byte for byte', () => {
    const servers = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`10.0.0.${i + 1}:11211`, 1]));
    const dir = mkdtempSync(join(tmpdir(), 'faultline-g6-'));
    const sfile = join(dir, 'equal.servers');
    writeFileSync(sfile, Object.keys(servers).join('\n') + '\n');
    const kfile = at('G6-latin1-key.keys');
    const raw = readFileSync(kfile).subarray(0, -1); // "caf\xe9", without the newline
    const r = spawnSync(process.execPath, [BIN, 'ring', 'lookup', '--mode', 'ketama', '--servers', sfile, '--keys', kfile], { cwd: ROOT });
    expect(r.status).toBe(0);
    expect(r.stderr.toString()).toBe('');
    // Reference: the npm hashring package's continuum (libketama's), searched for md5(raw bytes) from node:crypto.
    const ref = new NpmHashRing(servers);
    const h = createHash('md5').update(raw).digest().readUInt32LE(0);
    const owner = (ref.ring.find((p) => p.value >= h) ?? ref.ring[0]!).server;
    expect(r.stdout).toEqual(Buffer.concat([raw, Buffer.from(`\t${owner}\n`)]));
    // What it used to hash (the text with U+FFFD) lands elsewhere on this ring, so the test tells the two apart.
    expect(ref.get('caf\ufffd')).not.toBe(owner);
  });
});
