// The columnar model (what the viewer holds at scale) agrees with the object
// model (model.ts) on the same traces: every message's pairing, every event's
// lane and timeline predecessor, and the causal past of every event. The
// streaming reader agrees with parseTrace whatever the chunking.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemorySink } from '../../sim/engine/trace.ts';
import { parseScenario, prepareRun } from '../../sim/scenario/resolve.ts';
import { runPrepared } from '../../sim/scenario/run.ts';
import { buildColumns, causalPastColumns, density, densityScan, KIND, OUTCOME, shareWith } from '../../sim/trace/columns.ts';
import { buildModel, causalPast } from '../../sim/trace/model.ts';
import { parseTrace } from '../../sim/trace/parse.ts';
import { LineSplitter, readTrace } from '../../sim/trace/reader.ts';
import type { TraceEvent } from '../../sim/engine/types.ts';
import { InputError } from '../../sim/scenario/errors.ts';
import defaultScenario from '../../scenarios/default.ts';
import { lockTrace, raftTrace, ringTrace, twopcTrace } from './synthetic.ts';

function runDefault(seed: number): string {
  const sink = new MemorySink();
  runPrepared(prepareRun(parseScenario(defaultScenario), { seed }), { trace: sink });
  return sink.text();
}

const traces: [string, () => string][] = [
  ['raft synthetic', raftTrace],
  ['lock synthetic', lockTrace],
  ['twopc synthetic', twopcTrace],
  ['ring synthetic', ringTrace],
  ['default seed 3', () => runDefault(3)],
];

describe('columnar model = object model', () => {
  it.each(traces)('%s: messages, lanes, process order and causal past agree', (_name, make) => {
    const parsed = parseTrace(make());
    const obj = buildModel(parsed);
    const col = buildColumns(parsed);
    expect(col.count).toBe(obj.events.length);
    expect(col.msgCount).toBe(obj.messages.length);
    expect(col.messageTypes).toEqual(obj.messageTypes);
    expect(col.maxFlight).toBe(obj.maxFlight);
    expect(col.intervals).toEqual(obj.intervals);
    expect(col.partitions).toEqual(obj.partitions);
    expect(col.violations).toEqual(obj.violations);
    expect(col.operations).toEqual(obj.operations);
    expect([col.startT, col.endT]).toEqual([obj.startT, obj.endT]);
    const msgRow = (i: number): unknown[] => [col.mId[i], col.nodes[col.mFrom[i]!], col.nodes[col.mTo[i]!], col.messageTypes[col.mType[i]!], col.mSendSeq[i], col.mSendT[i], col.mEndSeq[i], Number.isNaN(col.mEndT[i]) ? -1 : col.mEndT[i], col.mOutcome[i], col.mOriginSeq[i]];
    const outcome = { delivered: OUTCOME.delivered, dropped: OUTCOME.dropped, 'in-flight': OUTCOME.inFlight };
    expect(JSON.stringify(obj.messages.map((_, i) => msgRow(i)))).toBe(JSON.stringify(obj.messages.map((r) => [r.id, r.from, r.to, r.type, r.sendSeq, r.sendT, r.endSeq ?? -1, r.endT ?? -1, outcome[r.outcome], r.originSeq])));
    expect(Array.from(col.t)).toEqual(obj.events.map((e) => e.t));
    expect(Array.from(col.kind)).toEqual(obj.events.map((e) => KIND[e.type]));
    expect(Array.from(col.msgOf)).toEqual(Array.from(obj.messageOfEvent));
    expect(Array.from(col.prev)).toEqual(Array.from(obj.prevOnNode));
    for (let s = 0; s < col.count; s += Math.max(1, Math.floor(col.count / 200))) {
      expect(causalPastColumns(col, s).join(''), `causal past of #${s}`).toBe(causalPast(obj, s).join(''));
    }
  });

  it('density counts every visible event once, per lane and bucket, and message pairs', () => {
    const col = buildColumns(parseTrace(raftTrace()));
    const d = density(col, col.startT, col.endT, 10, () => true, () => true);
    let total = 0;
    for (const v of d.counts) total += v;
    let onLanes = 0;
    for (let s = 0; s < col.count; s++) if (col.lane[s]! >= 0) onLanes++;
    expect(total).toBe(onLanes);
    let sends = 0;
    for (const v of d.pairs) sends += v;
    expect(sends).toBe(Array.from(col.kind).filter((k) => k === KIND.send).length);
    // Hiding lane n3 removes its events and every message to or from it.
    const n3 = col.laneOf.get('n3')!;
    const hidden = density(col, col.startT, col.endT, 10, (l) => l !== n3, () => true);
    expect(hidden.counts.slice(n3 * 10, n3 * 10 + 10).every((v) => v === 0)).toBe(true);
    expect(hidden.pairs[col.laneOf.get('n1')! * col.nodes.length + n3]).toBe(0);
  });
});

describe('density from the lane index = density by scanning the window', () => {
  it.each(traces)('%s: every window, bucket count and edge', (_name, make) => {
    const col = buildColumns(parseTrace(make()));
    const all = (): boolean => true;
    const times = [...new Set(Array.from(col.t))];
    // Windows whose edges are event times (ties at bucket edges), between them, and outside the run.
    const edges = [col.startT - 5, ...times, ...times.map((t) => t + 0.5), col.endT + 5];
    fc.assert(
      fc.property(fc.nat(edges.length - 1), fc.nat(edges.length - 1), fc.integer({ min: 1, max: 400 }), (i, j, cols) => {
        const [t0, t1] = [edges[Math.min(i, j)]!, edges[Math.max(i, j)]!];
        const a = density(col, t0, t1, cols, all, all);
        const b = densityScan(col, t0, t1, cols, all, all);
        expect(Array.from(a.counts)).toEqual(Array.from(b.counts));
        expect(Array.from(a.drops)).toEqual(Array.from(b.drops));
        expect(Array.from(a.pairs)).toEqual(Array.from(b.pairs));
        expect(a.max).toBe(b.max);
      }),
      { numRuns: 150, seed: 15 },
    );
  });
});

describe('streaming reader', () => {
  const text = runDefault(4);
  const bytes = new TextEncoder().encode(text);
  const whole = parseTrace(text, { verifyHash: true });
  const wholeEvents = JSON.stringify(whole.events);

  it('reads the same events, footer and verified hash as parseTrace, whatever the chunk sizes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 1, maxLength: 40 }), async (sizes) => {
        const chunks: Uint8Array[] = [];
        for (let pos = 0, i = 0; pos < bytes.length; i++) {
          const n = sizes[i % sizes.length]!;
          chunks.push(bytes.subarray(pos, pos + n));
          pos += n;
        }
        const events: TraceEvent[] = [];
        const offsets: number[] = [];
        const s = await readTrace(chunks, (e) => events.push(e), { verifyHash: true, onLine: (start) => offsets.push(start) });
        expect(JSON.stringify(events)).toBe(wholeEvents);
        expect(s.footer).toEqual(whole.footer);
        expect(s.hash).toBe('ok');
        // Each line's byte offset points at its first byte.
        expect(offsets.length).toBe(whole.events.length + 2);
        expect(offsets.every((o, i) => i === 0 || bytes[o - 1] === 10)).toBe(true);
      }),
      { numRuns: 12 },
    );
  });

  it('splits lines at byte offsets that hold for multi-byte characters across chunk boundaries', () => {
    const src = 'ab\nμ€😀x\n\nlast';
    const b = new TextEncoder().encode(src);
    for (let cut = 0; cut <= b.length; cut++) {
      const got: [string, number, number, boolean][] = [];
      const sp = new LineSplitter((t, s, l, term) => got.push([t, s, l, term]));
      sp.push(b.subarray(0, cut));
      sp.push(b.subarray(cut));
      sp.end();
      expect(got.map((g) => g[0])).toEqual(['ab', 'μ€😀x', '', 'last']);
      expect(got.map((g) => new TextDecoder().decode(b.subarray(g[1], g[1] + g[2])))).toEqual(['ab\n', 'μ€😀x\n', '\n', 'last']);
      expect(got.map((g) => g[3])).toEqual([true, true, true, false]);
    }
  });

  it('names the line of a malformed event, and warns of a truncated end, like parseTrace', async () => {
    const lines = text.split('\n');
    lines[7] = '{"seq":6,"t":1,"type":"nope"}';
    const err = await readTrace([lines.join('\n')], () => {}, { file: 't.jsonl' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).describe()).toMatch(/^t\.jsonl: line 8: unknown event type "nope"/);
    const cut = text.slice(0, Math.floor(text.length / 2));
    const s = await readTrace([cut], () => {});
    expect(s.warnings).toEqual(parseTrace(cut).warnings);
    expect(s.footer).toBeUndefined();
  });
});

describe('published states share the parts that repeat', () => {
  it('each state serializes exactly as published, and a repeated part is one object', () => {
    const sink = new MemorySink();
    runPrepared(prepareRun(parseScenario({ ...defaultScenario, duration: '2s' })), { trace: sink });
    const text = sink.text();
    const parsed = parseTrace(text);
    const col = buildColumns(parsed);
    let shared = 0;
    for (const [node, list] of col.states) {
      const published = parsed.events.filter((e) => e.type === 'state' && e.node === node).map((e) => JSON.stringify((e as { state: unknown }).state));
      expect(list.map((s) => JSON.stringify(s.state))).toEqual(published);
      for (let i = 1; i < list.length; i++) {
        const a = list[i - 1]!.state as { log?: unknown[] };
        const b = list[i]!.state as { log?: unknown[] };
        if (a.log && b.log && a.log.length > 0 && b.log.length >= a.log.length && JSON.stringify(a.log[0]) === JSON.stringify(b.log[0])) {
          expect(b.log[0]).toBe(a.log[0]);
          shared++;
        }
      }
    }
    expect(shared).toBeGreaterThan(0);
  });

  it('shareWith keeps key order, and never returns a part that differs', () => {
    const prev = { a: 1, b: [1, { x: 2 }], c: { y: 3 } };
    const cur = { b: [1, { x: 2 }, 4], a: 1, c: { y: 4 } };
    const out = shareWith(cur, prev) as typeof cur;
    expect(JSON.stringify(out)).toBe(JSON.stringify(cur));
    expect(out.b[1]).toBe(prev.b[1]);
    expect(out.c).not.toBe(prev.c);
    expect(shareWith({ b: 1, a: 1 }, { a: 1, b: 1 })).toEqual({ b: 1, a: 1 });
    expect(JSON.stringify(shareWith({ b: 1, a: 1 }, { a: 1, b: 1 }))).toBe('{"b":1,"a":1}');
  });
});
