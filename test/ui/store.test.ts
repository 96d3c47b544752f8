// The viewer's state logic, without a browser: filters, stepping through
// filtered events, cursor bounds; and the ring panel's point layout.

import { describe, expect, it } from 'vitest';
import { buildColumns, causalPastColumns } from '../../sim/trace/columns.ts';
import { parseTrace } from '../../sim/trace/parse.ts';
import { rawLineDecides, searchText, Store } from '../../ui/src/store.ts';
import type { TraceEvent } from '../../sim/engine/types.ts';
import { ringLayout, ringPoints } from '../../ui/src/panels/ring.ts';
import { changedKeys } from '../../ui/src/panels/nodes.ts';
import { HashRing } from '../../sim/protocols/ring/ring.ts';
import { hash32 } from '../../sim/protocols/ring/hash.ts';
import { bigTrace, raftTrace } from './synthetic.ts';

function loaded(): Store {
  const s = new Store();
  const parsed = parseTrace(raftTrace());
  s.load(buildColumns(parsed), { source: 'raft.jsonl', warnings: [], footer: parsed.footer, timings: {}, events: parsed.events });
  return s;
}

describe('Store', () => {
  it('clamps the cursor and notifies only on change', () => {
    const s = loaded();
    let n = 0;
    s.on('cursor', () => n++);
    s.setCursor(1e9);
    expect(s.cursor).toBe(26);
    s.setCursor(26);
    s.setCursor(-4);
    expect(s.cursor).toBe(0);
    expect(n).toBe(2);
  });

  it('hides message events of hidden types and events of hidden nodes, but not cluster-wide ones', () => {
    const s = loaded();
    s.hiddenTypes.add('RequestVote');
    s.hiddenNodes.add('n3');
    const shown = s.info!.events!.filter((e) => s.passes(e.seq)).map((e) => e.seq);
    expect(shown).toEqual([0, 1, 3, 4, 5, 10, 11, 12, 13, 14, 15, 17, 18, 19, 21, 22, 25, 26]);
  });

  it('searches case-insensitively in the event descriptions and steps over what does not match', () => {
    const s = loaded();
    s.setSearch('RequestVoteReply');
    expect(s.info!.events!.filter((e) => s.passes(e.seq)).map((e) => e.seq)).toEqual([10]);
    s.setSearch('deliver #');
    s.step(1);
    expect(s.cursor).toBe(9);
    s.step(1);
    expect(s.cursor).toBe(12);
    s.step(-1);
    expect(s.cursor).toBe(9);
    s.step(-1); // nothing before: stays
    expect(s.cursor).toBe(9);
  });
});

describe('ringPoints', () => {
  it('places round(8 x weight) points per member, sorted by angle, independent of member order', () => {
    const a = ringPoints([
      { id: 'a', weight: 1 },
      { id: 'b', weight: 2.5 },
    ]);
    const b = ringPoints([
      { id: 'b', weight: 2.5 },
      { id: 'a', weight: 1 },
    ]);
    expect(a.filter((p) => p.id === 'a').length).toBe(8);
    expect(a.filter((p) => p.id === 'b').length).toBe(20);
    expect(a).toEqual(b);
    expect(a.every((p, i) => i === 0 || a[i - 1]!.angle <= p.angle)).toBe(true);
    expect(a.every((p) => p.angle >= 0 && p.angle < 2 * Math.PI)).toBe(true);
  });
});

describe('ringPoints in native layout', () => {
  it('draws the protocol ring: the first point clockwise of a key hash belongs to the member HashRing (1 probe) says owns it', () => {
    const members = [
      { id: 'n1', weight: 1 },
      { id: 'n2', weight: 2 },
      { id: 'n3', weight: 0.5 },
    ];
    const pts = ringPoints(members, { kind: 'native', vnodes: 20 });
    expect(pts.length).toBe(20 + 40 + 10);
    const ring = new HashRing(members, { vnodes: 20, probes: 1 });
    for (let k = 0; k < 500; k++) {
      const key = `key-${k}`;
      const angle = (hash32(key, 0) / 2 ** 32) * Math.PI * 2;
      const owner = (pts.find((p) => p.angle >= angle) ?? pts[0]!).id;
      expect(owner).toBe(ring.lookup(key));
    }
  });

  it('uses the native layout only for ring traces in native mode, with their vnodes', () => {
    const header = (protocol: string, config: object) => ({ header: { protocol, config } }) as never;
    expect(ringLayout(header('ring', { config: { mode: 'native', vnodes: 40 } }))).toEqual({ kind: 'native', vnodes: 40 });
    expect(ringLayout(header('ring', { config: {} }))).toEqual({ kind: 'native', vnodes: 160 });
    expect(ringLayout(header('ring', { config: { mode: 'ketama' } })).kind).toBe('sketch');
    expect(ringLayout(header('other', {})).kind).toBe('sketch');
  });
});

describe('changedKeys', () => {
  it('names the top-level fields that differ from the node previous snapshot', () => {
    const m = loaded().model!;
    expect(changedKeys(m, 'n1', 3)).toEqual([]); // the first: nothing to compare with
    expect(changedKeys(m, 'n1', 5)).toEqual(['role', 'term']);
    expect(changedKeys(m, 'n1', 13)).toEqual(['role', 'votedFor', 'leader', 'commitIndex', 'lastApplied', 'log']);
  });
});

describe('rawLineDecides (the loader worker searches the JSON line first)', () => {
  it('for such a query, an event whose search text holds it has a JSON line that holds it too', async () => {
    const { MemorySink } = await import('../../sim/engine/trace.ts');
    const { parseScenario, prepareRun } = await import('../../sim/scenario/resolve.ts');
    const { runPrepared } = await import('../../sim/scenario/run.ts');
    const { loadAllScenarios } = await import('../../sim/cli/scenarios.ts');
    const fc = (await import('fast-check')).default;
    const events: TraceEvent[] = [...parseTrace(raftTrace()).events];
    for (const { file, scenario } of (await loadAllScenarios()).slice(0, 6)) {
      const sink = new MemorySink();
      runPrepared(prepareRun(parseScenario(scenario, file), { file }), { trace: sink });
      events.push(...parseTrace(sink.text()).events.filter((_, i) => i % 7 === 0));
    }
    let decided = 0;
    fc.assert(
      fc.property(fc.nat(events.length - 1), fc.nat(200), fc.integer({ min: 1, max: 12 }), (i, start, len) => {
        const ev = events[i]!;
        const text = searchText(ev);
        const q = text.slice(start % text.length, (start % text.length) + len);
        if (!rawLineDecides(q)) return;
        decided++;
        expect(JSON.stringify(ev).toLowerCase().includes(q), `${q} in ${JSON.stringify(ev)}`).toBe(true);
      }),
      { numRuns: 4000 },
    );
    expect(decided).toBeGreaterThan(500);
    expect(rawLineDecides('deliver #7')).toBe(false);
    expect(rawLineDecides('requestvote')).toBe(true);
    expect(rawLineDecides('caus')).toBe(false);
  });
});

describe('Store with a remote source (a trace too big to keep in the page)', () => {
  function remote(): { s: Store; calls: string[]; events: TraceEvent[] } {
    const parsed = parseTrace(raftTrace());
    const cols = buildColumns(parsed);
    const calls: string[] = [];
    const s = new Store();
    const tick = (): Promise<void> => new Promise((ok) => setTimeout(ok, 1));
    s.load(cols, {
      source: 'big',
      warnings: [],
      footer: parsed.footer,
      timings: {},
      remote: {
        async events(from, to) {
          calls.push(`events ${from}-${to}`);
          await tick();
          return parsed.events.slice(from, to);
        },
        async causal(seq) {
          calls.push(`causal ${seq}`);
          await tick();
          return causalPastColumns(cols, seq);
        },
        async search(q) {
          calls.push(`search ${q}`);
          await tick();
          return Uint8Array.from(parsed.events, (e) => (searchText(e).includes(q) ? 1 : 0));
        },
      },
    });
    return { s, calls, events: parsed.events };
  }
  const next = (s: Store, topic: 'details' | 'causal' | 'search'): Promise<void> => new Promise((ok) => s.on(topic, ok));

  it('reads details in chunks once, and says so when they arrive', async () => {
    const { s, calls, events } = remote();
    expect(s.event(5)).toBeUndefined();
    expect(s.event(6)).toBeUndefined(); // same chunk: one request
    await next(s, 'details');
    expect(s.event(5)).toEqual(events[5]);
    expect(s.event(26)).toEqual(events[26]);
    expect(calls).toEqual(['events 0-27']);
  });

  it('asks the source for the causal past of the cursor and for search matches; the filters use them', async () => {
    const { s, calls } = remote();
    s.causal = true;
    s.setCursor(17);
    expect(s.causalMarks()).toBeUndefined();
    await next(s, 'causal');
    expect(Array.from(s.causalMarks()!).flatMap((v, i) => (v ? [i] : []))).toEqual([0, 1, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13, 14, 15, 17]);
    s.setSearch('deliver #');
    expect(s.searching()).toBe(true);
    expect(s.passes(9)).toBe(false); // nothing matches until the answer is in
    await next(s, 'search');
    expect(s.searching()).toBe(false);
    expect([...Array(27).keys()].filter((i) => s.passes(i))).toEqual([9, 12, 14, 17]);
    expect(calls).toEqual(['causal 17', 'search deliver #']);
  });

  // The list's one pass over the columns (passing) against the rule it implements (passes), event by event.
  it.each([
    { nodes: [], types: [], search: '' },
    { nodes: ['n3'], types: [], search: '' },
    { nodes: [], types: ['RequestVote'], search: '' },
    { nodes: ['n1', 'n3'], types: ['AppendEntries'], search: '' },
    { nodes: [], types: [], search: 'deliver #' },
    { nodes: ['n2'], types: ['RequestVoteReply'], search: 'deliver' },
    { nodes: [], types: [], search: 'no event says this' },
  ])('lists the events that pass the filters: hidden nodes $nodes, types $types, search "$search"', async ({ nodes, types, search }) => {
    const stores = [remote().s, loaded()];
    for (const s of stores) {
      for (const n of nodes) s.hiddenNodes.add(n);
      for (const t of types) s.hiddenTypes.add(t);
      if (search !== '') {
        s.setSearch(search);
        // Before the worker's answer (nothing passes), then with it.
        expect(Array.from(s.passing())).toEqual([...Array(s.model!.count).keys()].filter((i) => s.passes(i)));
        while (s.searching()) await next(s, 'search');
      }
      const want = [...Array(s.model!.count).keys()].filter((i) => s.passes(i));
      expect(Array.from(s.passing())).toEqual(want);
    }
    expect(Array.from(stores[0]!.passing())).toEqual(Array.from(stores[1]!.passing()));
  });

  it('reads rows far apart one event each, rows close together by their chunks', async () => {
    const parsed = parseTrace(bigTrace(6000));
    const calls: string[] = [];
    const s = new Store();
    s.load(buildColumns(parsed), {
      source: 'big',
      warnings: [],
      footer: parsed.footer,
      timings: {},
      remote: {
        async events(from, to) {
          calls.push(`${from}-${to}`);
          await new Promise((ok) => setTimeout(ok, 1));
          return parsed.events.slice(from, to);
        },
        causal: async () => new Uint8Array(0),
        search: async () => new Uint8Array(0),
      },
    });
    // A search's rows, thousands of events apart: each read alone, not the chunks between them.
    const far = [3, 700, 1500, 2600, 3100, 4000, 5999];
    s.prefetchRows(Int32Array.from(far));
    expect(calls).toEqual(far.map((q) => `${q}-${q + 1}`));
    for (const q of far) expect(s.event(q, false)).toBeUndefined();
    await new Promise((ok) => setTimeout(ok, 20));
    for (const q of far) expect(s.event(q, false)).toEqual(parsed.events[q]);
    s.prefetchRows(Int32Array.from(far));
    expect(calls).toHaveLength(far.length); // already read
    // Rows in a few chunks: the chunks (one request each), which then answer their neighbours too.
    calls.length = 0;
    s.prefetchRows(Int32Array.from([1030, 1031, 1600]));
    expect(calls).toEqual(['1024-1536', '1536-2048']);
    await new Promise((ok) => setTimeout(ok, 20));
    expect(s.event(1100, false)).toEqual(parsed.events[1100]);
  });

  it('drops an answer that comes after another trace was loaded', async () => {
    const { s } = remote();
    expect(s.event(3)).toBeUndefined(); // asked the first source; its answer comes after the next load
    const parsed = parseTrace(raftTrace());
    const marked = parsed.events.map((e) => ({ ...e, t: e.t + 0 })) as TraceEvent[];
    s.load(buildColumns(parsed), {
      source: 'second',
      warnings: [],
      footer: parsed.footer,
      timings: {},
      remote: {
        events: async (from, to) => {
          await new Promise((ok) => setTimeout(ok, 30));
          return marked.slice(from, to);
        },
        causal: async () => new Uint8Array(0),
        search: async () => new Uint8Array(0),
      },
    });
    expect(s.event(3)).toBeUndefined();
    await next(s, 'details');
    expect(s.event(3)).toBe(marked[3]); // the second source's object, not the first's
  });
});
