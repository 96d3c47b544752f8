// The `duplicate` fault (a duplication burst, as `loss` is a loss burst): while it is on, each message
// is also delivered a second time with probability p (the copy draws its own latency: it may arrive
// after later messages, a stale replay); p = 0 ends it, and the quiesce point ends it too. Outside a
// burst nothing is duplicated and no extra random draw is made. Bad values are one line, exit 2.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, inProcess } from '../cli-harness.ts';
import type { TraceEvent } from '../../sim/engine/types.ts';
import { describeFault } from '../../sim/engine/targets.ts';
import { runScenario } from '../../sim/fuzz/fuzz.ts';
import { parseScenario } from '../../sim/scenario/resolve.ts';
import type { ScenarioInput } from '../../sim/scenario/schema.ts';
import { describeEvent } from '../../sim/trace/chrome.ts';

const RAFT: ScenarioInput = { name: 'dup-raft', description: 'x', protocol: 'raft', duration: '3s', seed: 7 };
const BURST = [
  { at: '1s', id: 'd', kind: 'duplicate', p: 1 },
  { after: 'd', delay: '50ms', kind: 'duplicate', p: 0 },
] as const;

function run(input: ScenarioInput): { events: TraceEvent[]; trace: string } {
  const { trace } = runScenario(parseScenario(input), { trace: true });
  const events = trace!
    .trimEnd()
    .split('\n')
    .slice(1, -1)
    .map((l) => JSON.parse(l) as TraceEvent);
  return { events, trace: trace! };
}

const dups = (events: TraceEvent[]): (TraceEvent & { type: 'duplicate' })[] => events.filter((e): e is TraceEvent & { type: 'duplicate' } => e.type === 'duplicate');

describe('duplicate fault (duplication burst)', () => {
  it('duplicates messages only while the burst is on (p = 1: every delivered send inside, none outside)', () => {
    const { events } = run({ ...RAFT, faults: { timeline: [...BURST] } });
    const copies = dups(events);
    expect(copies.length).toBeGreaterThan(5);
    for (const d of copies) {
      expect(d.t).toBeGreaterThanOrEqual(1_000_000);
      expect(d.t).toBeLessThan(1_050_000);
    }
    // p = 1: every send inside the burst (none is lost or cut here) has its copy, of the same message and link.
    const inside = events.filter((e): e is TraceEvent & { type: 'send' } => e.type === 'send' && e.t >= 1_000_000 && e.t < 1_050_000);
    expect(copies.map((d) => d.of).sort((a, b) => a - b)).toEqual(inside.map((s) => s.id).sort((a, b) => a - b));
    for (const d of copies) {
      const s = inside.find((x) => x.id === d.of)!;
      expect([d.from, d.to]).toEqual([s.from, s.to]);
      // The copy is delivered too.
      expect(events.some((e) => e.type === 'deliver' && e.id === d.id)).toBe(true);
    }
    // One `network` event at each end, and the fault machinery's log line, described as everywhere else.
    const net = events.filter((e): e is TraceEvent & { type: 'network' } => e.type === 'network');
    expect(net.map((e) => [e.t, e.loss, e.duplicate])).toEqual([
      [1_000_000, 0, 1],
      [1_050_000, 0, 0],
    ]);
    expect(describeEvent(net[0]!)).toContain('network loss 0 duplicate 1');
    expect(events.some((e) => e.type === 'log' && e.text === 'fault 0 (d): duplicate 1')).toBe(true);
    expect(describeFault({ kind: 'duplicate', p: 0.25 })).toBe('duplicate 0.25');
  });

  it('a partial burst duplicates some messages, not all; the same seed gives the same trace', () => {
    const input: ScenarioInput = { ...RAFT, faults: { timeline: [{ ...BURST[0]!, p: 0.3 }, BURST[1]!] } };
    const a = run(input);
    const inside = a.events.filter((e) => e.type === 'send' && e.t >= 1_000_000 && e.t < 1_050_000).length;
    const n = dups(a.events).length;
    expect(n).toBeGreaterThan(0);
    expect(n).toBeLessThan(inside);
    expect(run(input).trace).toBe(a.trace);
  });

  it('without a burst nothing is duplicated, and a run whose burst never starts is the run without it', () => {
    const plain = run(RAFT);
    expect(dups(plain.events)).toHaveLength(0);
    // A burst set to 0 draws nothing from the fault stream: the messages are exactly those of the plain run.
    const zero = run({ ...RAFT, faults: { timeline: [{ at: '1s', kind: 'duplicate', p: 0 }] } });
    const strip = (es: TraceEvent[]): string => es.filter((e) => e.type !== 'network' && e.type !== 'log').map((e) => JSON.stringify({ ...e, seq: 0 })).join('\n');
    expect(strip(zero.events)).toBe(strip(plain.events));
  });

  it('the quiesce point ends a burst still on', () => {
    const { events } = run({ ...RAFT, faults: { timeline: [{ at: '1s', kind: 'duplicate', p: 1 }, { at: '1050ms', kind: 'quiesce' }] } });
    expect(dups(events).length).toBeGreaterThan(0);
    for (const d of dups(events)) expect(d.t).toBeLessThan(1_050_000);
    const net = events.filter((e): e is TraceEvent & { type: 'network' } => e.type === 'network');
    expect(net.at(-1)).toMatchObject({ t: 1_050_000, duplicate: 0 });
  });
});

describe('duplicate fault: bad input is one line, exit 2', () => {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-dup-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['probability above 1 (150%)', [{ at: '1s', kind: 'duplicate', p: 1.5 }], 'faults.timeline[0].p: expected a number at most 1 (got 1.5)'],
    ['negative probability', [{ at: '1s', kind: 'duplicate', p: -0.1 }], 'faults.timeline[0].p: expected a number at least 0 (got -0.1)'],
    ['negative burst length (the delay of its end)', [{ at: '1s', id: 'd', kind: 'duplicate', p: 0.5 }, { after: 'd', delay: -5, kind: 'duplicate', p: 0 }], 'faults.timeline[1].delay: '],
    ['no probability', [{ at: '1s', kind: 'duplicate' }], 'faults.timeline[0].p: missing'],
  ])('%s', async (name, timeline, where) => {
    const file = join(dir, `${name.replace(/[^a-z0-9]+/g, '-')}.json`);
    writeFileSync(file, JSON.stringify({ ...RAFT, faults: { timeline } }));
    // main() in this process (its exit code and output): the real binary once, below.
    const r = await inProcess(['run', file]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`faultline: ${file}: ${where}`);
  });

  it('the real binary: exit 2, one line, no stack trace', async () => {
    const file = join(dir, 'bin.json');
    writeFileSync(file, JSON.stringify({ ...RAFT, faults: { timeline: [{ at: '1s', kind: 'duplicate', p: 2 }] } }));
    const r = await cli(['run', file]);
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toEqual([`faultline: ${file}: faults.timeline[0].p: expected a number at most 1 (got 2)`]);
  });
});
