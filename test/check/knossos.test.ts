// Jepsen/Knossos EDN histories: the hand-written files in testdata/knossos get the
// verdict their names state (written from the Knossos model definitions), and the EDN
// reader handles the forms real Jepsen histories use.

import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkHistory, models, parseEdn, type Model, type ModelName } from '../../sim/check/linearizability/index.ts';
import { EdnInt, EdnKeyword, EdnReader, EdnSet, EdnSyntaxError, ednToJson, readAll } from '../../sim/check/linearizability/edn.ts';

const DIR = fileURLToPath(new URL('../../testdata/knossos/', import.meta.url));
const files = readdirSync(DIR).filter((f) => f.endsWith('.edn')).sort();

describe('hand-written Knossos histories (testdata/knossos)', () => {
  it('cover every model, both verdicts, and :info operations in wrong histories of each model', () => {
    const text = files.map((f) => readFileSync(DIR + f, 'utf8')).join('\n');
    for (const model of ['cas-register', 'multi-register', 'set']) {
      expect(files.some((f) => f.startsWith(model) && f.endsWith('-ok.edn'))).toBe(true);
      expect(files.some((f) => f.startsWith(model) && f.endsWith('-bad.edn'))).toBe(true);
      // Each model has a wrong history whose indeterminate (:info) operations cannot save it.
      expect(files.some((f) => f.startsWith(model) && f.endsWith('-bad.edn') && readFileSync(DIR + f, 'utf8').includes(':type :info'))).toBe(true);
    }
    expect(text).toMatch(/:type :info/);
  });

  for (const file of files) {
    const ok = file.endsWith('-ok.edn');
    const expectedModel: ModelName = file.startsWith('multi-register') ? 'multi-register' : file.startsWith('set') ? 'set' : 'cas-register';
    it(`${file}: ${ok ? 'linearizable' : 'NOT linearizable'} (${expectedModel})`, () => {
      const parsed = parseEdn(readFileSync(DIR + file, 'utf8'), file);
      expect(parsed.model).toBe(expectedModel);
      const r = checkHistory(parsed.history, models[parsed.model!] as Model<unknown>);
      expect(r.verdict).toBe(ok ? 'linearizable' : 'not-linearizable');
    });
  }

  it('Knossos semantics differ from the etcd register where Knossos says so', () => {
    // A failed cas did not happen (Knossos) vs compared-and-lost (Porcupine's etcd reading).
    const text = ['{:type :invoke, :f :cas, :process 0, :value [1 2]}', '{:type :fail, :f :cas, :process 0, :value [1 2]}'].join('\n');
    const h = parseEdn(text, 'x.edn').history;
    expect(checkHistory(h, models['cas-register']).operations).toBe(0);
    // Under the etcd register, a failed cas [nil 2] on a nil register is impossible.
    const nilCas = parseEdn(text.replace(/\[1 2\]/g, '[nil 2]'), 'x.edn').history;
    expect(checkHistory(nilCas, models.register).verdict).toBe('not-linearizable');
    expect(checkHistory(nilCas, models['cas-register']).verdict).toBe('linearizable');
  });

  it('multi-register transactions over disjoint keys are checked as separate groups', () => {
    const parsed = parseEdn(readFileSync(DIR + 'multi-register-ok.edn', 'utf8'), 'm.edn');
    const r = checkHistory(parsed.history, models['multi-register']);
    expect(r.partitions).toBe(2); // {x, y} and {z}
  });

  it('keeps :time, :index and :error as data, skips and counts nemesis ops', () => {
    const p = parseEdn(
      [
        '{:index 0, :time 5, :type :invoke, :process 0, :f :write, :value 1}',
        '{:index 1, :time 9, :type :info, :process :nemesis, :f :start, :value "partition"}',
        '{:index 2, :time 12, :type :ok, :process 0, :f :write, :value 1, :error [:timeout "x"]}',
      ].join('\n'),
      'e.edn',
    );
    expect(p.skipped).toEqual({ nemesis: 1 });
    expect(p.history.map((e) => e.type)).toEqual(['invoke', 'return']);
    expect(p.history[1]).toMatchObject({ type: 'return', outcome: 'ok' });
    expect(p.extra!.get(0)).toEqual({ index: 0, time: 5 });
    expect(p.extra!.get(1)).toEqual({ index: 2, time: 12, error: [':timeout', 'x'] });
  });
});

describe('EDN reader', () => {
  it('reads the value forms of Jepsen histories', () => {
    const [v] = readAll('{:a 9007199254740993, :b #{1 2}, :c (1 "x" :k), :d nil, :e 1.5, :f \\c, :g #inst "2020-01-01", :h 12N, :i -3, :j 1/2} ; comment');
    const m = v!.value as Map<unknown, unknown>;
    expect(m.get(':a')).toEqual(new EdnInt('9007199254740993'));
    expect(m.get(':b')).toEqual(new EdnSet([1, 2]));
    expect(m.get(':c')).toEqual([1, 'x', new EdnKeyword('k')]);
    expect([m.get(':d'), m.get(':e'), m.get(':f'), m.get(':g'), m.get(':h'), m.get(':i'), m.get(':j')]).toEqual([null, 1.5, 'c', '2020-01-01', 12, -3, 0.5]);
    expect(ednToJson(m.get(':a') as EdnInt)).toEqual({ $int: '9007199254740993' });
    expect(ednToJson(new EdnSet([3, 1, 2]))).toEqual([1, 2, 3]);
  });

  it('counts lines, discards #_ forms, and reads several top-level values', () => {
    const all = readAll('\n{:a 1}\n#_ {:skipped true}\n\n{:b\n 2}');
    expect(all.map((x) => x.line)).toEqual([2, 5]);
  });

  const errors: [string, RegExp][] = [
    ['{:a [1', /unterminated vector \(opened on line 1\)/],
    ['{:a "x', /unterminated string/],
    ['{:a}', /even number of forms/],
    ['}', /unexpected "}"/],
    ['[1 2)', /unexpected "\)"/],
    ['"\\q"', /bad escape/],
    ['12abc', /bad number/],
    [':', /empty keyword/],
    ['#{1', /unterminated map or set/],
    ['[', /unterminated vector/],
    ['['.repeat(10_000), /nested deeper than 200 levels/],
    ['#_'.repeat(10_000) + '1', /nested deeper than 200 levels/],
  ];
  for (const [text, message] of errors)
    it(`rejects ${JSON.stringify(text.slice(0, 12))} with a syntax error and its line`, () => {
      let err: unknown;
      try {
        new EdnReader(text).next();
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(EdnSyntaxError);
      expect((err as EdnSyntaxError).message).toMatch(message);
      expect((err as EdnSyntaxError).line).toBe(1);
    });
});
