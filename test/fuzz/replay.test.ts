import { describe, expect, it, vi } from 'vitest';
import { MemorySink } from '../../sim/engine/trace.ts';
import fc from 'fast-check';
import { GEN_FAULT_KINDS, fuzzCaseArb } from '../../sim/fuzz/arbitraries.ts';
import { caseScenario, fuzz, runScenario } from '../../sim/fuzz/fuzz.ts';
import { replayTrace } from '../../sim/fuzz/replay.ts';
import { InputError } from '../../sim/scenario/errors.ts';
import { parseScenario, prepareRun } from '../../sim/scenario/resolve.ts';
import { runPrepared } from '../../sim/scenario/run.ts';
import type { ScenarioInput } from '../../sim/scenario/schema.ts';

vi.mock('../../sim/protocols/registry.ts', async (orig) => (await import('./with-counter.ts')).withCounter(orig));

const PINGPONG: ScenarioInput = {
  name: 'replay-pp',
  description: 'pingpong with every kind of trouble',
  protocol: 'pingpong',
  config: { nodes: 4, inFlight: 12 },
  seed: 'abc',
  duration: '400ms',
  network: { loss: 0.05, duplicate: 0.05 },
  faults: {
    timeline: [
      { at: '50ms', kind: 'partition', groups: [['n1'], ['n2', 'n3', 'n4']] },
      { at: '120ms', kind: 'heal' },
      { at: '150ms', kind: 'crash', node: 'n2' },
      { at: '200ms', kind: 'restart', node: 'n2' },
    ],
    nemesis: { pause: { rate: 20, duration: { min: '5ms', max: '20ms' } }, clock: { rate: 10, maxOffset: '10ms', maxDrift: 0.01 } },
  },
};

function traceOf(input: ScenarioInput): string {
  const sink = new MemorySink();
  runPrepared(prepareRun(parseScenario(input)), { trace: sink });
  return sink.text();
}

function inputError(fn: () => unknown): InputError {
  try {
    fn();
  } catch (err) {
    if (err instanceof InputError) return err;
    throw err;
  }
  throw new Error('expected an InputError');
}

describe('replayTrace', () => {
  it('replays a trace exactly, nemesis included', () => {
    const text = traceOf(PINGPONG);
    const r = replayTrace(text, 'pp.jsonl');
    expect(r.identical).toBe(true);
    expect(r.difference).toBeUndefined();
    expect(r.replayedHash).toBe(r.recordedHash);
    expect(r.recordedHash).toBe(JSON.parse(text.trimEnd().split('\n').at(-1)!).hash);
    expect(r.seed).toBe('abc');
  });

  it('names the first differing line of an edited trace, even when the footer hash was left alone', () => {
    const lines = traceOf(PINGPONG).split('\n');
    const i = lines.findIndex((l) => l.includes('"type":"crash"'));
    lines[i] = lines[i]!.replace('"node":"n2"', '"node":"n3"');
    const r = replayTrace(lines.join('\n'), 'pp.jsonl');
    expect(r.identical).toBe(false);
    expect(r.replayedHash).toBe(r.recordedHash);
    expect(r.difference).toMatchObject({ line: i + 1, what: `event #${i - 1}` });
    expect(r.difference?.recorded).toContain('"node":"n3"');
    expect(r.difference?.replayed).toContain('"node":"n2"');
  });

  it('detects a header whose scenario was changed: the replay follows the header and differs from the events', () => {
    const lines = traceOf(PINGPONG).split('\n');
    lines[0] = lines[0]!.replace('"inFlight":12', '"inFlight":13');
    const r = replayTrace(lines.join('\n'));
    expect(r.identical).toBe(false);
    expect(r.replayedHash).not.toBe(r.recordedHash);
    expect(r.difference!.line).toBeGreaterThan(1);
  });

  it("detects a header timeline that is not the one its scenario expands to (line 1)", () => {
    const lines = traceOf(PINGPONG).split('\n');
    const header = JSON.parse(lines[0]!);
    header.timeline = header.timeline.slice(1);
    lines[0] = JSON.stringify(header);
    const r = replayTrace(lines.join('\n'));
    expect(r.identical).toBe(false);
    expect(r.difference).toMatchObject({ line: 1, what: 'header' });
  });

  it('rejects a truncated trace, naming the file and the last line', () => {
    const text = traceOf(PINGPONG);
    const lines = text.trimEnd().split('\n');
    const noFooter = lines.slice(0, -1).join('\n') + '\n';
    const e1 = inputError(() => replayTrace(noFooter, 't.jsonl'));
    expect(e1.file).toBe('t.jsonl');
    expect(e1.where).toBe(`line ${lines.length - 1}`);
    expect(e1.message).toMatch(/truncated/);
    const cut = text.slice(0, text.length - 40);
    const e2 = inputError(() => replayTrace(cut, 't.jsonl'));
    expect(e2.where).toBe(`line ${lines.length}`);
    expect(e2.message).toMatch(/cut off mid-line/);
  });

  it('rejects malformed traces with the line', () => {
    expect(inputError(() => replayTrace('', 'e.jsonl')).message).toMatch(/empty/);
    expect(inputError(() => replayTrace('not json\n', 'g.jsonl')).where).toBe('line 1');
    const lines = traceOf(PINGPONG).split('\n');
    lines[3] = '{"seq":2,';
    expect(inputError(() => replayTrace(lines.join('\n'), 'm.jsonl')).where).toBe('line 4');
  });

  it("rejects a header whose scenario is invalid, with the path inside the header's config", () => {
    const lines = traceOf(PINGPONG).split('\n');
    lines[0] = lines[0]!.replace('"nodes":4', '"nodes":"four"');
    const e = inputError(() => replayTrace(lines.join('\n'), 'h.jsonl'));
    expect(e.file).toBe('h.jsonl');
    expect(e.where).toBe('line 1: config.config.nodes');
  });

  it('replays the trace of a shrunk fuzz failure, with its violation', () => {
    const base = parseScenario({ name: 'counter-replay', description: 'x', protocol: 'counter', config: { bugs: { ackBeforeFsync: true } }, duration: '2s' });
    const f = fuzz({ scenario: base, runs: 200 }).failures[0]!;
    const sink = new MemorySink();
    runPrepared(prepareRun(f.scenario), { trace: sink });
    const r = replayTrace(sink.text(), f.tracePath);
    expect(r.identical).toBe(true);
    expect(r.violations[0]).toEqual(f.violation);
  });
});

describe('replay over generated runs', () => {
  it('every generated run (all fault kinds, random workload) replays byte for byte from its trace header', () => {
    const base = parseScenario({ name: 'replay-gen', description: 'x', protocol: 'pingpong', duration: '300ms', network: { loss: 0.02, duplicate: 0.02 }, disk: { corruptOnCrash: 0.5 } });
    const arb = fuzzCaseArb(['n1', 'n2', 'n3', 'n4', 'n5'], base.duration, {
      faults: { kinds: [...GEN_FAULT_KINDS], nodes: ['n1', 'n2', 'n3', 'n4', 'n5'] },
      workload: fc.record({ nodes: fc.constant(5), inFlight: fc.integer({ min: 1, max: 20 }) }),
    });
    fc.assert(
      fc.property(arb, (c) => {
        const s = caseScenario(base, c);
        const { trace } = runScenario(s, { trace: true });
        const r = replayTrace(trace!, 'gen.jsonl');
        expect(r.difference).toBeUndefined();
        expect(r.identical).toBe(true);
      }),
      { seed: 21, numRuns: 40 },
    );
  });
});
