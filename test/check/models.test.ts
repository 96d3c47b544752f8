// Hand-made histories for each model: exact verdicts, unknown outcomes, failed
// compare-and-set, P-compositionality, and what the explanation names.

import { describe, expect, it } from 'vitest';
import { checkHistory, checkOperations, counterModel, historyToOperations, HistoryError, kvModel, lockModel, makeSetModel, queueModel, registerModel, setModel } from '../../sim/check/linearizability/index.ts';
import { HistoryBuilder } from './history-builder.ts';

const lin = (b: HistoryBuilder, model = registerModel as Parameters<typeof checkHistory>[1]) => checkHistory(b.history, model);

describe('register model', () => {
  it('accepts a sequential write then read of the written value', () => {
    const b = new HistoryBuilder();
    b.seq('p1', 'read', undefined, null);
    b.seq('p1', 'write', 1);
    b.seq('p2', 'read', undefined, 1);
    expect(lin(b).verdict).toBe('linearizable');
  });

  it('rejects a read of a value never written, and names it as the operation that cannot be placed', () => {
    const b = new HistoryBuilder();
    b.seq('p1', 'write', 1);
    const bad = b.seq('p2', 'read', undefined, 7);
    const r = lin(b);
    expect(r.verdict).toBe('not-linearizable');
    expect(r.failure!.stuck.id).toBe(bad);
    expect(r.failure!.prefix.map((s) => s.op.f)).toEqual(['write']);
    expect(r.failure!.state).toBe(1);
    expect(r.failure!.explanation).toContain('p2: read -> 7');
    expect(r.failure!.explanation).toContain('in state 1 it is illegal');
  });

  it('lets a read overlapping a write see either value', () => {
    for (const seen of [null, 1]) {
      const b = new HistoryBuilder();
      const w = b.call('p1', 'write', 1);
      const r = b.call('p2', 'read');
      b.ok(r, seen).ok(w);
      expect(lin(b).verdict).toBe('linearizable');
    }
  });

  it('rejects a stale read after a completed write (real-time order)', () => {
    const b = new HistoryBuilder();
    b.seq('p1', 'write', 1);
    b.seq('p1', 'write', 2);
    b.seq('p2', 'read', undefined, 1);
    expect(lin(b).verdict).toBe('not-linearizable');
  });

  it('rejects two reads that see a concurrent write take effect and then un-happen', () => {
    const b = new HistoryBuilder();
    const w = b.call('p1', 'write', 1);
    b.seq('p2', 'read', undefined, 1);
    b.seq('p3', 'read', undefined, null);
    b.ok(w);
    expect(lin(b).verdict).toBe('not-linearizable');
  });

  it('cas: ok only when the value equals expected; fail only when it does not', () => {
    const ok = new HistoryBuilder();
    ok.seq('p1', 'write', 1);
    ok.seq('p2', 'cas', [1, 2]);
    ok.seq('p3', 'read', undefined, 2);
    expect(lin(ok).verdict).toBe('linearizable');

    const failWhenEqual = new HistoryBuilder();
    failWhenEqual.seq('p1', 'write', 1);
    const c = failWhenEqual.call('p2', 'cas', [1, 2]);
    failWhenEqual.fail(c);
    const r = lin(failWhenEqual);
    expect(r.verdict).toBe('not-linearizable');
    expect(r.failure!.stuck.id).toBe(c);

    const failWhenDifferent = new HistoryBuilder();
    failWhenDifferent.seq('p1', 'write', 3);
    failWhenDifferent.fail(failWhenDifferent.call('p2', 'cas', [1, 2]));
    failWhenDifferent.seq('p3', 'read', undefined, 3);
    expect(lin(failWhenDifferent).verdict).toBe('linearizable');

    const okWhenDifferent = new HistoryBuilder();
    okWhenDifferent.seq('p1', 'write', 3);
    okWhenDifferent.seq('p2', 'cas', [1, 2]);
    expect(lin(okWhenDifferent).verdict).toBe('not-linearizable');
  });

  it('an unknown write may take effect after its call, or never, but not un-happen', () => {
    const took = new HistoryBuilder();
    took.info(took.call('p1', 'write', 1));
    took.seq('p2', 'read', undefined, 1);
    expect(lin(took).verdict).toBe('linearizable');

    const never = new HistoryBuilder();
    never.info(never.call('p1', 'write', 1));
    never.seq('p2', 'read', undefined, null);
    expect(lin(never).verdict).toBe('linearizable');

    const flip = new HistoryBuilder();
    flip.info(flip.call('p1', 'write', 1));
    flip.seq('p2', 'read', undefined, 1);
    flip.seq('p2', 'read', undefined, null);
    expect(lin(flip).verdict).toBe('not-linearizable');

    const beforeCall = new HistoryBuilder();
    beforeCall.seq('p2', 'read', undefined, 1);
    beforeCall.info(beforeCall.call('p1', 'write', 1));
    expect(lin(beforeCall).verdict).toBe('not-linearizable');
  });

  it('an operation still pending at the end is unknown, like info', () => {
    const b = new HistoryBuilder();
    b.call('p1', 'write', 5); // never returns
    b.seq('p2', 'read', undefined, 5);
    b.seq('p2', 'read', undefined, 5);
    expect(lin(b).verdict).toBe('linearizable');
    const ops = historyToOperations(b.history);
    expect(ops[0]).toMatchObject({ outcome: 'unknown', ret: Infinity });
  });

  it('an unknown cas either took effect (value was expected) or not', () => {
    for (const [seen, verdict] of [[2, 'linearizable'], [1, 'linearizable'], [3, 'not-linearizable']] as const) {
      const b = new HistoryBuilder();
      b.seq('p1', 'write', 1);
      b.info(b.call('p2', 'cas', [1, 2]));
      b.seq('p3', 'read', undefined, seen);
      expect(lin(b).verdict).toBe(verdict);
    }
  });

  it('a failed write constrains nothing', () => {
    const b = new HistoryBuilder();
    b.fail(b.call('p1', 'write', 5));
    b.seq('p2', 'read', undefined, 5);
    expect(lin(b).verdict).toBe('not-linearizable');
  });

  it('rejects operations the model does not know, naming the event', () => {
    const b = new HistoryBuilder();
    b.seq('p1', 'write', 1);
    b.seq('p1', 'incr', 1);
    expect(() => lin(b)).toThrow(HistoryError);
    try {
      lin(b);
    } catch (e) {
      expect((e as HistoryError).position).toBe(2);
      expect((e as HistoryError).message).toContain('"incr"');
    }
    const badCas = new HistoryBuilder();
    badCas.seq('p1', 'cas', 3);
    expect(() => lin(badCas)).toThrow(/cas needs the value \[expected, new\]/);
  });
});

describe('key-value model', () => {
  const kv = (b: HistoryBuilder) => checkHistory(b.history, kvModel);

  it('an absent key reads as "" or null', () => {
    const b = new HistoryBuilder();
    b.seq('p1', 'get', undefined, '', 'a');
    b.seq('p1', 'get', undefined, null, 'a');
    b.seq('p1', 'put', 'x', undefined, 'a');
    b.seq('p1', 'get', undefined, 'x', 'a');
    expect(kv(b).verdict).toBe('linearizable');
  });

  it('concurrent appends may land in either order, but a later get sees both', () => {
    for (const [seen, verdict] of [['ab', 'linearizable'], ['ba', 'linearizable'], ['a', 'not-linearizable'], ['aab', 'not-linearizable']] as const) {
      const b = new HistoryBuilder();
      const x = b.call('p1', 'append', 'a', 'k');
      const y = b.call('p2', 'append', 'b', 'k');
      b.ok(y).ok(x);
      b.seq('p3', 'get', undefined, seen, 'k');
      expect(kv(b).verdict, seen).toBe(verdict);
    }
  });

  it('cas on a key: [expected, new], with null matching an absent key', () => {
    const b = new HistoryBuilder();
    b.seq('p1', 'cas', [null, 'v1'], undefined, 'k');
    b.fail(b.call('p2', 'cas', [null, 'v2'], 'k'));
    b.seq('p3', 'cas', ['v1', 'v3'], undefined, 'k');
    b.seq('p3', 'get', undefined, 'v3', 'k');
    expect(kv(b).verdict).toBe('linearizable');
  });

  it('appending to a non-string value is illegal', () => {
    const b = new HistoryBuilder();
    b.seq('p1', 'put', 5, undefined, 'k');
    b.seq('p1', 'append', 'x', undefined, 'k');
    expect(kv(b).verdict).toBe('not-linearizable');
  });

  it('checks key by key and stops at the first key proven non-linearizable', () => {
    const b = new HistoryBuilder();
    b.seq('p1', 'put', 'x', undefined, 'k1');
    b.seq('p1', 'get', undefined, 'y', 'k1'); // k1 is broken
    for (let i = 0; i < 5; i++) b.seq('p2', 'append', String(i), undefined, 'k2');
    b.seq('p2', 'get', undefined, 'wrong', 'k3'); // k3 is broken too, but never checked
    const r = kv(b);
    expect(r.verdict).toBe('not-linearizable');
    expect(r.partitions).toBe(3);
    expect(r.checked).toBe(1);
    expect(r.failure!.partition).toBe('k1');
    expect(r.failure!.explanation).toContain('kv key "k1" is not linearizable');
  });

  it('keys are independent: interleaving keys does not create false violations', () => {
    const b = new HistoryBuilder();
    const a = b.call('p1', 'put', '1', 'a');
    const c = b.call('p2', 'put', '2', 'b');
    b.seq('p3', 'get', undefined, '2', 'b');
    b.ok(a).ok(c);
    b.seq('p3', 'get', undefined, '1', 'a');
    expect(kv(b)).toMatchObject({ verdict: 'linearizable', partitions: 2, checked: 2 });
  });
});

describe('lock model', () => {
  const lock = (b: HistoryBuilder) => checkHistory(b.history, lockModel);

  it('acquire, release, acquire by another client', () => {
    const b = new HistoryBuilder();
    b.seq('c1', 'acquire', undefined, undefined, 'L');
    b.seq('c1', 'release', undefined, undefined, 'L');
    b.seq('c2', 'acquire', undefined, undefined, 'L');
    expect(lock(b).verdict).toBe('linearizable');
  });

  it('rejects two holders at once and a release by a non-holder', () => {
    const two = new HistoryBuilder();
    two.seq('c1', 'acquire', undefined, undefined, 'L');
    const second = two.seq('c2', 'acquire', undefined, undefined, 'L');
    const r = lock(two);
    expect(r.verdict).toBe('not-linearizable');
    expect(r.failure!.stuck.id).toBe(second);
    expect(r.failure!.explanation).toContain('held by c1');

    const stranger = new HistoryBuilder();
    stranger.seq('c1', 'acquire', undefined, undefined, 'L');
    stranger.seq('c2', 'release', undefined, undefined, 'L');
    expect(lock(stranger).verdict).toBe('not-linearizable');
  });

  it('overlapping acquires are fine if one releases in between', () => {
    const b = new HistoryBuilder();
    const a1 = b.call('c1', 'acquire', undefined, 'L');
    const a2 = b.call('c2', 'acquire', undefined, 'L');
    b.ok(a1);
    b.seq('c1', 'release', undefined, undefined, 'L');
    b.ok(a2);
    expect(lock(b).verdict).toBe('linearizable');
  });

  it('an unknown acquire may never have happened; an unknown release may have', () => {
    const acq = new HistoryBuilder();
    acq.info(acq.call('c1', 'acquire', undefined, 'L'));
    acq.seq('c2', 'acquire', undefined, undefined, 'L');
    expect(lock(acq).verdict).toBe('linearizable');

    const rel = new HistoryBuilder();
    rel.seq('c1', 'acquire', undefined, undefined, 'L');
    rel.info(rel.call('c1', 'release', undefined, 'L'));
    rel.seq('c2', 'acquire', undefined, undefined, 'L');
    expect(lock(rel).verdict).toBe('linearizable');

    const failed = new HistoryBuilder();
    failed.seq('c1', 'acquire', undefined, undefined, 'L');
    failed.fail(failed.call('c1', 'release', undefined, 'L'));
    failed.seq('c2', 'acquire', undefined, undefined, 'L');
    expect(lock(failed).verdict).toBe('not-linearizable');
  });

  it('different locks are independent', () => {
    const b = new HistoryBuilder();
    b.seq('c1', 'acquire', undefined, undefined, 'L1');
    b.seq('c2', 'acquire', undefined, undefined, 'L2');
    expect(lock(b)).toMatchObject({ verdict: 'linearizable', partitions: 2 });
  });
});

describe('history pairing', () => {
  it('rejects a return without a call, a second call with one id, and a second return', () => {
    expect(() => historyToOperations([{ type: 'return', t: 0, node: 'c', op: 3, process: 'p', outcome: 'ok' }])).toThrow(/never invoked/);
    const inv = { type: 'invoke', t: 0, node: 'c', op: 1, process: 'p', f: 'read' } as const;
    expect(() => historyToOperations([inv, inv])).toThrow(/invoked twice/);
    const ret = { type: 'return', t: 1, node: 'c', op: 1, process: 'p', outcome: 'ok' } as const;
    expect(() => historyToOperations([inv, ret, ret])).toThrow(/returns twice/);
  });

  it('maps ok/fail/info to outcomes with the right intervals', () => {
    const b = new HistoryBuilder();
    b.ok(b.call('p', 'read'), 1);
    b.fail(b.call('p', 'write', 2));
    b.info(b.call('p', 'write', 3));
    expect(historyToOperations(b.history).map((o) => [o.outcome, o.call, o.ret, o.output])).toEqual([
      ['ok', 0, 1, 1],
      ['fail', 2, 3, undefined],
      ['unknown', 4, Infinity, undefined],
    ]);
  });

  it('an empty history, and one with only unknown operations, are linearizable', () => {
    expect(checkHistory([], kvModel)).toMatchObject({ verdict: 'linearizable', partitions: 0, operations: 0 });
    const b = new HistoryBuilder();
    b.info(b.call('p1', 'put', 'x', 'k'));
    b.call('p2', 'append', 'y', 'k');
    expect(checkHistory(b.history, kvModel)).toMatchObject({ verdict: 'linearizable', partitions: 1, operations: 2, steps: 0 });
  });

  it('zero-length intervals (call and return at the same time) are allowed in operations', () => {
    const ops = [
      { id: 0, process: 'a', f: 'write', input: 1, outcome: 'ok' as const, call: 0, ret: 10 },
      { id: 1, process: 'b', f: 'read', outcome: 'ok' as const, output: 1, call: 5, ret: 5 },
      { id: 2, process: 'c', f: 'read', outcome: 'ok' as const, output: null, call: 6, ret: 6 },
    ];
    expect(checkOperations(ops, registerModel).verdict).toBe('not-linearizable');
    expect(checkOperations(ops.slice(0, 2), registerModel).verdict).toBe('linearizable');
  });

  it('the search budget yields an unknown verdict rather than a guess', () => {
    const b = new HistoryBuilder();
    const ids = [1, 2, 3, 4, 5, 6].map((v) => b.call(`p${v}`, 'write', v));
    for (const id of ids) b.ok(id);
    b.seq('q', 'read', undefined, 6);
    const r = checkHistory(b.history, registerModel, { maxSteps: 3 });
    expect(r.verdict).toBe('unknown');
    expect(r.linearizable).toBe(false);
    expect(checkHistory(b.history, registerModel).verdict).toBe('linearizable');
  });

  it('budgets are per partition: a hard key that exhausts its own leaves another key free to fail (issue 13)', () => {
    const b = new HistoryBuilder();
    // Key a: rounds of six concurrent writes, each read back (linearizable, but not within 20 steps).
    for (let round = 0; round < 4; round++) {
      const ws = Array.from({ length: 6 }, (_, i) => b.call(`w${i}`, 'write', round * 10 + i, 'a'));
      for (const w of ws) b.ok(w);
      b.seq('r', 'read', undefined, round * 10, 'a');
    }
    // Key b, checked after a: a stale read, proven in a few steps.
    b.seq('x', 'write', 1, undefined, 'b');
    b.seq('y', 'read', undefined, null, 'b');
    const r = checkHistory(b.history, registerModel, { maxSteps: 20, coreSteps: 0 });
    expect(r.verdict).toBe('not-linearizable');
    expect(r.failure!.partition).toBe('b');
    expect(r.undecided).toEqual([expect.objectContaining({ partition: 'a', reason: 'steps', steps: 20 })]);
    // Without a budget key a is linearizable: only b fails.
    const full = checkHistory(b.history, registerModel, { coreSteps: 0 });
    expect(full.failure!.partition).toBe('b');
    expect(full.linearizations.map((l) => l.partition)).toEqual(['a']);
  });
});

describe('smallest failing core', () => {
  // Cores need not be unique (w1, read 2, read 1 would also do): these histories have one.
  it('a stale read: the overwriting write and the read, nothing else', () => {
    const b = new HistoryBuilder();
    b.seq('p0', 'read', undefined, null);
    const w1 = b.seq('p1', 'write', 1);
    const w2 = b.seq('p1', 'write', 2);
    const stale = b.seq('p2', 'read', undefined, 1);
    b.seq('p1', 'write', 3);
    const r = checkHistory(b.history, registerModel);
    // w1 is not needed: if it took effect at all it was before w2, so the read of its value is stale either way.
    expect(r.failure!.core.map((op) => op.id)).toEqual([w2, stale]);
    expect(r.failure!.core.map((op) => op.id)).not.toContain(w1);
    expect(r.failure!.coreMinimal).toBe(true);
    expect(r.failure!.explanation).toMatch(/Smallest failing core: these 2 of 5 operations/);
  });

  it('kv: a get shorter than an earlier get of an append-only key', () => {
    const b = new HistoryBuilder();
    b.seq('p1', 'append', 'a', undefined, 'k');
    const ab = b.seq('p1', 'append', 'b', undefined, 'k');
    const g1 = b.seq('p2', 'get', undefined, 'ab', 'k');
    const g2 = b.seq('p3', 'get', undefined, 'a', 'k');
    const r = checkHistory(b.history, kvModel);
    // Cores need not be unique: {get "ab", get "a"} and {append "b", get "a"} both fail alone.
    expect([[g1, g2], [ab, g2]]).toContainEqual(r.failure!.core.map((op) => op.id));
    expect(r.failure!.coreMinimal).toBe(true);
  });

  it('coreSteps: 0 skips shrinking', () => {
    const b = new HistoryBuilder();
    b.seq('p1', 'write', 1);
    b.seq('p2', 'read', undefined, 2);
    const r = checkHistory(b.history, registerModel, { coreSteps: 0 });
    expect(r.failure!.core).toEqual([]);
    expect(r.failure!.explanation).not.toContain('Smallest failing core');
  });
});

describe('queue, set and counter models', () => {
  it('queue: FIFO order, null from an empty queue, concurrent enqueues in either order', () => {
    const fifo = new HistoryBuilder();
    fifo.seq('p1', 'dequeue', undefined, null, 'q');
    fifo.seq('p1', 'enqueue', 'a', undefined, 'q');
    fifo.seq('p1', 'enqueue', 'b', undefined, 'q');
    fifo.seq('p2', 'dequeue', undefined, 'b', 'q');
    expect(checkHistory(fifo.history, queueModel).verdict).toBe('not-linearizable');

    for (const first of ['a', 'b']) {
      const b = new HistoryBuilder();
      const x = b.call('p1', 'enqueue', 'a', 'q');
      const y = b.call('p2', 'enqueue', 'b', 'q');
      b.ok(x).ok(y);
      b.seq('p3', 'dequeue', undefined, first, 'q');
      b.seq('p3', 'dequeue', undefined, first === 'a' ? 'b' : 'a', 'q');
      b.seq('p3', 'dequeue', undefined, null, 'q');
      expect(checkHistory(b.history, queueModel).verdict, first).toBe('linearizable');
    }

    const twice = new HistoryBuilder();
    twice.seq('p1', 'enqueue', 'a', undefined, 'q');
    twice.seq('p2', 'dequeue', undefined, 'a', 'q');
    twice.seq('p3', 'dequeue', undefined, 'a', 'q');
    expect(checkHistory(twice.history, queueModel).verdict).toBe('not-linearizable');
  });

  it('set: reads see every acknowledged add, in any order; initial elements per key', () => {
    const b = new HistoryBuilder();
    b.seq('p1', 'add', 1, undefined, 's');
    b.seq('p1', 'add', { x: [1, 2] }, undefined, 's');
    b.seq('p2', 'read', undefined, [{ x: [1, 2] }, 1, 1], 's');
    expect(checkHistory(b.history, setModel).verdict).toBe('linearizable');

    const lost = new HistoryBuilder();
    lost.seq('p1', 'add', 1, undefined, 's');
    lost.seq('p1', 'add', 2, undefined, 's');
    lost.seq('p2', 'read', undefined, [2], 's');
    expect(checkHistory(lost.history, setModel).verdict).toBe('not-linearizable');

    const seeded = new HistoryBuilder();
    seeded.seq('p1', 'read', undefined, ['init:a'], 'a');
    seeded.seq('p1', 'read', undefined, ['init:b'], 'b');
    expect(checkHistory(seeded.history, makeSetModel((key) => [`init:${key}`])).verdict).toBe('linearizable');
    expect(checkHistory(seeded.history, setModel).verdict).toBe('not-linearizable');
  });

  it('counter: a lost increment is caught', () => {
    const b = new HistoryBuilder();
    const x = b.call('p1', 'add', 1);
    const y = b.call('p2', 'add', 1);
    b.ok(x).ok(y);
    b.seq('p3', 'read', undefined, 1);
    expect(checkHistory(b.history, counterModel).verdict).toBe('not-linearizable');
    const ok = new HistoryBuilder();
    const z = ok.call('p1', 'add', 5);
    ok.seq('p2', 'read', undefined, 5);
    ok.info(z);
    ok.seq('p2', 'read', undefined, 5);
    expect(checkHistory(ok.history, counterModel).verdict).toBe('linearizable');
  });
});

describe('the result as plain data (for the viewer)', () => {
  it('a linearizable history: the linearization found, per partition, is a legal sequential run within real time', () => {
    const b = new HistoryBuilder();
    const w = b.call('p1', 'write', 1);
    const r = b.call('p2', 'read');
    b.ok(r, 1);
    b.ok(w);
    const w2 = b.seq('p1', 'write', 2);
    const res = checkHistory(b.history, registerModel);
    expect(res.verdict).toBe('linearizable');
    expect(res.linearizations).toEqual([{ partition: '', order: [w, r, w2] }]);
    expect(JSON.parse(JSON.stringify(res.linearizations))).toEqual(res.linearizations);
  });
});

describe('smallest failing core on a long history', () => {
  it('a double grant in the middle of 264 lock operations: a core of 2, minimal, within the default budget', () => {
    const b = new HistoryBuilder();
    const clients = ['c1', 'c2', 'c3'];
    for (let i = 0; i < 66; i++) {
      const c = clients[i % 3]!;
      b.seq(c, 'acquire', undefined, undefined, 'L');
      b.seq(c, 'release', undefined, undefined, 'L');
    }
    // c1 holds L; c2's acquire succeeds before c1 releases.
    const a1 = b.seq('c1', 'acquire', undefined, undefined, 'L');
    const a2 = b.seq('c2', 'acquire', undefined, undefined, 'L');
    b.seq('c1', 'release', undefined, undefined, 'L');
    b.seq('c2', 'release', undefined, undefined, 'L');
    for (let i = 0; i < 64; i++) {
      const c = clients[i % 3]!;
      b.seq(c, 'acquire', undefined, undefined, 'L');
      b.seq(c, 'release', undefined, undefined, 'L');
    }
    const r = checkHistory(b.history, lockModel);
    expect(r.operations).toBe(264);
    expect(r.verdict).toBe('not-linearizable');
    expect(r.failure!.core.map((op) => op.id)).toEqual([a1, a2]);
    expect(r.failure!.coreMinimal).toBe(true);
    expect(r.failure!.explanation).toMatch(/these 2 of 264 operations cannot be linearized/);
  });
});
