// checkHistoryVerdict (the engine checker's path: keys whose operations never overlap are stepped
// from typed-array columns, the rest searched) must say exactly what checkHistory says: the same
// verdict, the same failure (partition, stuck operation, prefix, explanation) and the same
// undecided partitions, on arbitrary histories of every model, linearizable or not, with unknown
// outcomes, pending calls, failed operations, model errors and small budgets.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkHistory, checkHistoryVerdict, counterModel, generateHistory, HistoryError, kvModel, lockModel, queueModel, registerModel, setModel, type CheckOptions, type Model } from '../../sim/check/linearizability/index.ts';
import type { HistoryEvent, JsonValue } from '../../sim/engine/types.ts';

const MODELS = { register: registerModel, kv: kvModel, lock: lockModel, queue: queueModel, set: setModel, counter: counterModel } as const;
type Name = keyof typeof MODELS;
const FS: Record<Name, string[]> = {
  register: ['read', 'write', 'cas'],
  kv: ['get', 'put', 'append', 'cas', 'bogus'],
  lock: ['acquire', 'release'],
  queue: ['enqueue', 'dequeue'],
  set: ['add', 'read'],
  counter: ['add', 'read'],
};

/** A value for an operation of `f` from a small pool, so that reads often match writes. */
function valueOf(name: Name, f: string, v: number, out: boolean): JsonValue | undefined {
  if (name === 'kv' && f === 'append') return out ? undefined : `x${v % 3}`;
  if (f === 'cas') return out ? undefined : [v % 3 === 0 ? null : `${v % 3}`, `${(v + 1) % 3}`];
  if (name === 'set' && f === 'read') return out ? [`e${v % 2}`] : undefined;
  if (name === 'counter') return f === 'add' ? (out ? undefined : (v % 3) - 1) : out ? v % 3 : undefined;
  if (name === 'kv' || name === 'register') return `${v % 3}`;
  return `e${v % 3}`;
}

const opArb = fc.record({
  proc: fc.nat(3),
  key: fc.nat(3),
  f: fc.nat(4),
  v: fc.nat(5),
  gap: fc.nat(2),
  len: fc.nat(6),
  end: fc.constantFrom('ok', 'ok', 'ok', 'fail', 'info', 'pending'),
});

type Draw = { proc: number; key: number; f: number; v: number; gap: number; len: number; end: string };

/** A well-formed history: each process runs its operations one at a time; positions interleave by the drawn gaps and lengths. */
function build(name: Name, draws: readonly Draw[]): HistoryEvent[] {
  const free = new Map<number, number>();
  const evs: { at: number; n: number; ev: HistoryEvent }[] = [];
  let clock = 0;
  let n = 0;
  draws.forEach((d, op) => {
    const process = `p${d.proc}`;
    if ((free.get(d.proc) ?? 0) === Infinity) return; // this process has a call pending forever
    clock += d.gap;
    const at = Math.max(clock, free.get(d.proc) ?? 0);
    const f = FS[name][d.f % FS[name].length]!;
    const inv: HistoryEvent = { type: 'invoke', t: at, node: process, op, process, f };
    if (name !== 'counter' && !(name === 'register' && d.key === 0)) inv.key = `k${d.key % 2}`;
    const input = valueOf(name, f, d.v, false);
    if (input !== undefined) inv.value = input;
    evs.push({ at, n: n++, ev: inv });
    if (d.end === 'pending') {
      free.set(d.proc, Infinity);
      return;
    }
    const ret: HistoryEvent = { type: 'return', t: at + d.len + 1, node: process, op, process, outcome: d.end as 'ok' | 'fail' | 'info' };
    const output = valueOf(name, f, d.v + d.len, true);
    if (d.end === 'ok' && output !== undefined) ret.value = output;
    evs.push({ at: at + d.len + 1, n: n++, ev: ret });
    free.set(d.proc, at + d.len + 2);
  });
  evs.sort((a, b) => a.at - b.at || a.n - b.n);
  return evs.map((e) => e.ev);
}

type Outcome = { error: string } | { verdict: string; failure?: { partition: string; stuck: unknown; prefix: unknown; explanation: string }; undecided: unknown };

function outcome(f: () => { verdict: string; failure?: { partition: string; stuck: unknown; prefix: unknown; explanation: string }; undecided: unknown }): Outcome {
  try {
    const r = f();
    return { verdict: r.verdict, ...(r.failure ? { failure: { partition: r.failure.partition, stuck: r.failure.stuck, prefix: r.failure.prefix, explanation: r.failure.explanation } } : {}), undecided: r.undecided };
  } catch (err) {
    return { error: `${err instanceof HistoryError ? `HistoryError@${err.position}` : 'Error'}: ${err instanceof Error ? err.message : String(err)}` };
  }
}

function same(history: HistoryEvent[], model: Model<unknown>, opts: CheckOptions): Outcome {
  const full = outcome(() => checkHistory(history, model, opts));
  expect(outcome(() => checkHistoryVerdict(history, model, opts))).toEqual(full);
  return full;
}

describe('checkHistoryVerdict says what checkHistory says', () => {
  for (const name of Object.keys(MODELS) as Name[]) {
    it(`${name}: arbitrary histories, budgets from tiny to unlimited`, () => {
      const seen = new Set<string>();
      fc.assert(
        fc.property(fc.array(opArb, { minLength: 1, maxLength: 30 }), fc.constantFrom<CheckOptions>({}, { maxSteps: 3 }, { maxSteps: 40, coreSteps: 0 }, { maxMemory: 300 }), (draws, opts) => {
          const r = same(build(name, draws), MODELS[name] as Model<unknown>, opts);
          seen.add('error' in r ? 'error' : r.verdict);
        }),
        { numRuns: 300, seed: 11 },
      );
      // The draws reach every kind of answer (else the property says little).
      expect([...seen].sort()).toEqual(name === 'kv' ? ['error', 'linearizable', 'not-linearizable', 'unknown'] : ['linearizable', 'not-linearizable', 'unknown']);
    });
  }

  it('sequential histories (one client): the stepped path, under step and memory budgets', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(fc.constantFrom<Name>('kv', 'register', 'counter', 'queue'), fc.array(opArb.map((d) => ({ ...d, proc: 0, end: d.end === 'pending' && d.v > 0 ? 'ok' : d.end })), { minLength: 1, maxLength: 20 }), fc.constantFrom<CheckOptions>({}, { maxSteps: 3 }, { maxMemory: 400 }), (name, draws, opts) => {
        const r = same(build(name, draws), MODELS[name] as Model<unknown>, opts);
        seen.add('error' in r ? 'error' : r.verdict);
      }),
      { numRuns: 300, seed: 12 },
    );
    expect([...seen].sort()).toEqual(['error', 'linearizable', 'not-linearizable', 'unknown']);
  });

  it('kv: generated long histories, linearizable and corrupted', () => {
    for (const corrupt of ['none', 'stale-read', 'phantom-read', 'lost-write'] as const) {
      for (let seed = 0; seed < 6; seed++) {
        let h;
        try {
          h = generateHistory({ clients: 4, ops: 300, keys: 12, model: 'kv', seed, corrupt });
        } catch {
          continue;
        }
        const r = same(h.history, kvModel as Model<unknown>, { maxSteps: 200_000 });
        expect('verdict' in r && r.verdict).toBe(h.linearizable ? 'linearizable' : 'not-linearizable');
      }
    }
  });

  it('a malformed history is the same error', () => {
    const inv: HistoryEvent = { type: 'invoke', t: 0, node: 'c', op: 1, process: 'c', f: 'get', key: 'a' };
    const ret: HistoryEvent = { type: 'return', t: 1, node: 'c', op: 1, process: 'c', outcome: 'ok', value: '' };
    expect(same([inv, inv], kvModel as Model<unknown>, {})).toMatchObject({ error: expect.stringContaining('invoked twice') });
    expect(same([ret], kvModel as Model<unknown>, {})).toMatchObject({ error: expect.stringContaining('never invoked') });
    expect(same([inv, ret, ret], kvModel as Model<unknown>, {})).toMatchObject({ error: expect.stringContaining('returns twice') });
  });
});
