// `faultline ring lookup` end to end: output format and order, agreement with
// the library (and, in ketama mode, with the npm hashring package), and bad
// files rejected with the file and line and nothing on stdout.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseKeys, parseServers } from '../../sim/cli/commands/ring.ts';
import { HashRing } from '../../sim/protocols/ring/ring.ts';
import { InputError } from '../../sim/scenario/errors.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const NpmHashRingCtor = createRequire(import.meta.url)('hashring') as new (servers: Record<string, number>) => { get(k: string): string };

function faultline(...args: string[]) {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/faultline.js'), ...args], { cwd: ROOT, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const dir = mkdtempSync(join(tmpdir(), 'faultline-ring-'));
function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

const SERVERS = { '10.0.1.1:11211': 600, '10.0.1.2:11211': 300, '10.0.1.3:11211': 200, '10.0.1.4:11211': 350 };
const servers = file('ketama.servers', `# memcached pool\n${Object.entries(SERVERS).map(([s, w]) => `${s}\t${w}`).join('\n')}\n\n`);
const KEYS = Array.from({ length: 3000 }, (_, i) => `user:${(i * 7919) % 10007}`);
const keys = file('keys.txt', KEYS.join('\n') + '\n');

function parse(stdout: string): [string, string][] {
  return stdout
    .trimEnd()
    .split('\n')
    .map((l) => l.split('\t') as [string, string]);
}

describe('faultline ring lookup', () => {
  it('ketama: key<TAB>server for every key, in the keys file order, as the npm hashring package places them', () => {
    const r = faultline('ring', 'lookup', '--mode', 'ketama', '--servers', servers, '--keys', keys);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const ref = new NpmHashRingCtor(SERVERS);
    expect(parse(r.stdout)).toEqual(KEYS.map((k) => [k, ref.get(k)]));
  });

  it('native and jump: the library\'s placement; --replicas prints the preference list', () => {
    const equal = file('equal.servers', 'a:1\nb:1\nc:1\nd:1\n');
    const native = new HashRing(['a:1', 'b:1', 'c:1', 'd:1']);
    const jump = new HashRing(['a:1', 'b:1', 'c:1', 'd:1'], { mode: 'jump' });
    expect(parse(faultline('ring', 'lookup', '--mode', 'jump', '--servers', equal, '--keys', keys).stdout)).toEqual(KEYS.map((k) => [k, jump.lookup(k)]));
    const lists = parse(faultline('ring', 'lookup', '--servers', equal, '--keys', keys, '--replicas', '3').stdout);
    expect(lists).toEqual(KEYS.map((k) => [k, native.preferenceList(k, 3).join(',')]));
    expect(lists.map(([, l]) => l.split(',')[0])).toEqual(KEYS.map((k) => native.lookup(k)));
  });

  it('a bad servers file: exit 2, one line naming the file and line, nothing on stdout', () => {
    const f = file('bad.servers', 'a:1\t2\n\nb:1\tmany\n');
    const r = faultline('ring', 'lookup', '--servers', f, '--keys', keys);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`faultline: ${f}: line 3: expected a positive number as the weight of b:1, got "many"\n`);
  });

  const describeError = (fn: () => unknown): string => {
    try {
      fn();
    } catch (err) {
      if (err instanceof InputError) return err.describe();
      throw err;
    }
    return 'no error';
  };

  it.each([
    ['a server listed twice', 'a:1\nb:1\na:1\t5\n', 'native', 'f: line 3: server a:1 is listed twice (first on line 1)'],
    ['a weight in jump mode', 'a:1\nb:1\t2\n', 'jump', 'f: line 2: jump mode has no weights; b:1 has weight 2'],
    ['a weight separated by spaces', 'a:1 600\n', 'ketama', 'f: line 1: expected "server" or "server<TAB>weight" (separate the weight with a tab), got "a:1 600"'],
    ['three fields', 'a:1\t1\t2\n', 'ketama', 'f: line 1: expected "server" or "server<TAB>weight", got 3 tab-separated fields'],
    ['a zero weight', '\r\na:1\t0\r\n', 'ketama', 'f: line 2: expected a positive number as the weight of a:1, got "0"'],
    ['no servers at all', '# nothing\n\n', 'native', 'f: expected at least one server'],
  ] as const)('a servers file with %s', (_what, text, mode, message) => {
    expect(describeError(() => parseServers(text, 'f', mode))).toBe(message);
  });

  it('comments, blank lines and CRLF are fine; a key with a tab is not', () => {
    expect(parseServers('# pool\r\n\r\na:1\t600\r\nb:1\r\n', 'f', 'ketama')).toEqual([{ id: 'a:1', weight: 600 }, { id: 'b:1', weight: 1 }]);
    expect(parseKeys('x\r\n\ny\n', 'k')).toEqual(['x', '', 'y']);
    expect(describeError(() => parseKeys('ok\nnot\tok\n', 'k'))).toBe('k: line 2: a key cannot contain a tab (the output is tab-separated)');
  });

  it('a missing file and an unknown mode', () => {
    const missing = join(dir, 'missing.txt');
    const r = faultline('ring', 'lookup', '--servers', servers, '--keys', missing);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`faultline: ${missing}: no such keys file\n`);
    expect(faultline('ring', 'lookup', '--mode', 'rendezvous', '--servers', servers, '--keys', keys).stderr).toBe('faultline: --mode: expected one of native, ketama, jump, got "rendezvous"\n');
  });
});
