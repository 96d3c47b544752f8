// The field scanner (sim/trace/scan.ts) against JSON.parse: on every line of real runs and of lines written by
// hand or generated, what it returns is JSON.parse's event with its body left out (a state's `UNPARSED`, a
// message's type only), or nothing (the line is then parsed); columns built from scanned lines equal columns
// built from parsed ones; a cut-off last line is still reported; the states packed from scanned lines (the
// loader's StatePacker) are the parsed states.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../../sim/engine/types.ts';
import { MemorySink } from '../../sim/engine/trace.ts';
import { parseScenario, prepareRun } from '../../sim/scenario/resolve.ts';
import { runPrepared } from '../../sim/scenario/run.ts';
import { ColumnarBuilder } from '../../sim/trace/columns.ts';
import { msgType } from '../../sim/trace/model.ts';
import { unpackStates } from '../../sim/trace/packed-states.ts';
import { parseTrace } from '../../sim/trace/parse.ts';
import { TraceReader } from '../../sim/trace/reader.ts';
import { scanEventHead, UNPARSED } from '../../sim/trace/scan.ts';
import { StatePacker } from '../../ui/src/load/index-builder.ts';
import defaultScenario from '../../scenarios/default.ts';
import ringScenario from '../../scenarios/ring-join-under-load.ts';
import { faultsTrace, raftTrace, ringTrace } from '../ui/synthetic.ts';

function runTrace(scenario: unknown, seed: number): string {
  const sink = new MemorySink();
  runPrepared(prepareRun(parseScenario(scenario), { seed }), { trace: sink });
  return sink.text();
}

/** What the scanner should give for a parsed event: the event without its body. */
function withoutBody(ev: TraceEvent): TraceEvent {
  if (ev.type === 'state') return { ...ev, state: UNPARSED as never };
  if (ev.type === 'send') return { ...ev, msg: { type: msgType(ev.msg) } };
  return ev;
}

const traces: [string, () => string][] = [
  ['raft run (default scenario, seed 3)', () => runTrace(defaultScenario, 3)],
  ['ring run', () => runTrace(ringScenario, 1)],
  ['synthetic raft', raftTrace],
  ['synthetic ring', ringTrace],
  ['every fault kind', faultsTrace],
];

describe('scanEventHead = JSON.parse without the body', () => {
  it.each(traces)('every line of %s', (_name, make) => {
    const lines = make().trimEnd().split('\n').slice(1);
    const scanned = new Map<string, number>();
    for (const line of lines) {
      const doc = JSON.parse(line) as TraceEvent;
      const got = scanEventHead(line);
      if (got === undefined) continue;
      expect(got).toEqual(withoutBody(doc));
      scanned.set(got.type, (scanned.get(got.type) ?? 0) + 1);
    }
    // The writer's own lines take the fast path (not a scanner that always says "parse it").
    if (_name.startsWith('raft run')) for (const t of ['state', 'send', 'deliver', 'timer']) expect(scanned.get(t) ?? 0).toBeGreaterThan(0);
  });

  it('lines the writer does not write go to JSON.parse, or give what it gives', () => {
    const cases: [string, 'parse' | 'same'][] = [
      ['{"seq":01,"t":5,"type":"deliver","id":1,"from":"a","to":"b"}', 'parse'], // not JSON (leading zero)
      ['{"seq":1,"t":05,"type":"timer","node":"a","name":"x"}', 'parse'],
      ['{"seq":1,"t":1e3,"type":"timer","node":"a","name":"x"}', 'same'], // JSON, another spelling of 1000
      ['{"seq":1,"t":-0.5,"type":"timer","node":"a","name":"x"}', 'same'],
      ['{"seq":1,"t":1.,"type":"timer","node":"a","name":"x"}', 'parse'],
      ['{"seq":1,"t":+1,"type":"timer","node":"a","name":"x"}', 'parse'],
      ['{"seq":1,"t":2,"type":"state","node":"n\\"1","state":{}}', 'parse'], // an escape in the node name
      ['{"seq":1,"t":2,"type":"state","node":"n\\u0031","state":{}}', 'parse'],
      ['{"seq":1,"t":2,"type":"state","node":"n\t1","state":{}}', 'parse'], // a raw control character: not JSON
      ['{"seq":1,"t":2,"type":"state","node":"é","state":{"a":"→"}}', 'same'],
      ['{"seq":1,"t":2,"type":"state","node":"n1","state":}', 'parse'], // no body: not JSON
      ['{"seq":1,"t":2,"type":"state","node":"n1","state":null}', 'same'],
      ['{"seq":1,"t":2,"type":"send","id":3,"from":"a","to":"b","msg":{"type":"x"}}', 'same'],
      ['{"seq":1,"t":2,"type":"send","id":3,"from":"a","to":"b","msg":{"type":"x"}', 'parse'], // the "}" is the body's
      ['{"seq":1,"t":2,"type":"send","id":3,"from":"a","to":"b","msg":{"term":1,"type":"x"}}', 'parse'], // type not first
      ['{"seq":1,"t":2,"type":"send","id":3,"from":"a","to":"b","msg":{"type":"a\\"b","n":1}}', 'parse'],
      ['{"seq":1,"t":2,"type":"send","id":3,"from":"a","to":"b","msg":{"type":7}}', 'parse'],
      ['{"seq":1,"t":2,"type":"send","id":3,"from":"a","to":"b","msg":"hello"}', 'parse'],
      ['{"seq":1,"t":2,"type":"send","id":3.5,"from":"a","to":"b","msg":{"type":"x"}}', 'parse'],
      ['{"seq":1,"t":2,"type":"deliver","id":3,"from":"a","to":"b","extra":1}', 'parse'],
      ['{"seq":1,"t":2,"type":"deliver","id":3,"to":"b","from":"a"}', 'parse'], // another key order
      ['{"seq": 1,"t":2,"type":"deliver","id":3,"from":"a","to":"b"}', 'parse'], // spaces
      ['{"seq":1,"t":2,"type":"crash","node":"a"}', 'parse'], // other types: parsed
      ['{"type":"end","t":2,"events":1,"hash":"x"}', 'parse'],
    ];
    for (const [line, want] of cases) {
      const got = scanEventHead(line);
      if (want === 'parse') expect(got, line).toBeUndefined();
      else expect(got, line).toEqual(withoutBody(JSON.parse(line) as TraceEvent));
    }
  });

  it('does not check a body: a state line whose body lost its own last "}" is read by its head (the footer hash tells)', () => {
    const line = '{"seq":1,"t":2,"type":"state","node":"n1","state":{"x":1}';
    expect(() => JSON.parse(line)).toThrow();
    expect(scanEventHead(line)).toMatchObject({ seq: 1, t: 2, type: 'state', node: 'n1' });
  });

  it('generated events written as the writer writes them: scanned as JSON.parse reads them, or parsed', () => {
    const name = fc.oneof(fc.constantFrom('n1', 'c2', '*'), fc.string({ maxLength: 6 }), fc.string({ unit: 'binary', maxLength: 4 }));
    const time = fc.oneof(fc.nat(), fc.double({ noNaN: true, noDefaultInfinity: true }));
    const body = fc.oneof(fc.jsonValue(), fc.record({ type: fc.oneof(fc.string({ maxLength: 8 }), fc.nat()), term: fc.nat() }));
    const event = fc.oneof(
      fc.record({ seq: fc.nat(), t: time, type: fc.constant('state'), node: name, state: body }),
      fc.record({ seq: fc.nat(), t: time, type: fc.constant('send'), id: fc.nat(), from: name, to: name, msg: body }),
      fc.record({ seq: fc.nat(), t: time, type: fc.constant('deliver'), id: fc.nat(), from: name, to: name }),
      fc.record({ seq: fc.nat(), t: time, type: fc.constant('timer'), node: name, name }),
    );
    fc.assert(
      fc.property(event, (ev) => {
        const line = JSON.stringify(ev);
        const got = scanEventHead(line);
        if (got !== undefined) expect(got).toEqual(withoutBody(JSON.parse(line) as TraceEvent));
      }),
      { numRuns: 3000 },
    );
  });
});

describe('reading with the scanner', () => {
  /** The model of `text` read by TraceReader (with or without the scanner), keeping no states (as the loader past its limit). */
  function columns(text: string, scan: boolean): unknown {
    let b: ColumnarBuilder | undefined;
    const packer = new StatePacker();
    let line = '';
    const reader = new TraceReader((ev) => {
      b ??= new ColumnarBuilder(reader.header!);
      b.keepStates = false;
      b.add(ev);
      packer.add(ev, line);
    });
    if (scan) reader.scan = scanEventHead;
    for (const l of text.trimEnd().split('\n')) {
      line = l;
      reader.line(l);
    }
    const s = reader.end();
    return { model: b!.finish(s.footer), states: [...unpackStates(packer.finish(), 8)].map(([node, snaps]) => [node, snaps.map((x) => [x.seq, x.t, x.state])]), summary: s };
  }

  it.each(traces)('%s: the same columns, summary and packed states as parsing every line', (_name, make) => {
    const text = make();
    const scanned = columns(text, true) as { states: unknown };
    expect(scanned).toEqual(columns(text, false));
    // The packed states are the parsed states.
    const byNode = new Map<string, unknown[]>();
    for (const ev of parseTrace(text).events) if (ev.type === 'state') byNode.set(ev.node, [...(byNode.get(ev.node) ?? []), [ev.seq, ev.t, ev.state]]);
    expect(new Map(scanned.states as [string, unknown[]][])).toEqual(byNode);
  });

  it('reports a cut-off last line as a truncation, even when its head is whole and it ends in "}"', () => {
    const text = runTrace(defaultScenario, 3);
    const lines = text.trimEnd().split('\n');
    const at = lines.findIndex((l, i) => i > 10 && l.includes('"type":"state"') && l.includes('},'));
    const cut = lines[at]!.slice(0, lines[at]!.indexOf('},') + 1);
    expect(scanEventHead(cut)).toBeDefined(); // the scanner alone would take it for a state
    for (const scan of [false, true]) {
      const events: TraceEvent[] = [];
      const reader = new TraceReader((ev) => events.push(ev));
      if (scan) reader.scan = scanEventHead;
      for (const l of lines.slice(0, at)) reader.line(l);
      reader.line(cut, false);
      const s = reader.end();
      expect(events.length).toBe(at - 1);
      expect(s.warnings.join(' ')).toMatch(/cut off mid-line/);
    }
  });
});
