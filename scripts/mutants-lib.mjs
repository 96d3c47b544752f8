// Outside-bug mutants (testdata/mutants/<protocol>/<name>.json): the patch format and how a
// patch is applied. Used by scripts/mutants.mjs and by test/search/mutants.test.ts.
//
// A mutant file: { protocol, name, why, property, file, find, replace } or, for a change in
// several places, { protocol, name, why, property, edits: [{ file, find, replace }, ...] }.
// `file` is relative to the repository root; `find` must occur exactly once in it.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The edits of a mutant, one or many. Throws on a malformed file. */
export function mutantEdits(m) {
  const edits = m.edits ?? [{ file: m.file, find: m.find, replace: m.replace }];
  for (const e of edits) {
    if (typeof e.file !== 'string' || typeof e.find !== 'string' || typeof e.replace !== 'string' || e.find === '') {
      throw new Error(`mutant ${m.name}: every edit needs file, a non-empty find and replace (strings)`);
    }
  }
  return edits;
}

/** `text` with the single occurrence of `find` replaced; throws when it occurs 0 or 2+ times (the patch no longer applies). */
export function applyEdit(text, find, replace, where) {
  const first = text.indexOf(find);
  if (first < 0) throw new Error(`${where}: the text to replace is not in the file (the source changed: update the mutant)`);
  if (text.indexOf(find, first + 1) >= 0) throw new Error(`${where}: the text to replace occurs more than once (make find longer)`);
  return text.slice(0, first) + replace + text.slice(first + find.length);
}

/**
 * Apply a mutant's edits to the files under `root` through `read`/`write` (paths relative to root),
 * in order: a later edit of the same file sees the earlier ones. Returns the changed file names.
 */
export function applyMutant(m, read, write) {
  const files = new Map();
  for (const e of mutantEdits(m)) {
    const before = files.get(e.file) ?? read(e.file);
    files.set(e.file, applyEdit(before, e.find, e.replace, `mutant ${m.name}: ${e.file}`));
  }
  for (const [file, text] of files) write(file, text);
  return [...files.keys()];
}

/** Every mutant under `dir` (testdata/mutants), or of one protocol, sorted by protocol then name. */
export function loadMutants(dir, protocol) {
  const out = [];
  for (const p of readdirSync(dir).sort()) {
    if (protocol !== undefined && p !== protocol) continue;
    let names;
    try {
      names = readdirSync(join(dir, p)).filter((f) => f.endsWith('.json')).sort();
    } catch {
      continue;
    }
    for (const f of names) out.push(JSON.parse(readFileSync(join(dir, p, f), 'utf8')));
  }
  return out;
}
