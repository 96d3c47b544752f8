// Every history in testdata/linearizability gets exactly the verdict
// its README lists. The expectations are read from the README itself, and every
// file in the folders must be covered by it.

import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkHistory, models, parseEtcd, parseKv } from '../../sim/check/linearizability/index.ts';

const DIR = fileURLToPath(new URL('../../testdata/linearizability/', import.meta.url));
const readme = readFileSync(`${DIR}README.md`, 'utf8');

/** "Expected: linearizable — 002, 005; NOT linearizable — 000, 001." */
function etcdExpectations(): Map<string, boolean> {
  const m = /Expected: linearizable\s*[—-]+\s*([\d,\s]+);\s*NOT linearizable\s*[—-]+\s*([\d,\s]+)\./.exec(readme);
  if (!m) throw new Error('README: cannot find the etcd expectations line');
  const out = new Map<string, boolean>();
  for (const [list, verdict] of [[m[1]!, true], [m[2]!, false]] as const)
    for (const n of list.split(',').map((s) => s.trim()).filter(Boolean)) out.set(`etcd_${n}.log`, verdict);
  return out;
}

describe('shared etcd histories (Jepsen, etcd 2.0, one register)', () => {
  const expected = etcdExpectations();
  const files = readdirSync(`${DIR}etcd`).sort();

  it('the README covers every file, and lists both verdicts', () => {
    expect([...expected.keys()].sort()).toEqual(files);
    expect(new Set(expected.values())).toEqual(new Set([true, false]));
  });

  for (const file of files) {
    it(`${file} is ${expected.get(file) ? '' : 'NOT '}linearizable`, () => {
      const parsed = parseEtcd(readFileSync(`${DIR}etcd/${file}`, 'utf8'), file);
      const r = checkHistory(parsed.history, models.register);
      expect(r.verdict).toBe(expected.get(file) ? 'linearizable' : 'not-linearizable');
      if (!r.linearizable) {
        // The explanation's stuck operation is a definite one (an unknown one can always be left out).
        expect(r.failure!.stuck.outcome).not.toBe('unknown');
        expect(r.failure!.prefix.length).toBeLessThan(r.operations);
      }
    });
  }
});

describe('shared key-value histories (*-ok linearizable, *-bad not)', () => {
  expect(readme).toMatch(/`\*-ok` linearizable, `\*-bad` not linearizable/);
  const files = readdirSync(`${DIR}kv`).sort();

  it('has both kinds', () => {
    expect(files.some((f) => f.endsWith('-ok.txt')) && files.some((f) => f.endsWith('-bad.txt'))).toBe(true);
  });

  for (const file of files) {
    const ok = /-ok\.txt$/.test(file);
    it(`${file} is ${ok ? '' : 'NOT '}linearizable`, () => {
      const parsed = parseKv(readFileSync(`${DIR}kv/${file}`, 'utf8'), file);
      const r = checkHistory(parsed.history, models.kv);
      expect(r.verdict).toBe(ok ? 'linearizable' : 'not-linearizable');
      if (ok) expect(r.checked).toBe(r.partitions);
      else expect(r.failure!.partition).toMatch(/^\d$/);
    });
  }
});
