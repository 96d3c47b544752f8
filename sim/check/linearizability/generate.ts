// Generated histories with a known verdict, for stress tests and the benchmark.
//
// A linearizable history is made by running a sequential model under random
// concurrency: every operation is invoked, takes effect atomically at a random
// later moment (its linearization point, computed by the model), and returns
// later still, so its recorded result is the one the model gave at that point.
// The interleaving of clients is random (a seeded stream), so up to `clients`
// operations are open at once.
//
// A non-linearizable history is the same history with one result corrupted:
//   - 'stale-read': a read returns the value of a write w1 although another write
//     w2 of the same key began after w1 returned and returned before the read
//     began (the classic stale read: every linearization orders w1 < w2 < read,
//     and every written value is unique, so the read cannot see w1's value);
//   - 'phantom-read': a read returns a value no write ever wrote;
//   - 'lost-write': a write whose value some later read observed records another
//     (fresh) value, so that read observes a value no write wrote.
// Written values are unique tokens, so each corruption is provably not linearizable.

import type { HistoryEvent, JsonValue } from '../../engine/types.ts';
import { rootRng } from '../../engine/random.ts';

export type GeneratedModel = 'kv' | 'register';
export type Corruption = 'none' | 'stale-read' | 'phantom-read' | 'lost-write';

export interface GenerateOptions {
  /** Concurrent clients (processes); each has at most one operation open. */
  clients: number;
  /** Number of operations. */
  ops: number;
  /** Keys the operations spread over (default 1 for register, 10 for kv). */
  keys?: number;
  /** 'kv': get / put / append on strings (Porcupine's kv); 'register': read / write / cas. */
  model: GeneratedModel;
  /** Seed of the interleaving and the operations. */
  seed: string | number;
  corrupt?: Corruption;
  /** Fraction of reads among the operations (default 0.5). */
  readRatio?: number;
}

export interface GeneratedHistory {
  history: HistoryEvent[];
  /** True when the history is linearizable (no corruption applied). */
  linearizable: boolean;
  /** What was corrupted, for messages: the op id and how. */
  corrupted?: { op: number; how: Exclude<Corruption, 'none'> };
}

interface Op {
  id: number;
  process: string;
  f: string;
  key: string;
  input?: JsonValue;
  output?: JsonValue;
  invokeAt: number;
  returnAt: number;
  /** For writes: the value the key has after it; for reads: the value read. */
  value: JsonValue;
  /** For reads: the write whose value was read (-1: the initial value). For writes: itself. */
  source: number;
  isWrite: boolean;
}

/**
 * Generate a history (engine HistoryEvent[], real-time order) with a known verdict.
 * Throws RangeError when the options are out of range or the requested corruption
 * has no place in the history (e.g. a stale read needs two sequential writes of a key).
 */
export function generateHistory(opts: GenerateOptions): GeneratedHistory {
  const { clients, ops: total, model } = opts;
  const keyCount = opts.keys ?? (model === 'register' ? 1 : 10);
  if (!Number.isInteger(clients) || clients < 1) throw new RangeError('generateHistory: clients must be a positive integer');
  if (!Number.isInteger(total) || total < 1) throw new RangeError('generateHistory: ops must be a positive integer');
  if (!Number.isInteger(keyCount) || keyCount < 1) throw new RangeError('generateHistory: keys must be a positive integer');
  const rng = rootRng(`linearizability-history:${String(opts.seed)}`);
  const readRatio = opts.readRatio ?? 0.5;
  const state = new Map<string, JsonValue>();
  const lastWriter = new Map<string, number>();
  const ops: Op[] = [];
  type Phase = { op: Op; applied: boolean } | null;
  const open: Phase[] = Array.from({ length: clients }, () => null);
  let clock = 0;
  let started = 0;
  let done = 0;
  let token = 0;
  while (done < total) {
    const c = rng.int(0, clients);
    const slot = open[c]!;
    clock++;
    if (slot === null) {
      if (started >= total) continue;
      const key = String(rng.int(0, keyCount));
      const read = rng.chance(readRatio);
      const id = started++;
      let f: string;
      let input: JsonValue | undefined;
      const fresh = `${c}.${token++}`;
      if (model === 'kv') {
        f = read ? 'get' : rng.chance(0.8) ? 'append' : 'put';
        if (!read) input = f === 'append' ? `x ${fresh} y` : `p ${fresh} q`;
      } else {
        f = read ? 'read' : rng.chance(0.7) ? 'write' : 'cas';
        if (f === 'write') input = fresh;
        else if (f === 'cas') input = [null, fresh]; // expected filled in when it takes effect
      }
      const op: Op = { id, process: String(c), f, key, invokeAt: clock, returnAt: -1, value: null, source: -1, isWrite: !read };
      if (input !== undefined) op.input = input;
      ops.push(op);
      open[c] = { op, applied: false };
    } else if (!slot.applied) {
      const op = slot.op;
      const cur = state.get(op.key) ?? (model === 'kv' ? '' : null);
      if (op.f === 'get' || op.f === 'read') {
        op.output = cur;
        op.value = cur;
        op.source = lastWriter.get(op.key) ?? -1;
      } else {
        let next: JsonValue;
        if (op.f === 'append') next = (cur as string) + (op.input as string);
        else if (op.f === 'cas') {
          // Half the time expect the current value (succeeds), else a stale one (fails).
          const succeed = rng.chance(0.5);
          const fresh = (op.input as JsonValue[])[1]!;
          op.input = [succeed ? cur : `never ${fresh}`, fresh];
          if (!succeed) op.output = 'fail';
          next = succeed ? fresh : cur;
        } else next = op.input!;
        if (op.output !== 'fail') {
          state.set(op.key, next);
          lastWriter.set(op.key, op.id);
          op.value = next;
          op.source = op.id;
        } else op.isWrite = false;
      }
      slot.applied = true;
    } else {
      slot.op.returnAt = clock;
      open[c] = null;
      done++;
    }
  }
  const corrupt = opts.corrupt ?? 'none';
  let corrupted: GeneratedHistory['corrupted'];
  if (corrupt !== 'none') corrupted = applyCorruption(ops, corrupt, model, rng.fork('corrupt'));
  const events: { at: number; ev: HistoryEvent }[] = [];
  for (const op of ops) {
    const inv: HistoryEvent = { type: 'invoke', t: op.invokeAt, node: 'client', op: op.id, process: op.process, f: op.f, key: op.key };
    if (op.input !== undefined) inv.value = op.input;
    if (model === 'register' && keyCount === 1) delete inv.key;
    const failed = op.output === 'fail';
    const ret: HistoryEvent = { type: 'return', t: op.returnAt, node: 'client', op: op.id, process: op.process, outcome: failed ? 'fail' : 'ok' };
    if ((op.f === 'get' || op.f === 'read') && op.output !== undefined) ret.value = op.output;
    events.push({ at: op.invokeAt, ev: inv }, { at: op.returnAt, ev: ret });
  }
  events.sort((a, b) => a.at - b.at);
  const out: GeneratedHistory = { history: events.map((e) => e.ev), linearizable: corrupt === 'none' };
  if (corrupted) out.corrupted = corrupted;
  return out;
}

function applyCorruption(ops: Op[], how: Exclude<Corruption, 'none'>, model: GeneratedModel, rng: ReturnType<typeof rootRng>): GeneratedHistory['corrupted'] {
  const reads = ops.filter((o) => (o.f === 'get' || o.f === 'read') && o.output !== undefined);
  // Prefer operations late in the history: the search has the most to explore before it.
  const late = <T extends Op>(xs: T[]): T[] => xs.slice(Math.floor(xs.length / 2));
  if (how === 'phantom-read') {
    const r = pick(late(reads), rng, 'a read');
    r.output = model === 'kv' ? `${String(r.output)}x phantom y` : 'phantom';
    return { op: r.id, how };
  }
  if (how === 'lost-write') {
    // A write (not a cas) some later read observed, directly (register) or in its appended string (kv).
    const observed = ops.filter(
      (w) => w.isWrite && w.f !== 'cas' && reads.some((r) => r.key === w.key && (model === 'kv' ? String(r.output).includes(String(w.input)) : r.source === w.id)),
    );
    const w = pick(late(observed), rng, 'an observed write');
    w.input = model === 'kv' ? `x lost ${w.id} y` : `lost ${w.id}`;
    return { op: w.id, how };
  }
  // stale-read: read r, writes w1 < w2 (w1 returned before w2 began, w2 returned before r began), r sees w1.
  const writes = ops.filter((o) => o.isWrite);
  for (const r of late(reads).concat(reads.slice(0, Math.floor(reads.length / 2))).reverse()) {
    const before = writes.filter((w) => w.key === r.key && w.returnAt < r.invokeAt);
    for (const w2 of before.reverse()) {
      const w1 = before.find((w) => w.returnAt < w2.invokeAt && w.value !== null && w.f !== 'append');
      if (w1 && model === 'register') {
        r.output = w1.value;
        return { op: r.id, how };
      }
      // kv: appends build on each other; the value after w1 misses w2's append, which is in every later state.
      const w1k = before.find((w) => w.returnAt < w2.invokeAt);
      if (w1k && model === 'kv' && w2.f === 'append' && String(r.output).includes(String(w2.input)) && !String(w1k.value).includes(String(w2.input))) {
        r.output = w1k.value;
        return { op: r.id, how };
      }
    }
  }
  throw new RangeError('generateHistory: no place for a stale read (no key with two sequential writes before a read)');
}

function pick<T>(xs: T[], rng: ReturnType<typeof rootRng>, what: string): T {
  if (xs.length === 0) throw new RangeError(`generateHistory: no ${what} to corrupt`);
  return rng.pick(xs);
}
