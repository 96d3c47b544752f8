// Scenarios and protocols from anywhere, through the real binary: a scenario outside the
// repository naming a protocol module by path (relative to the scenario file), a fuzz campaign
// over it on worker threads with --bug, and the one-line errors for a syntax error (file:line:col,
// in the scenario or in the protocol module it names), a missing module and a module that is
// not a protocol.
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, ROOT } from '../cli-harness.ts';

const dir = mkdtempSync(join(tmpdir(), 'faultline-user-modules-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const write = (name: string, text: string): string => {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
};
const example = join(ROOT, 'examples/broadcast/protocol.ts');

describe('a protocol named by module path', () => {
  it('a scenario outside the repository runs a protocol named relative to it', async () => {
    const file = write('outside.json', JSON.stringify({ name: 'outside', description: 'd', protocol: relative(dir, example), config: { values: 10 }, duration: '2s' }));
    const r = await cli(['run', file, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ scenario: 'outside', held: true, violations: [] });
  });

  it('faultline fuzz --bug finds the planted bug of a protocol that is not built in, on worker threads', async () => {
    const file = write('fuzzme.json', JSON.stringify({ name: 'fuzzme', description: 'd', protocol: relative(dir, example), config: { values: 20 }, duration: '3s', network: { loss: 0.05 } }));
    const r = await cli(['fuzz', file, '--bug', 'noRetry', '--runs', '40', '--seed', '1', '--workers', '2', '--out', join(dir, 'out')]);
    expect(r.code, r.stderr).toBe(1);
    expect(`${r.stdout}${r.stderr}`).toMatch(/^FAIL +eventual-delivery at /m); // failure blocks on stderr, the summary on stdout
    const unknown = await cli(['fuzz', file, '--bug', 'nope', '--runs', '1']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe('faultline: --bug: unknown planted bug "nope" of ./examples/broadcast/protocol.ts; expected one of: noRetry\n');
  });
});

describe('a user protocol in a trace does not depend on where the project lives', () => {
  it('two copies of one project record the same header and hash; a trace replays after its project moves', async () => {
    const a = join(dir, 'clone-a');
    mkdirSync(join(a, 'scenarios'), { recursive: true });
    writeFileSync(join(a, 'package.json'), JSON.stringify({ name: 'clone', private: true, type: 'module' }));
    cpSync(example, join(a, 'src', 'protocol.ts'));
    writeFileSync(join(a, 'scenarios', 's.json'), JSON.stringify({ name: 's', description: 'd', protocol: '../src/protocol.ts', config: { values: 5 }, duration: '1s' }));
    const b = join(dir, 'clone-b', 'deeper');
    cpSync(a, b, { recursive: true });
    const runs = [];
    for (const p of [a, b]) {
      const r = await cli(['run', join(p, 'scenarios', 's.json'), '--json', '--trace', join(p, 'trace.jsonl')]);
      expect(r.code, r.stderr).toBe(0);
      runs.push(JSON.parse(r.stdout) as { hash: string });
    }
    expect(runs[0]!.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(runs[1]!.hash).toBe(runs[0]!.hash);
    const header = JSON.parse(readFileSync(join(b, 'trace.jsonl'), 'utf8').split('\n')[0]!) as { protocol: string };
    expect(header.protocol).toBe('./src/protocol.ts');
    // Move the second project: its trace still replays (the module is found from the trace's project).
    const moved = join(dir, 'moved');
    renameSync(b, moved);
    const replay = await cli(['replay', join(moved, 'trace.jsonl')]);
    expect(replay.code, replay.stderr).toBe(0);
    expect(replay.stdout).toMatch(/matches the recorded hash/);
    // A trace copied away from any project that has its module: one line saying where it looked.
    cpSync(join(moved, 'trace.jsonl'), join(dir, 'lost.jsonl'));
    const lost = await cli(['replay', join(dir, 'lost.jsonl')]);
    expect(lost.code).toBe(2);
    expect(lost.stderr).toMatch(new RegExp(`^faultline: ${esc(join(dir, 'lost.jsonl'))}: line 1: protocol: the trace's protocol module \\./src/protocol\\.ts is not in the project of [^\\n]+; pass --project [^\\n]+\\n$`));
  });
});

describe('one-line errors', () => {
  it('a syntax error in a TypeScript scenario: file:line:col: message', async () => {
    const file = write('broken.ts', "export default {\n  name: 'broken',\n  protocol: 'pingpong',,\n};\n");
    const r = await cli(['run', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^faultline: ${esc(file)}:3:\\d+: [^\\n]+\\n$`));
    expect(r.stderr).not.toMatch(/Transform failed/);
  });

  it('a syntax error in the protocol module a scenario names: that module\'s file:line:col', async () => {
    const proto = write('bad-proto.ts', 'export default {\n  name: "x" "y",\n};\n');
    const file = write('uses-bad.json', JSON.stringify({ name: 'uses-bad', description: 'd', protocol: './bad-proto.ts', duration: '1s' }));
    const r = await cli(['run', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^faultline: ${esc(proto)}:2:\\d+: [^\\n]+\\n$`));
  });

  it('a missing import inside a protocol module names the import, not the module', async () => {
    write('imports-missing.ts', "import { x } from './not-there.ts';\nexport default x;\n");
    const file = write('uses-imports-missing.json', JSON.stringify({ name: 'uses-imports-missing', description: 'd', protocol: './imports-missing.ts', duration: '1s' }));
    const r = await cli(['run', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not-there/);
    expect(r.stderr).not.toMatch(/no such protocol module/);
    expect(r.stderr.split('\n')).toHaveLength(2);
  });

  it('a missing module and a module that is not a protocol', async () => {
    const missing = write('missing.json', JSON.stringify({ name: 'missing', description: 'd', protocol: './nowhere.ts', duration: '1s' }));
    const r = await cli(['run', missing]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^faultline: ${esc(missing)}: protocol: no such protocol module ${esc(join(dir, 'nowhere.ts'))}; expected [^\\n]*pingpong[^\\n]*\\n$`));
    write('not-proto.ts', 'export default { hello: 1 };\n');
    const notProto = write('not-proto.json', JSON.stringify({ name: 'not-proto', description: 'd', protocol: './not-proto.ts', duration: '1s' }));
    const n = await cli(['run', notProto]);
    expect(n.code).toBe(2);
    expect(n.stderr).toBe(`faultline: ${notProto}: protocol: expected a module whose default export is defineProtocol({ name, description, configSchema, build })\n`);
  });
});

describe('type errors in a TypeScript scenario or the local modules it imports', () => {
  it('are one line with file:line:col, exit 2; --no-typecheck skips the check; a passing check is cached by content', async () => {
    const proj = join(dir, 'typed-project');
    mkdirSync(join(proj, 'node_modules'), { recursive: true });
    writeFileSync(join(proj, 'package.json'), JSON.stringify({ name: 'typed-project', private: true, type: 'module' }));
    writeFileSync(join(proj, 'nodes.ts'), 'export const nodes: number = 2;\n');
    const file = join(proj, 'scenario.ts');
    writeFileSync(file, "import { nodes } from './nodes.ts';\nconst inFlight: number = 'ten';\nexport default { name: 'scenario', description: 'd', protocol: 'pingpong', config: { nodes, inFlight }, duration: '50ms' };\n");
    // A type error whose value the schema also rejects: the schema's error comes first (it names the key).
    const r = await cli(['run', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^faultline: ${esc(file)}: config\\.inFlight: [^\\n]+\\n$`));
    const skipped = await cli(['run', file, '--no-typecheck']);
    expect(skipped.code).toBe(2);
    expect(skipped.stderr).toBe(r.stderr);
    // A type error the schema does not see: file:line:col.
    writeFileSync(file, "import { nodes } from './nodes.ts';\nconst label: number = 'ten';\nexport default { name: 'scenario', description: 'd', protocol: 'pingpong', config: { nodes }, duration: '50ms' };\n");
    const typeOnly = await cli(['run', file]);
    expect(typeOnly.code).toBe(2);
    expect(typeOnly.stderr).toBe(`faultline: ${file}:2:7: Type 'string' is not assignable to type 'number'.\n`);
    // Fixed: it runs, and the pass is remembered in the project's node_modules/.cache.
    writeFileSync(file, "import { nodes } from './nodes.ts';\nconst inFlight: number = 10;\nexport default { name: 'scenario', description: 'd', protocol: 'pingpong', config: { nodes, inFlight }, duration: '50ms' };\n");
    const ok = await cli(['run', file, '--json']);
    expect(ok.code, ok.stderr).toBe(0);
    const cacheDir = join(proj, 'node_modules', '.cache', 'faultline', 'typecheck');
    expect(readdirSync(cacheDir)).toHaveLength(1);
    // The cached pass covers the imported module too: breaking it (the scenario unchanged) is reported in that module.
    writeFileSync(join(proj, 'nodes.ts'), "export const nodes: number = 2;\nexport const other: number = 'two';\n");
    const imported = await cli(['run', file]);
    expect(imported.code).toBe(2);
    expect(imported.stderr).toBe(`faultline: ${join(proj, 'nodes.ts')}:2:14: Type 'string' is not assignable to type 'number'.\n`);
  });
});

describe('a TypeScript scenario outside any "type": "module" package (CommonJS to Node)', () => {
  it('loads with its type annotations, and its syntax error is one line with file:line:col', async () => {
    // The temporary folder has no package.json: Node takes a .ts file there for CommonJS, which the
    // ESM loader hook alone never transformed ("Missing initializer in const declaration").
    const file = write('typed.ts', "const n: number = 2;\ninterface Unused { a: number }\nexport default { name: 'typed', description: 'd', protocol: 'pingpong', config: { nodes: n, inFlight: 10 }, duration: '50ms' };\n");
    const r = await cli(['run', file, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ scenario: 'typed', held: true });
    const bad = write('typed-bad.ts', 'const n: number = ;\nexport default {};\n');
    const e = await cli(['run', bad]);
    expect(e.code).toBe(2);
    expect(e.stderr).toBe(`faultline: ${bad}:1:18: Unexpected ";"\n`);
  });
});

describe('replay and check of a user protocol trace from another working folder', () => {
  it('found from the trace folder; from a copy elsewhere, --project names the project, else one line says to pass it', async () => {
    const proj = join(dir, 'replay-project');
    mkdirSync(join(proj, 'scenarios'), { recursive: true });
    writeFileSync(join(proj, 'package.json'), JSON.stringify({ name: 'replay-project', private: true, type: 'module' }));
    cpSync(example, join(proj, 'src', 'protocol.ts'));
    writeFileSync(join(proj, 'scenarios', 's.json'), JSON.stringify({ name: 's', description: 'd', protocol: '../src/protocol.ts', config: { values: 5 }, duration: '1s' }));
    const trace = join(proj, 'traces', 't.jsonl');
    mkdirSync(join(proj, 'traces'));
    const run = await cli(['run', join(proj, 'scenarios', 's.json'), '--trace', trace]);
    expect(run.code, run.stderr).toBe(0);
    // Two other folders, neither in the project: one holds a copy of the trace, the other is the working folder.
    const away = mkdtempSync(join(tmpdir(), 'faultline-replay-away-'));
    const cwd = mkdtempSync(join(tmpdir(), 'faultline-replay-cwd-'));
    try {
      const copy = join(away, 't.jsonl');
      cpSync(trace, copy);
      const inPlace = await cli(['replay', trace], { cwd });
      expect(inPlace.code, inPlace.stderr).toBe(0);
      expect(inPlace.stdout).toMatch(/matches the recorded hash/);
      const lost = await cli(['replay', copy], { cwd });
      expect(lost.code).toBe(2);
      expect(lost.stderr).toMatch(new RegExp(`^faultline: ${esc(copy)}: line 1: protocol: the trace's protocol module \\./src/protocol\\.ts is not in the project of [^\\n]+; pass --project <folder of the project that recorded it> \\(or run from there\\)\\n$`));
      const withProject = await cli(['replay', copy, '--project', proj], { cwd });
      expect(withProject.code, withProject.stderr).toBe(0);
      expect(withProject.stdout).toMatch(/matches the recorded hash/);
      // check reads only the trace's history: it needs no protocol module, from any folder (broadcast's
      // operations fit no built-in model, so it asks for --model: about the history, not the module).
      const check = await cli(['check', copy], { cwd });
      expect(check.stderr).toMatch(/cannot tell the model from the operations \(broadcast\)/);
      expect(check.stderr).not.toMatch(/protocol module/);
    } finally {
      rmSync(away, { recursive: true, force: true });
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});
