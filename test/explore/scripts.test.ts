// Data-driven protocol tests (sim/explore/script.ts): every script in
// test/explore/testdata/ runs through the stepping engine and must print
// exactly the output written under each command. To regenerate the expected
// output after a deliberate change, run
//   REWRITE=1 npx vitest run test/explore/scripts.test.ts
// and review the diff (as etcd's datadriven -rewrite).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseScript, runScript } from '../../sim/explore/script.ts';

const DIR = join(import.meta.dirname, 'testdata');
const files = readdirSync(DIR).filter((f) => f.endsWith('.txt')).sort();

describe('data-driven scripts', () => {
  it.each(files)('%s', (file) => {
    const path = join(DIR, file);
    const text = readFileSync(path, 'utf8');
    const actual = runScript(text);
    if (process.env.REWRITE) writeFileSync(path, actual);
    else expect(actual).toBe(text);
  });

  it('the parser reports a command without its ---- line', () => {
    expect(() => parseScript('init raft {}\nstate\n')).toThrow(/line 1: expected "----" after the command "init raft \{\}"/);
  });

  it('a wrong expectation fails: the output differs from the file', () => {
    const text = 'init raft {"servers":3,"clients":0}\n----\nnodes n1(server)\n';
    expect(runScript(text)).not.toBe(text);
  });
});
