// The indexer worker's IndexBuilder (ui/src/load/index-builder.ts) reads a published state's or a send's line by its
// head only and takes the body as written: its search index and packed states must be exactly what parsing every
// line gives (`eventText` of each event, `JSON.stringify` of each state), whatever the chunking of the bytes, for
// real runs and for lines written by hand (escaped node names, other field orders, spaces, non-ASCII, long states).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../../sim/engine/types.ts';
import { MemorySink } from '../../sim/engine/trace.ts';
import { parseScenario, prepareRun } from '../../sim/scenario/resolve.ts';
import { runPrepared } from '../../sim/scenario/run.ts';
import { unpackStates } from '../../sim/trace/packed-states.ts';
import { parseTrace } from '../../sim/trace/parse.ts';
import { ARROW, SearchIndex } from '../../sim/trace/search-index.ts';
import { groupOf, IndexBuilder } from '../../ui/src/load/index-builder.ts';
import { eventText } from '../../ui/src/store.ts';
import defaultScenario from '../../scenarios/default.ts';
import { ringTrace, traceText } from './synthetic.ts';

function runTrace(seed: number): string {
  const sink = new MemorySink();
  runPrepared(prepareRun(parseScenario(defaultScenario), { seed }), { trace: sink });
  return sink.text();
}

/** Lines the trace writer would not write: the general path. */
function handWritten(): string {
  const text = traceText({ nodes: ['n"1', 'n2', 'é3'].map((id) => ({ id, role: 'server' })) }, [
    { t: 0, type: 'start', node: 'n2' },
    { t: 1, type: 'state', node: 'n"1', state: { role: 'Leader', term: 2 } },
    { t: 2, type: 'state', node: 'é3', state: { note: 'ÀÉ İstanbul →', big: 'x'.repeat(70_000) } },
    { t: 3, type: 'send', id: 1, from: 'n2', to: 'n"1', msg: { type: 'AppendEntries', term: 2 } },
    { t: 4, type: 'deliver', id: 1, from: 'n2', to: 'n"1' },
    { t: 5, type: 'state', node: 'n2', state: null },
  ]);
  const lines = text.split('\n');
  // Another field order, and spaces: still valid events.
  lines[2] = ` {"t": 1, "seq": 1, "type": "state", "node": "n\\"1", "state": {"role": "Leader", "term": 2}}`;
  lines[6] = '{"seq":5,"t":5,"type":"state","node":"n\\u0032","state":null}';
  return lines.join('\n');
}

const cases: [string, () => string][] = [
  ['raft run', () => runTrace(4)],
  ['ring', ringTrace],
  ['hand-written lines', handWritten],
];

/** What parsing every line gives: the index of each event's text, and each state's JSON. */
function reference(text: string): { index: SearchIndex; states: { seq: number; node: string; json: string }[]; events: TraceEvent[] } {
  const { events } = parseTrace(text);
  const index = new SearchIndex(Infinity, 64, 1 << 16);
  for (const ev of events) index.add(eventText(ev, ARROW), groupOf(ev));
  index.flush();
  const states = events.flatMap((ev) => (ev.type === 'state' ? [{ seq: ev.seq, node: ev.node, json: JSON.stringify(ev.state) }] : []));
  return { index, states, events };
}

const internals = (ix: SearchIndex): unknown => {
  const i = ix as unknown as { chunks: { text: string; starts: Int32Array; seqs: Int32Array }[][]; long: number[] };
  return { chunks: i.chunks.map((c) => c.map((p) => ({ text: p.text, starts: Array.from(p.starts), seqs: Array.from(p.seqs) }))), long: i.long, indexed: ix.indexed };
};

describe('IndexBuilder = parsing every line', () => {
  it.each(cases)('%s, in any chunking', (_name, make) => {
    const text = make();
    const bytes = new TextEncoder().encode(text);
    const ref = reference(text);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 4096 }), { minLength: 1, maxLength: 8 }), (sizes) => {
        const b = new IndexBuilder(new SearchIndex(Infinity, 64, 1 << 16));
        let at = 0;
        for (let i = 0; at < bytes.length; i++) {
          const n = sizes[i % sizes.length]!;
          b.push(bytes.slice(at, at + n));
          at += n;
        }
        const packed = b.end();
        expect(b.events).toBe(ref.events.length);
        expect(internals(b.index)).toEqual(internals(ref.index));
        const got = [...unpackStates(packed, 8)].flatMap(([node, snaps]) => snaps.map((s) => ({ seq: s.seq, node, json: JSON.stringify(s.state) })));
        got.sort((x, y) => x.seq - y.seq);
        expect(got).toEqual(ref.states);
        // A long state (cut in the index) is kept parsed for the search.
        for (const seq of b.index.long) {
          const ev = ref.events[seq]!;
          if (ev.type === 'state') expect(b.stateBySeq.get(seq)).toEqual({ node: ev.node, state: ev.state });
        }
        // Line offsets: each line's start, then the end.
        const starts = [0];
        for (let i = bytes.indexOf(10); i >= 0; i = bytes.indexOf(10, i + 1)) starts.push(i + 1);
        if (starts.at(-1) === bytes.length) starts.pop();
        expect(Array.from(b.lineStart.subarray(0, b.lines))).toEqual(starts);
        expect(b.lineStart[b.lines]).toBe(bytes.length);
      }),
      { numRuns: text.length > 1e6 ? 3 : 15 },
    );
  });
});

describe('IndexBuilder at a cut-off end', () => {
  it("keeps no state past the events the loader accepted (a last line cut just after a '}')", () => {
    const ring = ringTrace().split('\n');
    // The last event line, a published state, cut so that it still ends with "}" but is not JSON.
    const lines = [...ring.slice(0, -2)];
    const full = JSON.stringify({ seq: lines.length - 1, t: 1e9, type: 'state', node: 'n1', state: { a: { b: 1 } } });
    const text = `${lines.join('\n')}\n${full.slice(0, -1)}`;
    const { events, warnings } = parseTrace(text);
    expect(warnings.join(' ')).toContain('truncated');
    const b = new IndexBuilder();
    b.push(new TextEncoder().encode(text));
    const packed = b.end(events.length);
    expect(Math.max(-1, ...packed.seq)).toBeLessThan(events.length);
    // Without the loader's count, the cut line is taken as a state (what `end(count)` is for).
    const all = new IndexBuilder();
    all.push(new TextEncoder().encode(text));
    expect(Math.max(-1, ...all.end().seq)).toBe(events.length);
  });
});
