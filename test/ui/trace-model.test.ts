// The viewer's model of a trace: message pairing, outages, partitions,
// state at the cursor, clocks, and the Chrome trace event export.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemorySink } from '../../sim/engine/trace.ts';
import { parseScenario, prepareRun } from '../../sim/scenario/resolve.ts';
import { runPrepared } from '../../sim/scenario/run.ts';
import { toChromeTrace } from '../../sim/trace/chrome.ts';
import { buildModel, causalPast, localTime, stateAt, statusAt, trueTimeOfLocal, type TraceModel } from '../../sim/trace/model.ts';
import { parseTrace } from '../../sim/trace/parse.ts';
import defaultScenario from '../../scenarios/default.ts';
import { lockTrace, raftTrace } from './synthetic.ts';

const model = (text: string): TraceModel => buildModel(parseTrace(text));

describe('buildModel on a synthetic Raft trace', () => {
  const m = model(raftTrace());

  it('pairs each message with its end: delivered, dropped at send, duplicated', () => {
    const byId = new Map(m.messages.map((x) => [x.id, x]));
    expect(byId.get(0)).toMatchObject({ type: 'RequestVote', outcome: 'delivered', sendT: 100, endT: 300, sendSeq: 6, endSeq: 9 });
    expect(byId.get(1)).toMatchObject({ outcome: 'dropped', reason: 'loss', sendT: 100, endT: 100 });
    expect(byId.get(3)).toMatchObject({ type: 'RequestVoteReply', dupOf: 2, sendT: 300, endT: 600, outcome: 'delivered' });
    expect(m.messageTypes).toEqual(['AppendEntries', 'RequestVote', 'RequestVoteReply']);
    expect(m.maxFlight).toBe(300);
  });

  it('turns crash/restart and pause/resume into intervals, partition/heal into a band', () => {
    expect(m.intervals.map((i) => [i.node, i.kind, i.fromT, i.toT])).toEqual([
      ['n3', 'down', 800, 1100],
      ['n2', 'paused', 1200, 1300],
    ]);
    expect(m.partitions.map((b) => [b.label, b.fromT, b.toT])).toEqual([['n1 | n2,n3', 1000, 1500]]);
    expect(statusAt(m, 'n3', 15)).toBe('up');
    expect(statusAt(m, 'n3', 16)).toBe('down');
    expect(statusAt(m, 'n3', 20)).toBe('up');
    expect(statusAt(m, 'n2', 21)).toBe('paused');
    expect(statusAt(m, 'n3', 1)).toBe('not started');
  });

  it('gives the last published state at or before the cursor', () => {
    expect(stateAt(m, 'n1', 4)?.state).toMatchObject({ role: 'follower', term: 0 });
    expect(stateAt(m, 'n1', 13)?.state).toMatchObject({ role: 'leader', term: 1 });
    expect(stateAt(m, 'n2', 17)).toBeUndefined();
    expect(m.violations.map((v) => [v.invariant, v.cause])).toEqual([['election-safety', 23]]);
  });
});

describe('causalPast (happened-before)', () => {
  const m = model(raftTrace());
  const past = (seq: number): number[] => [...causalPast(m, seq)].flatMap((v, i) => (v ? [i] : []));

  it('follows node order and messages back, through a duplicate to its original send', () => {
    // n2 receives AppendEntries (#17): everything n1 did before sending it (#15), including the duplicate reply it got (#14 <- #11 <- #10 at n2).
    expect(past(17)).toEqual([0, 1, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13, 14, 15, 17]);
  });

  it('does not cross to a node that received nothing: n3 only knows its own history', () => {
    expect(past(23)).toEqual([2, 16, 20, 23]);
  });

  it('a violation has the past of its cause', () => {
    expect(past(25)).toEqual([...past(23), 25].sort((a, b) => a - b));
  });
});

describe('operations', () => {
  it('pairs invokes with returns and leaves the unanswered one pending', () => {
    const m = model(lockTrace());
    expect(m.operations.map((o) => [o.op, o.process, o.f, o.invokeT, o.returnT, o.outcome, o.result])).toEqual([
      [0, 'c1', 'acquire', 500, 1000, 'ok', 1],
      [1, 'c2', 'acquire', 600, 12000, 'ok', 2],
      [2, 'c1', 'write', 13500, undefined, undefined, undefined],
    ]);
  });
});

describe('clocks', () => {
  it('maps a skewed client deadline between its local clock and true time', () => {
    const m = model(lockTrace());
    expect(localTime(m, 'c2', 12000)).toBe(17000);
    expect(trueTimeOfLocal(m, 'c2', 27000, 12000)).toBe(22000);
    expect(localTime(m, 'c1', 12000)).toBe(12000);
  });

  it('reads the initial clock from the resolved scenario in the header', () => {
    const text = lockTrace().replace('"config":{}', '"config":{"clocks":{"c1":{"offset":-100,"drift":0.5}}}');
    const m = buildModel(parseTrace(text));
    expect(localTime(m, 'c1', 1000)).toBe(1400);
    expect(trueTimeOfLocal(m, 'c1', 1400, 1000)).toBe(1000);
  });
});

describe('buildModel on real runs (property)', () => {
  it('every send and duplicate is one message; every deliver/drop ends exactly one of them', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), (seed) => {
        const sink = new MemorySink();
        const r = runPrepared(prepareRun(parseScenario({ ...defaultScenario, duration: '300ms' }), { seed }), { trace: sink });
        const m = model(sink.text());
        const st = r.stats.messages;
        expect(m.messages.length).toBe(st.sent + st.duplicated);
        expect(m.messages.filter((x) => x.outcome === 'delivered').length).toBe(st.delivered);
        expect(m.messages.filter((x) => x.outcome === 'dropped').length).toBe(st.dropped);
        expect(m.messages.filter((x) => x.outcome === 'in-flight').length).toBe(st.inFlight);
        for (const x of m.messages) if (x.endT !== undefined) expect(x.endT).toBeGreaterThanOrEqual(x.sendT);
      }),
      { numRuns: 8 },
    );
  });
});

describe('Chrome trace event export', () => {
  const m = model(raftTrace());
  const c = toChromeTrace(m);
  const ev = c.traceEvents;

  it('names one track per node and a network track', () => {
    const names = ev.filter((e) => e.name === 'thread_name').map((e) => [e.tid, e.args?.name]);
    expect(names).toEqual([[0, 'network'], [1, 'n1 (server)'], [2, 'n2 (server)'], [3, 'n3 (server)']]);
  });

  it('links each delivered message by a flow from its send slice to its receive slice', () => {
    const starts = ev.filter((e) => e.ph === 's');
    const ends = ev.filter((e) => e.ph === 'f');
    expect(starts.map((e) => e.id).sort()).toEqual([0, 2, 3, 4]);
    expect(ends.map((e) => e.id).sort()).toEqual([0, 2, 3, 4]);
    const s0 = starts.find((e) => e.id === 0)!;
    const f0 = ends.find((e) => e.id === 0)!;
    expect([s0.tid, s0.ts, f0.tid, f0.ts, f0.bp]).toEqual([1, 100, 2, 300, 'e']);
    // each flow point sits inside a slice on its track at its time
    for (const p of [...starts, ...ends]) expect(ev.some((e) => e.ph === 'X' && e.tid === p.tid && e.ts === p.ts)).toBe(true);
  });

  it('draws the outage, the partition and the violation', () => {
    expect(ev.find((e) => e.name === 'crashed')).toMatchObject({ tid: 3, ts: 800, dur: 300 });
    expect(ev.find((e) => e.name === 'paused')).toMatchObject({ tid: 2, ts: 1200, dur: 100 });
    expect(ev.find((e) => e.name.startsWith('partition'))).toMatchObject({ tid: 0, ts: 1000, dur: 500 });
    expect(ev.find((e) => e.cat === 'violation')).toMatchObject({ ts: 1400, s: 'g', name: 'violation: election-safety' });
  });

  it('is sorted by time after the metadata and survives JSON', () => {
    const nonMeta = ev.filter((e) => e.ph !== 'M');
    expect(nonMeta.every((e, i) => i === 0 || (nonMeta[i - 1] as { ts: number }).ts <= e.ts)).toBe(true);
    expect(JSON.parse(JSON.stringify(c)).traceEvents.length).toBe(ev.length);
  });
});
