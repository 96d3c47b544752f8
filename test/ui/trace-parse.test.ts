// Reading traces back: real runs round-trip with their hash, malformed files
// name the line and what was wrong, truncated files load with a warning.

import { describe, expect, it } from 'vitest';
import { MemorySink } from '../../sim/engine/trace.ts';
import { parseScenario, prepareRun } from '../../sim/scenario/resolve.ts';
import { runPrepared } from '../../sim/scenario/run.ts';
import { InputError } from '../../sim/scenario/errors.ts';
import { parseTrace, verifyTraceHash } from '../../sim/trace/parse.ts';
import defaultScenario from '../../scenarios/default.ts';
import { raftTrace } from './synthetic.ts';

function runDefault(seed = 3): { text: string; hash: string | undefined; events: number } {
  const sink = new MemorySink();
  const r = runPrepared(prepareRun(parseScenario(defaultScenario), { seed }), { trace: sink });
  return { text: sink.text(), hash: r.hash, events: r.stats.events };
}

function parseError(text: string): InputError {
  try {
    parseTrace(text, { file: 'x.jsonl' });
  } catch (err) {
    if (err instanceof InputError) return err;
    throw err;
  }
  throw new Error('expected an InputError');
}

describe('parseTrace', () => {
  it('reads a real run: every event, the footer, and a verified hash equal to the run hash', () => {
    const { text, hash, events } = runDefault();
    const p = parseTrace(text, { verifyHash: true });
    expect(p.events.length).toBe(events);
    expect(p.events.every((e, i) => e.seq === i)).toBe(true);
    expect(p.footer?.hash).toBe(hash);
    expect(p.hash).toBe('ok');
    expect(p.warnings).toEqual([]);
    expect(p.header.scenario).toBe('default');
  });

  it('verifyTraceHash agrees with parseTrace on intact, edited and footerless traces', () => {
    const { text } = runDefault(5);
    expect(verifyTraceHash(text)).toBe('ok');
    expect(verifyTraceHash(text.replace('"n2"', '"n9"'))).toBe('mismatch');
    expect(verifyTraceHash(text.slice(0, text.lastIndexOf('{"type":"end"')))).toBe('unchecked');
    expect(verifyTraceHash(text.trimEnd())).toBe('ok'); // no final newline
  });

  it('detects a trace edited after the run (hash mismatch) as a warning', () => {
    const text = raftTrace().replace('put k1=1', 'put k1=2');
    const p = parseTrace(text, { verifyHash: true });
    expect(p.hash).toBe('mismatch');
    expect(p.warnings.join()).toMatch(/hash does not match/);
  });

  it('loads a trace cut mid-line with a warning naming the line', () => {
    const text = raftTrace();
    const lines = text.split('\n');
    const cut = lines.slice(0, 10).join('\n') + '\n' + (lines[10] as string).slice(0, 15);
    const p = parseTrace(cut);
    expect(p.events.length).toBe(9);
    expect(p.footer).toBeUndefined();
    expect(p.warnings).toEqual(['the trace is truncated: line 11 is cut off mid-line; showing the 9 events before it']);
  });

  it('loads a trace with no end line with a warning', () => {
    const lines = raftTrace().split('\n');
    const p = parseTrace(lines.slice(0, 6).join('\n') + '\n');
    expect(p.events.length).toBe(5);
    expect(p.warnings[0]).toMatch(/no end line after line 6/);
  });

  it.each([
    ['empty file', '', undefined, /empty/],
    ['not JSON header', 'hello\n', 'line 1', /first line is not JSON/],
    ['foreign JSON', '{"a":1}\n', 'line 1', /not a Faultline trace/],
    ['wrong version', JSON.stringify({ format: 'faultline-trace', version: 9 }) + '\n', 'line 1', /unsupported trace version 9/],
  ])('rejects %s', (_name, text, where, message) => {
    const e = parseError(text);
    expect(e.file).toBe('x.jsonl');
    expect(e.where).toBe(where);
    expect(e.message).toMatch(message);
  });

  it('names the line of a broken event in the middle', () => {
    const lines = raftTrace().split('\n');
    lines[5] = '{"seq":4,"t":100,"type":"timer","node":"n1"'; // missing brace, not the last line
    const e = parseError(lines.join('\n'));
    expect(e.where).toBe('line 6');
    expect(e.message).toMatch(/not valid JSON/);
  });

  it('checks seq order, time order, known types and required fields', () => {
    const lines = raftTrace().split('\n');
    const with4 = (ev: object): string => [...lines.slice(0, 5), JSON.stringify(ev), ...lines.slice(6)].join('\n');
    expect(parseError(with4({ seq: 7, t: 100, type: 'timer', node: 'n1', name: 'e' })).message).toMatch(/expected event seq 4/);
    expect(parseError(with4({ seq: 4, t: -5, type: 'timer', node: 'n1', name: 'e' })).message).toMatch(/time goes backwards/);
    expect(parseError(with4({ seq: 4, t: 100, type: 'teleport', node: 'n1' })).message).toMatch(/unknown event type "teleport"/);
    const missing = parseError(with4({ seq: 4, t: 100, type: 'timer', node: 'n1' }));
    expect([missing.where, missing.message]).toEqual(['line 6', 'timer event: field "name" must be a string']);
  });

  it('rejects lines after the end line', () => {
    const e = parseError(raftTrace() + '{"seq":99}\n');
    expect(e.message).toMatch(/after the end line/);
  });
});
