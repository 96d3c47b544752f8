// The outside-bug mutants (testdata/mutants, run by scripts/mutants.mjs): every patch still applies
// to the current source exactly once, and applying one changes exactly its file. No fuzzing here
// (that takes minutes per mutant); this proves the patch format and that no mutant went stale.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
// @ts-expect-error a plain .mjs script module without type declarations
import { applyEdit, applyMutant, loadMutants, mutantEdits } from '../../scripts/mutants-lib.mjs';

interface Mutant {
  protocol: string;
  name: string;
  why: string;
  property: string;
}

const mutants = (loadMutants as (dir: string) => Mutant[])('testdata/mutants');

describe('outside-bug mutants (testdata/mutants)', () => {
  it('there are raft and twopc mutants, each saying why it is a bug and which property it breaks', () => {
    expect(mutants.filter((m) => m.protocol === 'raft').length).toBeGreaterThanOrEqual(10);
    expect(mutants.filter((m) => m.protocol === 'twopc').length).toBeGreaterThanOrEqual(6);
    for (const m of mutants) expect([m.name, m.why.length > 20, m.property.length > 3]).toEqual([m.name, true, true]);
  });

  it.each(mutants.map((m) => [`${m.protocol}/${m.name}`, m] as const))('%s applies to the current source exactly once and changes only its files', (_, m) => {
    const written = new Map<string, string>();
    const files = (applyMutant as (m: Mutant, read: (f: string) => string, write: (f: string, t: string) => void) => string[])(
      m,
      (f) => readFileSync(f, 'utf8'),
      (f, t) => written.set(f, t),
    );
    const edits = (mutantEdits as (m: Mutant) => { file: string }[])(m);
    expect(files.sort()).toEqual([...new Set(edits.map((e) => e.file))].sort());
    for (const [f, t] of written) expect(t).not.toBe(readFileSync(f, 'utf8'));
  });

  it('a patch whose text is missing or occurs twice is refused', () => {
    const edit = applyEdit as (text: string, find: string, replace: string, where: string) => string;
    expect(edit('a b c', 'b', 'B', 'x')).toBe('a B c');
    expect(() => edit('a b c', 'd', 'D', 'x')).toThrow(/not in the file/);
    expect(() => edit('b b', 'b', 'B', 'x')).toThrow(/more than once/);
  });
});
