// Packed states (sim/trace/packed-states.ts): what the page reads from a big
// trace's packed states equals the model's states, whatever order they are
// read in and however small the decode cache; non-ASCII text survives.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemorySink } from '../../sim/engine/trace.ts';
import type { TraceEvent } from '../../sim/engine/types.ts';
import { parseScenario, prepareRun } from '../../sim/scenario/resolve.ts';
import { runPrepared } from '../../sim/scenario/run.ts';
import { buildColumns } from '../../sim/trace/columns.ts';
import { PackedStatesBuilder, unpackStates, unpackStatesStepwise } from '../../sim/trace/packed-states.ts';
import { parseTrace } from '../../sim/trace/parse.ts';
import { stateBodyOfLine } from '../../ui/src/store.ts';
import defaultScenario from '../../scenarios/default.ts';

function raftRun(): string {
  const sink = new MemorySink();
  runPrepared(prepareRun(parseScenario(defaultScenario), { seed: 4 }), { trace: sink });
  return sink.text();
}

describe('packed states', () => {
  const text = raftRun();
  const model = buildColumns(parseTrace(text));
  const b = new PackedStatesBuilder();
  for (const line of text.split('\n').slice(1)) {
    if (!line.startsWith('{"seq"')) continue;
    const ev = JSON.parse(line) as TraceEvent;
    if (ev.type === 'state') b.add(ev.seq, ev.t, ev.node, stateBodyOfLine(ev, line));
  }
  const packed = b.finish();

  it('unpack = the model\'s states (nodes, seqs, times, values), each decoded from the line as written', () => {
    expect(packed.seq.length).toBeGreaterThan(100);
    const states = unpackStates(packed);
    expect([...states.keys()].sort()).toEqual([...model.states.keys()].sort());
    for (const [node, snaps] of model.states) {
      const got = states.get(node)!;
      expect(got.map((s) => [s.seq, s.t])).toEqual(snaps.map((s) => [s.seq, s.t]));
      got.forEach((s, i) => expect(s.state).toEqual(snaps[i]!.state));
    }
  });

  it('unpacked in steps of any sizes (as the page does, between its tasks), the states equal the model\'s, complete only at the last step', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 400 }), { minLength: 1, maxLength: 40 }), (steps) => {
        const u = unpackStatesStepwise(packed);
        let done = 0;
        for (const n of steps) {
          const complete = u.next(n);
          done = Math.min(packed.seq.length, done + n);
          expect(complete).toBe(done === packed.seq.length);
          expect([...u.states.values()].reduce((a, l) => a + l.length, 0)).toBe(done);
        }
        u.next(packed.seq.length);
        for (const [node, snaps] of model.states) {
          const got = u.states.get(node)!;
          expect(got.map((x) => [x.seq, x.t])).toEqual(snaps.map((x) => [x.seq, x.t]));
          expect(got[got.length - 1]!.state).toEqual(snaps[snaps.length - 1]!.state);
        }
      }),
      { numRuns: 30, seed: 22 },
    );
  });

  it('any order of reads, with a cache of a few states, gives the same values (a cached state is the same object)', () => {
    const all = [...model.states.entries()].flatMap(([node, snaps]) => snaps.map((s, i) => [node, i] as const));
    fc.assert(
      fc.property(fc.array(fc.nat(all.length - 1), { minLength: 1, maxLength: 60 }), fc.integer({ min: 1, max: 5 }), (reads, cache) => {
        const states = unpackStates(packed, cache);
        for (const k of reads) {
          const [node, i] = all[k]!;
          const snap = states.get(node)![i]!;
          const v = snap.state;
          expect(v).toEqual(model.states.get(node)![i]!.state);
          expect(snap.state).toBe(v);
        }
      }),
      { numRuns: 100, seed: 21 },
    );
  });

  it('keeps non-ASCII text (UTF-8 of any width) and states written out when their line is not as the writer writes it', () => {
    const pb = new PackedStatesBuilder();
    const values = [{ name: 'é → 日本 𝄞' }, [1, 'ß'], 'İ', null, 3.5];
    values.forEach((v, i) => pb.add(i, i * 10, i % 2 === 0 ? 'n1' : 'n2', JSON.stringify(v)));
    const ev = { seq: 5, t: 50, type: 'state', node: 'n1', state: { a: 1 } } as const;
    pb.add(5, 50, 'n1', stateBodyOfLine(ev, '{"t":50,"seq":5,"type":"state","node":"n1","state":{"a": 1}}'));
    const states = unpackStates(pb.finish(), 1);
    expect(states.get('n1')!.map((s) => s.state)).toEqual([values[0], values[2], values[4], { a: 1 }]);
    expect(states.get('n2')!.map((s) => [s.seq, s.t, s.state])).toEqual([[1, 10, values[1]], [3, 30, values[3]]]);
  });
});
