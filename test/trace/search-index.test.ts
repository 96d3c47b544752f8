// The worker's search index answers exactly what searching each event's text
// answers (`searchText(ev).includes(query)`), for queries that match at chunk
// and event edges, across many chunks, with "→" and with a character budget
// that leaves the tail unindexed.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseTrace } from '../../sim/trace/parse.ts';
import { ARROW, pairSignature, SearchIndex } from '../../sim/trace/search-index.ts';
import { eventText, eventTextOfLine, searchText, stateSearchText } from '../../ui/src/store.ts';
import type { TraceEvent } from '../../sim/engine/types.ts';
import { buildColumns } from '../../sim/trace/columns.ts';
import { MemorySink } from '../../sim/engine/trace.ts';
import type { JsonValue } from '../../sim/engine/types.ts';
import { parseScenario, prepareRun } from '../../sim/scenario/resolve.ts';
import { runPrepared } from '../../sim/scenario/run.ts';
import defaultScenario from '../../scenarios/default.ts';
import { lockTrace, raftTrace, ringTrace, twopcTrace } from '../ui/synthetic.ts';

const traces: [string, () => string][] = [
  ['raft', raftTrace],
  ['lock', lockTrace],
  ['twopc', twopcTrace],
  ['ring', ringTrace],
];

describe('SearchIndex = searching each event', () => {
  it.each(traces)('%s: substrings of event texts, and texts that are in no event', (_name, make) => {
    const texts = parseTrace(make()).events.map(searchText);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9 }), fc.nat(texts.length - 1), fc.nat(200), fc.integer({ min: 1, max: 12 }), fc.boolean(), (chunk, e, from, len, crossing) => {
        const ix = new SearchIndex(Infinity, chunk);
        for (const t of texts) ix.add(t);
        ix.flush();
        expect(ix.indexed).toBe(texts.length);
        const text = texts[e]!;
        const a = Math.min(from, Math.max(0, text.length - 1));
        // A query crossing into the next event ("\n" excluded: the search box is one line) matches nothing there.
        const q = crossing ? `${text.slice(a)}${texts[e + 1]?.slice(0, 3) ?? 'zz'}` : text.slice(a, a + len);
        const marks = new Uint8Array(texts.length);
        ix.search(q, marks);
        expect(Array.from(marks)).toEqual(texts.map((t) => (t.includes(q) ? 1 : 0)));
        // Chunk by chunk, the one holding event e first (as the worker answers the visible events first): the same
        // marks, each match reported once, in the chunk it belongs to.
        const byChunk = new Uint8Array(texts.length);
        const reported: number[] = [];
        const k0 = Math.floor(e / chunk);
        const order = [k0, ...Array.from({ length: ix.chunkCount }, (_, k) => k).filter((k) => k !== k0)];
        for (const k of order) {
          const before = reported.length;
          ix.searchChunk(k, q, byChunk, (seq) => reported.push(seq));
          for (const seq of reported.slice(before)) expect(seq >= ix.chunkStart(k) && seq < ix.chunkStart(k + 1)).toBe(true);
        }
        expect(byChunk).toEqual(marks);
        expect([...reported].sort((x, y) => x - y)).toEqual(texts.flatMap((t, i) => (t.includes(q) ? [i] : [])));
      }),
      { numRuns: 200, seed: 16 },
    );
  });

  it.each(traces)('%s: events in groups, with the trigram filters of some pieces built: the same marks', (_name, make) => {
    const events = parseTrace(make()).events;
    const texts = events.map(searchText);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9 }), fc.nat(texts.length - 1), fc.nat(200), fc.integer({ min: 1, max: 12 }), fc.array(fc.nat(3), { minLength: 1, maxLength: 5 }), fc.nat(40), (chunk, e, from, len, groups, filters) => {
        const ix = new SearchIndex(Infinity, chunk);
        texts.forEach((t, i) => ix.add(t, groups[i % groups.length]));
        ix.flush();
        for (let i = 0; i < filters && ix.buildFilter(); i++);
        const text = texts[e]!;
        const a = Math.min(from, Math.max(0, text.length - 1));
        // A query from an event, or one in no event (its trigrams filter pieces out).
        for (const q of [text.slice(a, a + len), `${text.slice(a, a + len)}qz`]) {
          const marks = new Uint8Array(texts.length);
          ix.search(q, marks);
          expect(Array.from(marks)).toEqual(texts.map((t) => (t.includes(q) ? 1 : 0)));
        }
      }),
      { numRuns: 200, seed: 17 },
    );
  });

  it('trigram filters skip the pieces that lack a query: a message type is not searched in the states', () => {
    const ix = new SearchIndex(Infinity, 4);
    for (let i = 0; i < 40; i++) ix.add(i % 2 === 0 ? `#${i} n1 state {"term":${i}}` : `#${i} n1 \x01 n2 send #${i} {"type":"appendentries"}`, i % 2);
    ix.flush();
    while (ix.buildFilter());
    const pieces = (ix as unknown as { chunks: { text: string }[][] }).chunks.flat();
    const seen: string[] = [];
    for (const p of pieces) {
      const original = p.text;
      Object.defineProperty(p, 'text', { get: () => (seen.push(original), original) });
    }
    const marks = new Uint8Array(40);
    ix.search('appendentries', marks);
    expect(seen.length).toBe(10);
    expect(seen.every((t) => t.includes('send'))).toBe(true);
    expect(Array.from(marks)).toEqual(Array.from({ length: 40 }, (_, i) => i % 2));
  });

  it('stops at its character budget: the events past it are left to the caller', () => {
    const texts = parseTrace(raftTrace()).events.map(searchText);
    const ix = new SearchIndex(200, 4);
    for (const t of texts) ix.add(t);
    ix.flush();
    expect(ix.full).toBe(true);
    expect(ix.indexed).toBeLessThan(texts.length);
    expect(ix.indexed % 4).toBe(0);
    const marks = new Uint8Array(texts.length);
    ix.search('#', marks);
    expect(Array.from(marks)).toEqual(texts.map((_, i) => (i < ix.indexed ? 1 : 0)));
  });

  it('finds "→" (stored as one byte) and only where it is', () => {
    const ix = new SearchIndex();
    ['#0 n1 → n2 send', '#1 n1 start', '#2 n2 → n1 deliver'].forEach((t) => ix.add(t));
    ix.flush();
    const marks = new Uint8Array(3);
    ix.search('n2 → n1', marks);
    expect(Array.from(marks)).toEqual([0, 0, 1]);
  });
});

describe('SearchIndex with events longer than its per-event cap', () => {
  it.each(traces)('%s: the prefix search plus a full-text check of the unsure long events = searching each event', (_name, make) => {
    const texts = parseTrace(make()).events.map(searchText);
    fc.assert(
      fc.property(fc.integer({ min: 8, max: 60 }), fc.nat(texts.length - 1), fc.nat(200), fc.integer({ min: 1, max: 30 }), (cap, e, from, len) => {
        const ix = new SearchIndex(Infinity, 5, cap);
        for (const t of texts) ix.add(t);
        ix.flush();
        expect(ix.long).toEqual(texts.flatMap((t, i) => (t.length > cap ? [i] : [])));
        const text = texts[e]!;
        const a = Math.min(from, Math.max(0, text.length - 1));
        const q = text.slice(a, a + len);
        const marks = new Uint8Array(texts.length);
        ix.search(q, marks);
        // The index never marks an event the query is not in; what it misses is among the unsure ones.
        const unsure = ix.unsure(marks);
        for (const seq of unsure) if (texts[seq]!.includes(q)) marks[seq] = 1;
        expect(Array.from(marks)).toEqual(texts.map((t) => (t.includes(q) ? 1 : 0)));
        expect(unsure.every((seq) => texts[seq]!.length > cap)).toBe(true);
      }),
      { numRuns: 200, seed: 17 },
    );
  });
});

describe('SearchIndex lower-cases a chunk at once', () => {
  it('= lower-casing each event, with upper case, "→", İ (longer in lower case) and final sigma', () => {
    const char = fc.constantFrom('a', 'A', 'b', 'Σ', 'σ', 'İ', 'i', '→', ' ', '#', '1');
    fc.assert(
      fc.property(fc.array(fc.array(char, { maxLength: 12 }).map((cs) => cs.join('')), { minLength: 1, maxLength: 20 }), fc.integer({ min: 1, max: 6 }), fc.nat(19), fc.nat(11), fc.integer({ min: 1, max: 4 }), (texts, chunk, e, from, len) => {
        const ix = new SearchIndex(Infinity, chunk);
        for (const t of texts) ix.add(t);
        ix.flush();
        const lower = texts.map((t) => t.toLowerCase());
        const src = lower[e % lower.length]!;
        const q = src.slice(from, from + len) || 'a';
        const marks = new Uint8Array(texts.length);
        ix.search(q, marks);
        expect(Array.from(marks)).toEqual(lower.map((t) => (t.includes(q) ? 1 : 0)));
      }),
      { numRuns: 300, seed: 18 },
    );
  });

  it('events cut to the per-event cap: the states, checked from the model\'s shared states, and the rest from their text, give what searching each event gives', () => {
    // A Raft run: its states repeat their parts, which the columnar model shares (shareWith).
    const sink = new MemorySink();
    runPrepared(prepareRun(parseScenario(defaultScenario), { seed: 2 }), { trace: sink });
    const parsed = parseTrace(sink.text());
    const texts = parsed.events.map(searchText);
    const model = buildColumns(parsed);
    const stateBySeq = new Map<number, { node: string; state: JsonValue }>();
    for (const [node, snaps] of model.states) for (const s of snaps) stateBySeq.set(s.seq, { node, state: s.state });
    expect(stateBySeq.size).toBeGreaterThan(100);
    const ix = new SearchIndex(Infinity, 256, 48);
    for (const t of texts) ix.add(t);
    ix.flush();
    const all = ix.unsure(new Uint8Array(texts.length));
    for (const q of ['leader', '"term":2', 'put k', 'cas k', '"commitindex":1', 'n3 state', 'deliver #7', 'state {"role":"candidate"', 'zqzq', 'K3', 'İ']) {
      const marks = new Uint8Array(texts.length);
      ix.search(q, marks);
      // The signature filter lists only events that may match: here, far fewer than all the long ones for a query no state holds.
      const unsure = ix.unsure(marks, q);
      if (q === 'zqzq' || q === 'deliver #7') expect(unsure.length).toBeLessThan(all.length / 10);
      for (const seq of unsure) {
        const st = stateBySeq.get(seq);
        const full = st ? stateSearchText(seq, st.node, st.state) : texts[seq]!;
        if (full.includes(q)) marks[seq] = 1;
      }
      expect(Array.from(marks), q).toEqual(texts.map((t) => (t.includes(q) ? 1 : 0)));
    }
  });

  it('pairSignature: every character pair of a substring of the lower-cased text is in the text\'s signature', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', 'B', 'k', 'K', '"', ':', '{', 'İ', 'ß', 'Σ', '→', '7', ' ', '\u212a') , maxLength: 60 }), fc.nat(), fc.nat(), (text, a, b) => {
        const lower = text.toLowerCase();
        const from = lower.length === 0 ? 0 : a % lower.length;
        const q = lower.slice(from, from + (b % 8) + 1);
        const st = new Uint32Array(32);
        const sq = new Uint32Array(32);
        pairSignature(text, st);
        pairSignature(q, sq);
        for (let w = 0; w < 32; w++) expect((sq[w]! & st[w]!) >>> 0).toBe(sq[w]);
      }),
      { numRuns: 500, seed: 15 },
    );
  });
});

describe('eventTextOfLine: the index text of an event from its line, bodies not written out again', () => {
  /** Every event line of a trace with its parsed event. */
  const linesOf = (text: string): [TraceEvent, string][] =>
    text
      .split('\n')
      .slice(1)
      .filter((l) => l.startsWith('{"seq"'))
      .map((l) => [JSON.parse(l) as TraceEvent, l]);

  it.each([...traces, ['raft run', (): string => {
    const sink = new MemorySink();
    runPrepared(prepareRun(parseScenario(defaultScenario), { seed: 3 }), { trace: sink });
    return sink.text();
  }] as [string, () => string]])('%s: = eventText for every event the engine wrote, with either arrow', (_name, make) => {
    const lines = linesOf(make());
    expect(lines.some(([ev]) => ev.type === 'state' || ev.type === 'send')).toBe(true);
    for (const [ev, line] of lines) {
      expect(eventTextOfLine(ev, line)).toBe(eventText(ev));
      expect(eventTextOfLine(ev, line, ARROW)).toBe(eventText(ev, ARROW));
    }
  });

  it('a line not as the writer writes it (spaces, fields in another order, a body that is not last) falls back to writing the event out', () => {
    const state: TraceEvent = { seq: 4, t: 10, type: 'state', node: 'n1', state: { role: 'leader', log: [1, 2] } };
    const send: TraceEvent = { seq: 5, t: 11, type: 'send', id: 2, from: 'n1', to: 'n2', msg: { type: 'ping', n: 1.5 } };
    const odd = [
      [state, '{"seq":4,"t":10,"type":"state","node":"n1","state":{"role": "leader", "log":[1,2]}}'],
      [state, '{"seq":4,"t":10,"type":"state","state":{"role":"leader","log":[1,2]},"node":"n1"}'],
      [state, '{"seq":4, "t":10,"type":"state","node":"n1","state":{"role":"leader","log":[1,2]}}'],
      [send, '{"seq":5,"t":11,"type":"send","from":"n1","to":"n2","id":2,"msg":{"type":"ping","n":1.5}}'],
      [send, '{"seq":5,"t":11,"type":"send","id":2,"from":"n1","to":"n2","msg":{"type":"ping","n":1.5}} '],
    ] as const;
    for (const [ev, line] of odd) {
      const canonical = eventText(ev);
      const got = eventTextOfLine(ev, line);
      // Either the fallback (eventText) or, when the line starts as written by the engine, its body as written.
      if (line.includes('"role": "leader"')) expect(got).toBe('#4 n1 state {"role": "leader", "log":[1,2]}');
      else expect(got).toBe(canonical);
    }
  });
});
