// Properties of the linearizability checker over generated histories:
// - a history recorded from a sequential execution, with each operation's
//   interval stretched around its linearization point (so intervals overlap),
//   some outcomes unknown and some phantom unknown operations that never took
//   effect, is always linearizable;
// - a planted corruption (a read of a value never written, a release by a
//   client that never held the lock) is always detected, on the right key;
// - on small arbitrary histories the memoised search agrees with a brute-force
//   enumeration of orders (and with the search without memoisation), and the
//   smallest failing core is failing and 1-minimal by the same enumeration.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkHistory, checkOperations, counterModel, kvModel, lockModel, queueModel, registerModel, setModel, type Model, type Operation } from '../../sim/check/linearizability/index.ts';
import { optional } from '../../sim/check/linearizability/core.ts';
import { HistoryBuilder } from './history-builder.ts';
import type { HistoryEvent, JsonValue } from '../../sim/engine/types.ts';

/** What one operation did in the sequential run. */
interface Done {
  process: string;
  f: string;
  key?: string;
  input?: JsonValue;
  outcome: 'ok' | 'fail';
  output?: JsonValue;
}

interface Shape {
  /** Picks the operation from the sequential state. */
  pick: number;
  value: number;
  /** How far the call reaches back and the return reaches forward from the linearization point. */
  before: number;
  after: number;
  /** 0: definite, 1: info, 2: never returns. */
  unknown: number;
}

const shapeArb = fc.record({
  pick: fc.nat(99),
  value: fc.nat(3),
  before: fc.nat(25_000),
  after: fc.nat(25_000),
  unknown: fc.oneof({ weight: 6, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: fc.constant(2) }),
});

/** Sequential executions, written independently of the models under test. */
type Name = 'register' | 'kv' | 'lock' | 'queue' | 'set' | 'counter';
const NAMES: Name[] = ['register', 'kv', 'lock', 'queue', 'set', 'counter'];

const executors: Record<Name, () => (s: Shape, i: number) => Done | undefined> = {
  register: () => {
    let v: JsonValue = null;
    return ({ pick, value }, i) => {
      const p = `p${i}`;
      if (pick < 40) return { process: p, f: 'read', outcome: 'ok', output: v };
      if (pick < 75) return (v = value), { process: p, f: 'write', input: value, outcome: 'ok' };
      const [expected, next] = [pick % 2 === 0 ? v : value, (value + 1) % 4];
      if (v === expected) return (v = next), { process: p, f: 'cas', input: [expected, next], outcome: 'ok' };
      return { process: p, f: 'cas', input: [expected, next], outcome: 'fail' };
    };
  },
  kv: () => {
    const m = new Map<string, string>();
    return ({ pick, value }, i) => {
      const p = `p${i}`;
      const key = ['a', 'b', 'c'][pick % 3]!;
      const cur = m.get(key) ?? '';
      if (pick < 33) return { process: p, f: 'get', key, outcome: 'ok', output: cur };
      if (pick < 50) return m.set(key, `v${value}`), { process: p, f: 'put', key, input: `v${value}`, outcome: 'ok' };
      if (pick < 85) return m.set(key, `${cur}${i},`), { process: p, f: 'append', key, input: `${i},`, outcome: 'ok' };
      const expected = pick % 2 === 0 ? cur : `v${value}`;
      if (expected === cur) return m.set(key, `w${i}`), { process: p, f: 'cas', key, input: [expected, `w${i}`], outcome: 'ok' };
      return { process: p, f: 'cas', key, input: [expected, `w${i}`], outcome: 'fail' };
    };
  },
  lock: () => {
    const holder = new Map<string, string>();
    return ({ pick, value }) => {
      const key = `L${pick % 2}`;
      const client = `c${value}`;
      const h = holder.get(key);
      if (h === undefined) return holder.set(key, client), { process: client, f: 'acquire', key, outcome: 'ok' };
      if (h === client) return holder.delete(key), { process: client, f: 'release', key, outcome: 'ok' };
      return undefined; // would block: the client waits, nothing is recorded
    };
  },
  queue: () => {
    const q = new Map<string, string[]>();
    return ({ pick }, i) => {
      const key = `q${pick % 2}`;
      const items = q.get(key) ?? [];
      q.set(key, items);
      if (pick < 55) return items.push(`e${i}`), { process: `p${i}`, f: 'enqueue', key, input: `e${i}`, outcome: 'ok' };
      return { process: `p${i}`, f: 'dequeue', key, outcome: 'ok', output: items.shift() ?? null };
    };
  },
  set: () => {
    const sets = new Map<string, string[]>();
    return ({ pick, value }, i) => {
      const key = `s${pick % 2}`;
      const items = sets.get(key) ?? [];
      sets.set(key, items);
      if (pick < 50) return items.includes(`x${value}`) || items.push(`x${value}`), { process: `p${i}`, f: 'add', key, input: `x${value}`, outcome: 'ok' };
      return { process: `p${i}`, f: 'read', key, outcome: 'ok', output: [...items].reverse() };
    };
  },
  counter: () => {
    let n = 0;
    return ({ pick, value }, i) => {
      if (pick < 50) return (n += value - 1), { process: `p${i}`, f: 'add', input: value - 1, outcome: 'ok' };
      return { process: `p${i}`, f: 'read', outcome: 'ok', output: n };
    };
  },
};

/** An operation that never took effect, with an unknown outcome: it must not matter. */
function phantom(model: Name, i: number): Done {
  if (model === 'register') return { process: `ghost${i}`, f: 'write', input: 77, outcome: 'ok' };
  if (model === 'kv') return { process: `ghost${i}`, f: 'append', key: 'a', input: 'GHOST', outcome: 'ok' };
  if (model === 'queue') return { process: `ghost${i}`, f: 'enqueue', key: 'q0', input: 'GHOST', outcome: 'ok' };
  if (model === 'set') return { process: `ghost${i}`, f: 'add', key: 's0', input: 'GHOST', outcome: 'ok' };
  if (model === 'counter') return { process: `ghost${i}`, f: 'add', input: 1000, outcome: 'ok' };
  return { process: `ghost${i}`, f: 'acquire', key: 'L0', outcome: 'ok' };
}

interface Timed {
  done: Done;
  call: number;
  ret: number | undefined; // undefined: never returns
  outcome: 'ok' | 'fail' | 'info';
}

/** Record the sequential run as a concurrent history: point i at 10_000·(i+1), interval stretched around it. */
function record(model: Name, shapes: Shape[], phantoms: { at: number }[]): Timed[] {
  const exec = executors[model]();
  const out: Timed[] = [];
  shapes.forEach((s, i) => {
    const done = exec(s, i);
    if (!done) return;
    const point = 10_000 * (i + 1);
    const call = point - 2 * s.before - 2; // even
    const ret = point + 2 * s.after + 1; // odd: never equal to a call
    out.push({ done, call, ret: s.unknown === 2 ? undefined : ret, outcome: s.unknown === 0 ? done.outcome : 'info' });
  });
  phantoms.forEach((p, i) => out.push({ done: phantom(model, i), call: 2 * p.at, ret: undefined, outcome: 'info' }));
  return out;
}

function toHistory(timed: Timed[]): HistoryEvent[] {
  const evs: { time: number; ev: HistoryEvent }[] = [];
  timed.forEach((x, op) => {
    const inv: HistoryEvent = { type: 'invoke', t: x.call, node: 'c', op, process: x.done.process, f: x.done.f };
    if (x.done.key !== undefined) inv.key = x.done.key;
    if (x.done.input !== undefined) inv.value = x.done.input;
    evs.push({ time: x.call, ev: inv });
    if (x.ret !== undefined) {
      const ret: HistoryEvent = { type: 'return', t: x.ret, node: 'c', op, process: x.done.process, outcome: x.outcome };
      if (x.outcome === 'ok' && x.done.output !== undefined) ret.value = x.done.output;
      evs.push({ time: x.ret, ev: ret });
    }
  });
  evs.sort((a, b) => a.time - b.time);
  return evs.map((e) => e.ev);
}

const MODELS = { register: registerModel, kv: kvModel, lock: lockModel, queue: queueModel, set: setModel, counter: counterModel } as const;
const runArb = fc.record({
  shapes: fc.array(shapeArb, { minLength: 1, maxLength: 40 }),
  phantoms: fc.array(fc.record({ at: fc.nat(200_000) }), { maxLength: 3 }),
});

describe('histories of sequential executions', () => {
  for (const name of NAMES) {
    it(`${name}: always linearizable, whatever the overlap and unknown outcomes`, () => {
      fc.assert(
        fc.property(runArb, ({ shapes, phantoms }) => {
          const r = checkHistory(toHistory(record(name, shapes, phantoms)), MODELS[name] as Model<unknown>);
          expect(r.failure?.explanation).toBeUndefined();
          expect(r.verdict).toBe('linearizable');
        }),
        { numRuns: 150, seed: 8 },
      );
    });
  }

  /** The planted corruption of each model: an ok operation no execution could produce. */
  const corruptions = {
    register: (d: Done) => (d.f === 'read' ? { ...d, output: 999 } : undefined),
    kv: (d: Done) => (d.f === 'get' ? { ...d, output: 'never-written' } : undefined),
    lock: (d: Done) => (d.f === 'release' ? { ...d, process: 'intruder' } : undefined),
    queue: (d: Done) => (d.f === 'dequeue' ? { ...d, output: 'never-enqueued' } : undefined),
    set: (d: Done) => (d.f === 'read' ? { ...d, output: [...(d.output as string[]), 'never-added'] } : undefined),
    counter: (d: Done) => (d.f === 'read' ? { ...d, output: (d.output as number) + 1_000_000 } : undefined),
  };

  for (const name of NAMES) {
    it(`${name}: a planted corruption is always detected and named`, () => {
      fc.assert(
        fc.property(runArb, fc.nat(), ({ shapes, phantoms }, which) => {
          const timed = record(name, shapes, phantoms);
          const candidates = timed.map((t, i) => [t, i] as const).filter(([t]) => t.outcome === 'ok' && corruptions[name](t.done));
          fc.pre(candidates.length > 0);
          const [victim, index] = candidates[which % candidates.length]!;
          timed[index] = { ...victim, done: corruptions[name](victim.done)! };
          const r = checkHistory(toHistory(timed), MODELS[name] as Model<unknown>);
          expect(r.verdict).toBe('not-linearizable');
          // The operation that cannot be placed is definite and on the corrupted key (it may be the
          // corrupted one, or one that the corruption left without a legal place).
          expect(r.failure!.stuck.outcome).not.toBe('unknown');
          expect(r.failure!.stuck.key).toBe(victim.done.key);
          expect(r.failure!.partition).toBe(victim.done.key ?? '');
        }),
        { numRuns: 150, seed: 9 },
      );
    });
  }
});

// ---------------------------------------------------------------- oracle

/** Every order of the operations that respects real time, skipping unknown ones at will. */
/** Brute force where `maybe` operations either take effect within their interval or not at all. */
function bruteForceOptional(ops: readonly Operation[], model: Model<JsonValue>): boolean {
  const maybe = ops.filter((o) => o.maybe);
  for (let mask = 0; mask < 1 << maybe.length; mask++) {
    const dropped = new Set(maybe.filter((_, i) => (mask >> i) & 1).map((o) => o.id));
    if (bruteForce(ops.filter((o) => !dropped.has(o.id)).map(({ maybe: _m, ...o }) => o), model)) return true;
  }
  return false;
}

function bruteForce(ops: readonly Operation[], model: Model<JsonValue>): boolean {
  const rel = ops.filter((o) => !model.ignore?.(o));
  const definite = rel.filter((o) => o.outcome !== 'unknown').length;
  const used = rel.map(() => false);
  const rec = (state: JsonValue, placed: number): boolean => {
    if (placed === definite) return true;
    for (let i = 0; i < rel.length; i++) {
      const op = rel[i]!;
      if (used[i] || rel.some((o, j) => !used[j] && o.ret < op.call)) continue;
      const next = model.step(state, op);
      if (next === undefined) continue;
      used[i] = true;
      if (rec(next, placed + (op.outcome === 'unknown' ? 0 : 1))) return true;
      used[i] = false;
    }
    return false;
  };
  return rec(model.init(), 0);
}

const arbitraryOps = fc
  .array(
    fc.record({
      f: fc.constantFrom('read', 'write', 'cas'),
      a: fc.nat(2),
      b: fc.nat(2),
      out: fc.option(fc.nat(2), { nil: null }),
      outcome: fc.constantFrom('ok', 'ok', 'ok', 'fail', 'unknown'),
      call: fc.nat(40),
      len: fc.integer({ min: 1, max: 25 }),
    }),
    { minLength: 1, maxLength: 7 },
  )
  .map((xs) =>
    xs.map((x, id): Operation => {
      const unknown = x.outcome === 'unknown';
      const input = x.f === 'write' ? x.a : x.f === 'cas' ? [x.a, x.b] : undefined;
      const op: Operation = { id, process: `p${id}`, f: x.f, outcome: x.outcome as Operation['outcome'], call: 2 * x.call, ret: unknown ? Infinity : 2 * (x.call + x.len) + 1 };
      return { ...op, ...(input !== undefined ? { input } : {}), ...(x.f === 'read' && x.outcome === 'ok' ? { output: x.out } : {}) };
    }),
  );

describe('agreement with brute force on small arbitrary register histories', () => {
  it('the memoised search, the plain search and the enumeration give the same verdict', () => {
    let nonLinearizable = 0;
    fc.assert(
      fc.property(arbitraryOps, (ops) => {
        const expected = bruteForce(ops, registerModel);
        const memo = checkOperations(ops, registerModel);
        const plain = checkOperations(ops, registerModel, { memo: false });
        expect(memo.linearizable).toBe(expected);
        expect(plain.linearizable).toBe(expected);
        if (!expected) {
          nonLinearizable++;
          // The core fails on its own with everything else relaxed, and (when minimal) relaxing
          // any one more of its operations makes it linearizable: checked by brute force.
          const core = new Set(memo.failure!.core.map((o) => o.id));
          // (Operations the model ignores, such as failed writes, stay as they are: they constrain nothing.)
          const relaxedBut = (keep: Set<number>) => ops.map((o) => (keep.has(o.id) || registerModel.ignore!(o) ? o : optional(o)));
          expect(core.size).toBeGreaterThan(0);
          expect(bruteForceOptional(relaxedBut(core), registerModel)).toBe(false);
          if (memo.failure!.coreMinimal)
            for (const id of core) expect(bruteForceOptional(relaxedBut(new Set([...core].filter((x) => x !== id))), registerModel)).toBe(true);
          // The prefix in the explanation is itself a legal sequential run.
          let s: JsonValue = registerModel.init();
          for (const step of memo.failure!.prefix) {
            s = registerModel.step(s, step.op)!;
            expect(s).not.toBeUndefined();
            expect(s).toEqual(step.state);
          }
        }
      }),
      { numRuns: 1500, seed: 10 },
    );
    expect(nonLinearizable).toBeGreaterThan(100); // the generator exercises both verdicts
  });
});

// The future-reads pruning (checker.ts) cuts configurations of models with monotone operations
// (kv appends). It must never change a verdict: small arbitrary one-key kv histories with appends,
// puts, cas and gets (some unknown, some with outputs that no run produces) against the enumeration.
const kvOpsArb = (maxLength: number) => fc
  .array(
    fc.record({
      f: fc.constantFrom('get', 'get', 'append', 'append', 'put', 'cas'),
      a: fc.constantFrom('a', 'b', 'c'),
      b: fc.constantFrom('', 'a', 'b', 'ab', 'ba', 'ca'),
      out: fc.constantFrom('', 'a', 'b', 'ab', 'ba', 'abc', 'cab', 'bc', 'c'),
      outcome: fc.constantFrom('ok', 'ok', 'ok', 'fail', 'unknown'),
      call: fc.nat(40),
      len: fc.integer({ min: 1, max: 25 }),
    }),
    { minLength: 1, maxLength },
  )
  .map((xs) =>
    xs.map((x, id): Operation => {
      const unknown = x.outcome === 'unknown';
      const input = x.f === 'append' ? x.a : x.f === 'put' ? x.b : x.f === 'cas' ? [x.b, x.a] : undefined;
      const op: Operation = { id, process: `p${id}`, f: x.f, key: 'k', outcome: x.outcome as Operation['outcome'], call: 2 * x.call, ret: unknown ? Infinity : 2 * (x.call + x.len) + 1 };
      return { ...op, ...(input !== undefined ? { input } : {}), ...(x.f === 'get' && x.outcome === 'ok' ? { output: x.out } : {}) };
    }),
  );
const arbitraryKvOps = kvOpsArb(7);

describe('agreement with brute force on small arbitrary kv histories (appends, puts, cas)', () => {
  it('the search with the future-reads pruning, without it, and the enumeration give the same verdict', () => {
    const verdicts = { true: 0, false: 0 };
    fc.assert(
      fc.property(arbitraryKvOps, (ops) => {
        const expected = bruteForce(ops, kvModel);
        verdicts[`${expected}`]++;
        expect(checkOperations(ops, kvModel).linearizable).toBe(expected);
        expect(checkOperations(ops, kvModel, { memo: false }).linearizable).toBe(expected);
      }),
      { numRuns: 3000, seed: 11 },
    );
    expect(Math.min(verdicts.true, verdicts.false)).toBeGreaterThan(300); // both verdicts exercised
  });
});

// The dead-state abstraction (checker.ts, Model.tests): a state that no remaining unshielded get or
// cas can observe shares one memo id with every other such state. The memoised search uses it, the
// search without memoisation does not: both must agree with the enumeration, on histories long
// enough for puts to shield later gets and for appends to pile up on forgotten states.
describe('dead-state abstraction (kv)', () => {
  it('agrees with the enumeration on arbitrary 9-operation kv histories', () => {
    const verdicts = { true: 0, false: 0 };
    fc.assert(
      fc.property(kvOpsArb(9), (ops) => {
        const expected = bruteForce(ops, kvModel);
        verdicts[`${expected}`]++;
        expect(checkOperations(ops, kvModel).linearizable).toBe(expected);
        expect(checkOperations(ops, kvModel, { memo: false }).linearizable).toBe(expected);
      }),
      { numRuns: 1500, seed: 12 },
    );
    expect(Math.min(verdicts.true, verdicts.false)).toBeGreaterThan(150);
  });

  // Ten concurrent appends that a concurrent put erases, then a failure that only shows later: the
  // search must try every way of placing the appends before the put. As states, those are the
  // ordered subsets of the appends (about e * 10! = 10M); forgotten, only their subsets (1,024).
  it('concurrent appends erased by a put cost their subsets, not their orders', () => {
    const h = new HistoryBuilder();
    h.seq('r0', 'get', undefined, '', 'k');
    const appends = Array.from({ length: 10 }, (_, i) => h.call(`a${i}`, 'append', `x${i};`, 'k'));
    const put = h.call('w', 'put', 'P', 'k');
    for (const a of appends) h.ok(a);
    h.ok(put);
    h.seq('r1', 'get', undefined, 'P', 'k');
    h.seq('a', 'append', 'y', undefined, 'k');
    const last = h.call('r2', 'get', undefined, 'k');
    h.ok(last, 'Pz'); // never written: not linearizable
    const r = checkHistory(h.history, kvModel, { maxSteps: 200_000, coreSteps: 0 });
    expect(r.verdict).toBe('not-linearizable');
    expect(r.failure!.stuck.output).toBe('Pz');
    // The same history with the right last read is linearizable.
    const ok = checkHistory([...h.history.slice(0, -1), { ...h.history.at(-1)!, value: 'Py' }], kvModel, { maxSteps: 200_000, coreSteps: 0 });
    expect(ok.verdict).toBe('linearizable');
  });
});

// Partitions whose operations never overlap (each returns before the next is called, all definite)
// are checked by stepping the model in call order (checker.ts, inSequence) instead of the search.
// It must give what the search gives: the verdict of the enumeration, the search's steps and its
// linearization (the search without memoisation never takes that path), and the same budgets.
describe('partitions checked in sequence', () => {
  const sequential = (maxLength: number) =>
    kvOpsArb(maxLength).map((ops) => {
      let t = 0;
      return ops.map((op) => {
        const call = t;
        t += 2 + (op.call % 3);
        return { ...op, ...(op.outcome === 'unknown' ? { outcome: 'ok' as const } : {}), call, ret: t - 1 };
      });
    });
  it('agree with the enumeration and with the search without memoisation (steps, order)', () => {
    const verdicts = { true: 0, false: 0 };
    fc.assert(
      fc.property(sequential(12), (ops) => {
        const expected = bruteForce(ops, kvModel);
        verdicts[`${expected}`]++;
        const fast = checkOperations(ops, kvModel, { coreSteps: 0 });
        const plain = checkOperations(ops, kvModel, { coreSteps: 0, memo: false });
        expect(fast.linearizable).toBe(expected);
        expect(plain.linearizable).toBe(expected);
        expect(fast.steps).toBe(plain.steps);
        expect(fast.linearizations).toEqual(plain.linearizations);
        const relevant = ops.filter((o) => !kvModel.ignore!(o)).map((o) => o.id);
        if (expected && relevant.length > 0) expect(fast.linearizations[0]?.order).toEqual(relevant);
      }),
      { numRuns: 2000, seed: 13 },
    );
    expect(Math.min(verdicts.true, verdicts.false)).toBeGreaterThan(200);
  });

  // Overlapping partitions with every outcome definite are first stepped in return order (inReturnOrder):
  // when that order is legal it is the linearization reported, otherwise the search decides.
  it('overlapping definite operations: the return-order witness agrees with the enumeration, and its order is a linearization', () => {
    const definite = kvOpsArb(8).map((ops) => ops.map((op) => (op.outcome === 'unknown' ? { ...op, outcome: 'ok' as const, ret: op.call + 3 } : op)));
    const taken = { witness: 0, search: 0, failed: 0 };
    fc.assert(
      fc.property(definite, (ops) => {
        const expected = bruteForce(ops, kvModel);
        const fast = checkOperations(ops, kvModel, { coreSteps: 0 });
        const plain = checkOperations(ops, kvModel, { coreSteps: 0, memo: false });
        expect(fast.linearizable).toBe(expected);
        expect(plain.linearizable).toBe(expected);
        if (!expected) {
          taken.failed++;
          return;
        }
        const relevant = ops.filter((o) => !kvModel.ignore!(o));
        const order = fast.linearizations[0]?.order ?? [];
        expect([...order].sort((a, b) => a - b)).toEqual(relevant.map((o) => o.id));
        const byId = new Map(relevant.map((o) => [o.id, o]));
        let state: JsonValue = kvModel.init();
        order.forEach((id, i) => {
          const op = byId.get(id)!;
          // Real time: nothing placed after op returned before op was called.
          for (const later of order.slice(i + 1)) expect(byId.get(later)!.ret < op.call).toBe(false);
          state = kvModel.step(state, op)!;
          expect(state).not.toBeUndefined();
        });
        const byReturn = [...relevant].sort((a, b) => a.ret - b.ret || a.id - b.id).map((o) => o.id);
        if (order.every((id, i) => id === byReturn[i])) taken.witness++;
        else taken.search++;
      }),
      { numRuns: 2000, seed: 14 },
    );
    // Both paths and both verdicts are exercised.
    expect(Math.min(taken.witness, taken.search, taken.failed)).toBeGreaterThan(50);
  });

  it('keep the step and memory budgets of the search', () => {
    const ops: Operation[] = ['a', 'b', 'c'].map((v, id) => ({ id, process: 'p', f: 'append', key: 'k', input: v, outcome: 'ok', call: 2 * id, ret: 2 * id + 1 }));
    expect(checkOperations(ops, kvModel).verdict).toBe('linearizable');
    expect(checkOperations(ops, kvModel, { maxSteps: 2 }).undecided.map((u) => u.reason)).toEqual(['steps']);
    expect(checkOperations(ops, kvModel, { maxMemory: 10 }).undecided.map((u) => u.reason)).toEqual(['memory']);
  });
});
