// Whole-scenario checks and the scenario file loader: overlapping partition
// groups are an error; a fault after the end and a name other than the file's
// are warnings (printed by the loader); a byte-order mark is dropped; invalid
// UTF-8, unreadable files and JSON syntax errors are one line naming the place.

import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { loadScenario } from '../../sim/cli/scenarios.ts';
import { scenarioWarnings } from '../../sim/scenario/checks.ts';
import { InputError } from '../../sim/scenario/errors.ts';
import { parseScenario, prepareRun } from '../../sim/scenario/resolve.ts';
import { cli, inProcess } from '../cli-harness.ts';

const base = { name: 'x', description: 'd', protocol: 'pingpong', duration: '1s', config: { nodes: 4, inFlight: 4 } };
const dir = mkdtempSync(join(tmpdir(), 'faultline-checks-'));
function file(name: string, content: string | Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}

async function loadError(path: string): Promise<string> {
  try {
    await loadScenario(path, { quiet: true });
  } catch (e) {
    if (e instanceof InputError) return e.describe();
    throw e;
  }
  return 'loaded';
}

describe('partition groups', () => {
  it.each([
    [[['n1', 'n2'], ['n2', 'n3']], 'f: faults.timeline[0].groups[1][0]: overlapping partition groups: "n2" is in group 0 and in group 1; a node belongs to at most one group'],
    [[['n1', 'n1'], ['n3']], 'f: faults.timeline[0].groups[0][1]: overlapping partition groups: "n1" is listed twice in group 0; a node belongs to at most one group'],
  ])('%j is an error', (groups, message) => {
    expect(() => parseScenario({ ...base, faults: { timeline: [{ at: '10ms', kind: 'partition', groups }] } }, 'f')).toThrow(InputError);
    try {
      parseScenario({ ...base, faults: { timeline: [{ at: '10ms', kind: 'partition', groups }] } }, 'f');
    } catch (e) {
      expect((e as InputError).describe()).toBe(message);
    }
  });

  it('a node that does not exist, in a fault, a clock, a link or the nemesis targets: exit 2 naming it and the place', () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ faults: { timeline: [{ at: '10ms', kind: 'crash', node: 'n9' }] } }, 'f: faults.timeline[0].node: unknown node "n9"; this cluster has: n1, n2, n3, n4'],
      [{ clocks: { n7: { offset: '5ms' } } }, 'f: clocks.n7: unknown node "n7"'],
      [{ network: { links: [{ from: 'n1', to: 'x', loss: 1 }] } }, 'f: network.links[0].to: unknown node "x"'],
      [{ faults: { nemesis: { targets: ['n1', 'n5'] } } }, 'f: faults.nemesis.targets[1]: unknown node "n5"'],
      [{ faults: { nemesis: { targets: ['n1', 'n2', 'n1'] } } }, 'f: faults.nemesis.targets[2]: "n1" is listed twice (also at targets[0]); list each node once'],
    ];
    for (const [extra, message] of cases) {
      try {
        prepareRun(parseScenario({ ...base, ...extra }, 'f'), { file: 'f' });
        throw new Error(`accepted: ${JSON.stringify(extra)}`);
      } catch (e) {
        expect(e).toBeInstanceOf(InputError);
        expect((e as InputError).describe()).toContain(message);
      }
    }
  });

  it('disjoint groups are fine', () => {
    expect(parseScenario({ ...base, faults: { timeline: [{ at: '10ms', kind: 'partition', groups: [['n1', 'n2'], ['n3', 'n4']] }] } }).faults.timeline).toHaveLength(1);
  });
});

describe('nemesis rates', () => {
  it('a rate that would expand into more than a million faults of a kind is an error naming it', () => {
    const nemesis = { until: '300s', crash: { rate: 1e300, downtime: { min: '1ms', max: '2ms' } } };
    expect(() => parseScenario({ ...base, duration: '400s', faults: { nemesis } }, 'f')).toThrow(/^1e\+300 crash faults a second over 300s is about 3.00e\+302; at most 1000000 of a kind per run$/);
    expect(parseScenario({ ...base, duration: '400s', faults: { nemesis: { ...nemesis, crash: { ...nemesis.crash, rate: 3000 } } } }).faults.nemesis?.crash?.rate).toBe(3000);
  });
});

describe('warnings: legal but almost certainly a mistake', () => {
  it('a fault after the run ends (one exactly at the end still fires, so it is fine)', () => {
    const s = parseScenario({ ...base, faults: { timeline: [{ at: '1s', kind: 'heal' }, { at: '1500ms', kind: 'crash', node: 'n1' }] } });
    expect(scenarioWarnings(s)).toEqual([{ where: 'faults.timeline[1].at', message: 'this crash at 1.5s is after the run ends (duration 1s), so it never happens' }]);
  });

  it('a name other than the file name; the same name (a fuzzer-shrunk "<scenario>-<seed>" file) is fine', () => {
    const s = parseScenario({ ...base, name: 'raft-basic-42' });
    expect(scenarioWarnings(s, 'out/raft-basic-42.json')).toEqual([]);
    expect(scenarioWarnings(s, 'C:\\out\\raft-basic-42.ts')).toEqual([]);
    expect(scenarioWarnings(s, 'out/other.json')).toEqual([{ where: 'name', message: 'the name "raft-basic-42" differs from the file name "other"; traces and reports will say "raft-basic-42"' }]);
  });

  it('the CLI prints them as one-line warnings and runs the scenario (exit 0)', async () => {
    const f = file('mismatch.json', JSON.stringify({ ...base, name: 'other', duration: '50ms', faults: { timeline: [{ at: '2s', kind: 'heal' }] } }));
    const r = await inProcess(['run', f]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(
      `faultline: warning: ${f}: name: the name "other" differs from the file name "mismatch"; traces and reports will say "other"\n` +
        `faultline: warning: ${f}: faults.timeline[0].at: this heal at 2s is after the run ends (duration 50ms), so it never happens\n`,
    );
  });
});

describe('reading scenario files', () => {
  it('a JSON file starting with a UTF-8 byte-order mark is read as if it had none', async () => {
    const f = file('bom.json', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify({ ...base, name: 'bom' }))]));
    expect((await loadScenario(f)).scenario.name).toBe('bom');
  });

  it('a TypeScript module starting with a byte-order mark loads too', async () => {
    const f = file('bom-module.ts', `\ufeffexport default ${JSON.stringify({ ...base, name: 'bom-module' })};\n`);
    expect((await loadScenario(f)).scenario.name).toBe('bom-module');
  });

  it.each([
    ['bad-utf8.json', Buffer.from('{"name": "caf\xe9"}', 'latin1'), ': line 1: not valid UTF-8: byte 0xe9 at offset 13'],
    ['truncated-utf8.json', Buffer.from([0x7b, 0x0a, 0x22, 0xe2, 0x82]), ': line 2: not valid UTF-8: byte 0xe2 at offset 3'],
    ['syntax.json', '{\n  "name": "x",\n  "description": }', ': line 3, column 18: not valid JSON: Unexpected token \'}\''],
    ['trailing.json', '{"name": "x"}\nmore', ': line 2, column 1: not valid JSON: Unexpected non-whitespace character'],
    ['empty.json', '', ': line 1, column 1: not valid JSON: Unexpected end of JSON input'],
    ['control.json', '{"name": "a\u0001b"}', ': line 1, column 10: not valid JSON: Bad control character in string literal'],
  ])('%s: one line naming the file and the place', async (name, content, expected) => {
    const f = file(name, content);
    expect(await loadError(f)).toBe(`${f}${expected}`);
  });

  it('a directory and an unknown extension', async () => {
    const d = join(dir, 'folder.json');
    mkdirSync(d);
    expect(await loadError(d)).toBe(`${d}: expected a scenario file, got a directory`);
    expect(await loadError(file('s.yaml', 'name: x'))).toBe(`${join(dir, 's.yaml')}: expected a scenario file ending in .ts or .json`);
  });

  it('faultline run: a TypeScript scenario outside the repository loads; a syntax error names its line and column', async () => {
    const ok = file('outside.ts', `export default ${JSON.stringify({ ...base, name: 'outside', duration: '20ms' })};\n`);
    const good = await cli(['run', ok]);
    expect(good.stderr).toBe('');
    expect(good.code).toBe(0);
    expect(good.stdout).toContain('scenario    outside (pingpong)');
    const bad = file('syntax.ts', "export default { name: 'x',\n  description: 'd' protocol: 'pingpong' };\n");
    const r = await cli(['run', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`faultline: ${bad}:2:19: Expected "}" but found "protocol"\n`);
  });

  it('a module whose export throws when read is bad input, not a crash', async () => {
    const f = file('getter.ts', 'export default { get name(): string { throw new Error("boom"); } };\n');
    expect(await loadError(f)).toBe(`${f}: could not read the scenario: boom`);
  });

  it('warnings go to stderr unless quiet', async () => {
    const f = file('late.json', JSON.stringify({ ...base, name: 'late', faults: { timeline: [{ at: '5s', kind: 'heal' }] } }));
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect((await loadScenario(f, { quiet: true })).warnings).toHaveLength(1);
      expect(spy).not.toHaveBeenCalled();
      await loadScenario(f);
      expect(spy).toHaveBeenCalledWith(`faultline: warning: ${f}: faults.timeline[0].at: this heal at 5s is after the run ends (duration 1s), so it never happens\n`);
    } finally {
      spy.mockRestore();
    }
  });
});
