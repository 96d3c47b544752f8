// Parsers: Jepsen etcd logs (tabs or spaces), Jepsen/Porcupine kv EDN maps and
// Faultline traces, to the engine's history events; bad input names file and line.

import { describe, expect, it } from 'vitest';
import { checkHistory, detectFormat, models, parseEtcd, parseKv, parseTrace } from '../../sim/check/linearizability/index.ts';
import { InputError } from '../../sim/scenario/errors.ts';

const etcd = (lines: string[]) => lines.map((l) => `INFO  jepsen.util - ${l.replace(/ /g, '\t')}`).join('\n') + '\n';

function inputError(fn: () => unknown): InputError {
  try {
    fn();
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  throw new Error('expected an InputError');
}

describe('etcd parser', () => {
  const text = etcd(['0 :invoke :write 3', '1 :invoke :cas [3 4]', '0 :ok :write 3', '1 :fail :cas [3 4]', '2 :invoke :read nil', '2 :ok :read nil', '3 :invoke :write 1', '3 :info :write :timed-out', '4 :invoke :read nil', '4 :fail :read :timed-out']);

  it('pairs returns with the open call of the process and maps outcomes', () => {
    const p = parseEtcd(text, 'x.log');
    expect(p.model).toBe('register');
    expect(p.lines).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(p.history).toEqual([
      { type: 'invoke', t: 1, node: '', op: 0, process: '0', f: 'write', value: 3 },
      { type: 'invoke', t: 2, node: '', op: 1, process: '1', f: 'cas', value: [3, 4] },
      { type: 'return', t: 3, node: '', op: 0, process: '0', outcome: 'ok' },
      { type: 'return', t: 4, node: '', op: 1, process: '1', outcome: 'fail' },
      { type: 'invoke', t: 5, node: '', op: 2, process: '2', f: 'read' },
      { type: 'return', t: 6, node: '', op: 2, process: '2', outcome: 'ok', value: null },
      { type: 'invoke', t: 7, node: '', op: 3, process: '3', f: 'write', value: 1 },
      { type: 'return', t: 8, node: '', op: 3, process: '3', outcome: 'info' },
      { type: 'invoke', t: 9, node: '', op: 4, process: '4', f: 'read' },
      { type: 'return', t: 10, node: '', op: 4, process: '4', outcome: 'info' },
    ]);
  });

  it('reads spaces the same as tabs, and skips blank lines and CRLF endings', () => {
    const spaced = text.replace(/\t/g, '  ').replace(/\n/g, '\r\n\r\n');
    const strip = (h: ReturnType<typeof parseEtcd>['history']) => h.map(({ t: _t, ...rest }) => rest);
    const p = parseEtcd(spaced, 'x.log');
    expect(strip(p.history)).toEqual(strip(parseEtcd(text, 'x.log').history));
    expect(p.lines).toEqual([1, 3, 5, 7, 9, 11, 13, 15, 17, 19]);
  });

  it('names the file and line of bad input', () => {
    const e = inputError(() => parseEtcd(etcd(['0 :invoke :read nil', '0 :ok :read 1']) + 'garbage here\n', 'bad.log'));
    expect(e.describe()).toMatch(/^bad\.log: line 3: expected "INFO jepsen.util/);
    expect(inputError(() => parseEtcd(etcd(['0 :ok :read 1']), 'a.log')).describe()).toBe('a.log: line 1: process 0 returns from read without an open call');
    expect(inputError(() => parseEtcd(etcd(['0 :invoke :read nil', '0 :invoke :read nil']), 'a.log')).describe()).toMatch(/^a\.log: line 2: process 0 invokes read while its previous call is still open/);
    expect(inputError(() => parseEtcd(etcd(['0 :invoke :incr 1']), 'a.log')).describe()).toMatch(/line 1: unknown operation :incr/);
    expect(inputError(() => parseEtcd(etcd(['0 :invoke :cas 3']), 'a.log')).describe()).toMatch(/line 1: cas needs a value \[expected new\]/);
    expect(inputError(() => parseEtcd(etcd(['0 :invoke :cas [1 2']), 'a.log')).describe()).toMatch(/line 1: bad value .*unterminated vector/);
    expect(inputError(() => parseEtcd(etcd(['0 :invoke :write 1', '0 :ok :read 1']), 'a.log')).describe()).toMatch(/line 2: process 0 returns from read but its open call is write/);
  });
});

describe('kv parser', () => {
  const text = [
    '{:process 0, :type :invoke, :f :append, :key "1", :value "x 0 0 y"}',
    '{:process 1, :type :invoke, :f :get, :key "1", :value nil}',
    '{:process 0, :type :ok, :f :append, :key "1", :value "x 0 0 y"}',
    '{:process 1, :type :ok, :f :get, :key "1", :value "x 0 0 y"}',
    '{:process 2, :type :invoke, :f :put, :key "2", :value "say \\"hi\\""}',
    '{:process 2, :type :ok, :f :put, :key "2", :value "say \\"hi\\""}',
  ].join('\n');

  it('parses EDN maps into calls and returns with keys and values', () => {
    const p = parseKv(text, 'c.txt');
    expect(p.model).toBe('kv');
    expect(p.history).toEqual([
      { type: 'invoke', t: 1, node: '', op: 0, process: '0', f: 'append', key: '1', value: 'x 0 0 y' },
      { type: 'invoke', t: 2, node: '', op: 1, process: '1', f: 'get', key: '1' },
      // Every completion keeps its value: it is the result for read-like ops of any model.
      { type: 'return', t: 3, node: '', op: 0, process: '0', outcome: 'ok', value: 'x 0 0 y' },
      { type: 'return', t: 4, node: '', op: 1, process: '1', outcome: 'ok', value: 'x 0 0 y' },
      { type: 'invoke', t: 5, node: '', op: 2, process: '2', f: 'put', key: '2', value: 'say "hi"' },
      { type: 'return', t: 6, node: '', op: 2, process: '2', outcome: 'ok', value: 'say "hi"' },
    ]);
    expect(checkHistory(p.history, models.kv).verdict).toBe('linearizable');
  });

  it('names the file and line of bad input', () => {
    expect(inputError(() => parseKv('{:process 0, :type :invoke, :f :get, :key "1", :value nil}\n{:process 0 :type', 'k.txt')).describe()).toMatch(/^k\.txt: line 2: expected EDN op maps .*: unterminated map or set \(opened on line 2\)$/);
    expect(inputError(() => parseKv('{:process 0, :type :started, :f :get, :key "1"}', 'k.txt')).describe()).toMatch(/^k\.txt: line 1: :type must be :invoke, :ok, :fail or :info/);
    expect(inputError(() => parseKv('{:process 0, :type :ok, :f :get, :key "1", :value "a"}', 'k.txt')).describe()).toMatch(/line 1: process 0 returns from get without an open call/);
    expect(inputError(() => parseKv('{:process 0, :type :invoke, :f :get, :key "1"} trailing', 'k.txt')).describe()).toMatch(/line 1: expected an op map \{:type .*got "trailing"/);
  });
});

describe('trace parser', () => {
  const header = JSON.stringify({ format: 'faultline-trace', version: 1, scenario: 's', protocol: 'p', seed: '1', config: null, nodes: [], timeline: [] });
  const lines = [
    header,
    JSON.stringify({ seq: 0, t: 5, type: 'start', node: 'c1' }),
    JSON.stringify({ seq: 1, t: 10, type: 'invoke', node: 'c1', op: 0, process: 'c1', f: 'put', key: 'k', value: 'v' }),
    JSON.stringify({ seq: 2, t: 20, type: 'send', id: 1, from: 'c1', to: 'n1', msg: { type: 'put' } }),
    JSON.stringify({ seq: 3, t: 30, type: 'return', node: 'c1', op: 0, process: 'c1', outcome: 'ok' }),
    JSON.stringify({ type: 'end', t: 30, events: 4, hash: 'x', stats: {} }),
  ];

  it('keeps only invoke/return events, with their lines', () => {
    const p = parseTrace(lines.join('\n') + '\n', 't.jsonl');
    expect(p.model).toBeUndefined();
    expect(p.lines).toEqual([3, 5]);
    expect(p.history).toEqual([
      { type: 'invoke', t: 10, node: 'c1', op: 0, process: 'c1', f: 'put', key: 'k', value: 'v' },
      { type: 'return', t: 30, node: 'c1', op: 0, process: 'c1', outcome: 'ok' },
    ]);
  });

  it('names the file and line of bad input', () => {
    expect(inputError(() => parseTrace(lines.slice(1).join('\n'), 't.jsonl')).describe()).toMatch(/^t\.jsonl: line 1: expected a trace header/);
    expect(inputError(() => parseTrace([header, '{"seq":0,'].join('\n'), 't.jsonl')).describe()).toBe('t.jsonl: line 2: expected one JSON object per line (JSON Lines)');
    const noProcess = JSON.stringify({ seq: 1, t: 10, type: 'invoke', node: 'c1', op: 0, f: 'put' });
    expect(inputError(() => parseTrace([header, noProcess].join('\n'), 't.jsonl')).describe()).toMatch(/^t\.jsonl: line 2: bad invoke event: process: /);
    expect(inputError(() => parseTrace('', 't.jsonl')).describe()).toMatch(/empty trace/);
  });
});

describe('format detection', () => {
  it('recognises each format from its first line', () => {
    expect(detectFormat('\nINFO  jepsen.util - 0\t:invoke\t:read\tnil')).toBe('etcd');
    expect(detectFormat('{:process 0, :type :invoke}')).toBe('edn');
    expect(detectFormat('[{:process 0, :type :invoke}')).toBe('edn');
    expect(detectFormat('[\n{:process 0, :type :invoke}')).toBe('edn');
    expect(detectFormat('\uFEFF; a comment\n#jepsen.history.Op{:index 0}')).toBe('edn');
    expect(detectFormat('{"format":"faultline-trace"}')).toBe('trace');
    expect(detectFormat('hello')).toBeUndefined();
  });
});
