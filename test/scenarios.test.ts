// Every scenario in scenarios/: its expectation holds, the same seed gives the
// same trace hash, and a different seed a different one (and different events
// wherever the world is random). Bad scenario files give an InputError naming
// the file and the path, and `faultline run` on them exits 2 without a stack
// trace. The determinism contract end to end:
// `faultline run X --trace a` twice gives byte-identical files.

import { mkdtempSync, readFileSync, rmSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, inProcess } from './cli-harness.ts';
import { loadAllScenarios, loadScenario } from '../sim/cli/scenarios.ts';
import { hashText, MemorySink } from '../sim/engine/trace.ts';
import { InputError } from '../sim/scenario/errors.ts';
import { prepareRun } from '../sim/scenario/resolve.ts';
import { runPrepared } from '../sim/scenario/run.ts';
import type { Scenario } from '../sim/scenario/schema.ts';

const BAD = join(import.meta.dirname, 'scenario-files');
const tmp = mkdtempSync(join(tmpdir(), 'faultline-scenarios-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));



/** The trace's events (header and footer left out), so that a seed's effect is seen beyond the header that names it. */
function eventLines(text: string): string {
  const lines = text.trimEnd().split('\n');
  return lines.slice(1, -1).join('\n');
}

/** Whether the engine draws random numbers for this scenario's world: latency, loss, duplication, corruption or a nemesis. */
function worldIsRandom(s: Scenario): boolean {
  const random = (l: Partial<Scenario['network']>): boolean =>
    (l.latency !== undefined && l.latency.kind !== 'constant') || (l.loss ?? 0) > 0 || (l.duplicate ?? 0) > 0;
  return random(s.network) || s.network.links.some(random) || s.faults.nemesis !== undefined || s.disk.corruptOnCrash > 0;
}

const all = await loadAllScenarios();

describe('scenarios/', () => {
  it('has scenarios, each named like its file', () => {
    expect(all.length).toBeGreaterThan(0);
    for (const { file, scenario } of all) expect(scenario.name).toBe(basename(file).replace(/\.(ts|json)$/, ''));
  });

  it.each(all.map((s) => [s.scenario.name, s] as const))('%s: meets its expectation; same seed, same hash; other seed, other events', (_name, { file, scenario }) => {
    const sink = new MemorySink();
    const first = runPrepared(prepareRun(scenario, { file }), { trace: sink });
    expect(first.expectation.held, first.expectation.explanation).toBe(true);
    const text = sink.text();
    // The footer hash is the SHA-256 of every byte before it.
    expect(hashText(text.slice(0, text.trimEnd().lastIndexOf('\n') + 1))).toBe(first.hash);
    const again = runPrepared(prepareRun(scenario, { file }), { hash: true });
    expect(again.hash).toBe(first.hash);
    expect(again.stats).toEqual(first.stats);
    const other = new MemorySink();
    const second = runPrepared(prepareRun(scenario, { file, seed: `${String(scenario.seed)}-other` }), { trace: other });
    expect(second.hash).not.toBe(first.hash);
    // The header names the seed, so the hash alone always differs. Where the world itself is random, the events must differ too;
    // a scenario on a deterministic network (step-by-step reproductions of a paper's figure) may legitimately ignore its seed.
    if (worldIsRandom(scenario)) {
      expect(eventLines(other.text()), 'the seed changes no event although the network or the nemesis is random').not.toBe(eventLines(text));
    }
  });
});

async function inputError(file: string): Promise<InputError> {
  try {
    const loaded = await loadScenario(file);
    prepareRun(loaded.scenario, { file: loaded.file });
  } catch (err) {
    if (err instanceof InputError) return err;
    throw err;
  }
  throw new Error(`${file} loaded without an error`);
}

describe('bad scenario files', () => {
  const cases: [string, string, RegExp][] = [
    ['bad-json.json', 'line 6, column 1', /not valid JSON/],
    ['deep-type.json', 'network.links[0].latency.max', /./],
    ['unknown-node.json', 'faults.timeline[1].groups[1][0]', /unknown node "n9"; this cluster has: n1, n2, n3/],
    ['unknown-protocol.json', 'protocol', /unknown protocol "paxos-made-simpler"; expected one of: .*pingpong/],
    ['bad-config.ts', 'config.nodes', /expected a number/],
    ['bad-fault-kind.json', 'faults.timeline[0].kind', /crash/],
  ];

  it('covers every fixture', () => {
    expect(readdirSync(BAD).sort()).toEqual(cases.map((c) => c[0]).sort());
  });

  it.each(cases)('%s: InputError naming the file and %s', async (name, where, message) => {
    const file = join(BAD, name);
    const e = await inputError(file);
    expect(e.file).toBe(file);
    expect(e.where).toBe(where);
    expect(e.message).toMatch(message);
  });

  it('faultline run exits 2 with one line naming file and path, no stack trace, no trace file', async () => {
    // Two as real processes (exit status, stderr, no stack); the rest through main() in this process, the same code path for less time.
    const results = [];
    for (const [i, [name, where]] of cases.entries()) {
      const trace = join(tmp, `${name}.jsonl`);
      const args = ['run', join('test', 'scenario-files', name), '--trace', trace];
      results.push({ name, where, trace, r: i < 2 ? await cli(args) : await inProcess(args) });
    }
    for (const { name, where, trace, r } of results) {
      expect(r.code, name).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain(`faultline: test/scenario-files/${name}: ${where}: `);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(existsSync(trace)).toBe(false);
    }
    expect(readdirSync(tmp).filter((f) => f.includes('.partial-'))).toEqual([]);
  });
});

describe('determinism through the CLI', () => {
  it('faultline run X --trace a, twice, gives byte-identical files whose footer hash is the hash of the bytes before it', async () => {
    const name = all.find((s) => s.scenario.name === 'default') ? 'default' : all[0]!.scenario.name;
    const a = join(tmp, 'a.jsonl');
    const b = join(tmp, 'b.jsonl');
    const [ra, rb] = await Promise.all([cli(['run', name, '--trace', a, '--json']), cli(['run', name, '--trace', b, '--json'])]);
    expect([ra.code, rb.code]).toEqual([0, 0]);
    const ta = readFileSync(a);
    expect(ta.equals(readFileSync(b))).toBe(true);
    const text = ta.toString('utf8');
    const footer = JSON.parse(text.trimEnd().split('\n').at(-1)!) as { hash: string };
    expect(hashText(text.slice(0, text.trimEnd().lastIndexOf('\n') + 1))).toBe(footer.hash);
    expect(JSON.parse(ra.stdout).hash).toBe(footer.hash);
  });
});
