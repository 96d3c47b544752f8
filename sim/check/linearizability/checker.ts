// Linearizability checking: Wing & Gong's search over the real-time order of
// calls and returns, with Lowe's memoisation of (set of linearized operations,
// model state), as in Porcupine (Athalye). The history is split by the model's
// partition (P-compositionality, Herlihy & Wing) and checked key by key, stopping
// at the first key proven non-linearizable.
//
// Unknown outcomes: an operation with an `info` return or still pending at the
// end has no return event, so the search may linearize it at any point after
// its call, and succeeds once every definite operation is linearized: the
// unknown ones left over are the ones that never took effect.

import { assert } from '../../engine/assert.ts';
import type { HistoryEvent } from '../../engine/types.ts';
import type { Model, Operation, OpResult } from './models.ts';
import { findCore, relax, type Core } from './core.ts';
import { explainFailure } from './explain.ts';
import { getOrFail } from '../../engine/assert.ts';

export type Verdict = 'linearizable' | 'not-linearizable' | 'unknown';

export interface CheckOptions {
  /**
   * Search budget in model steps, per partition (key): a partition that exhausts it is
   * undecided, and the others are still checked (a proven failure of any decides at once).
   * When any partition is undecided and none fails the verdict is 'unknown'. Default: unlimited.
   */
  maxSteps?: number;
  /**
   * Memory budget in bytes, per partition: the estimated size of the search's memo table
   * (explored configurations and the distinct model states they hold). Past it the
   * partition is undecided, as for maxSteps. Default: 1 GiB.
   */
  maxMemory?: number;
  /** How to name a position of the history in explanations (default: "event #i"). */
  describePosition?: (position: number) => string;
  /** Lowe's memoisation (on by default); off only for tests and baselines. */
  memo?: boolean;
  /** Budget in model steps for shrinking a failure to its smallest failing core (default 50,000; 0: do not shrink). */
  coreSteps?: number;
}

/** One step of a linearization: the operation and the model state after it. */
export interface LinearizedStep {
  op: Operation;
  state: unknown;
}

export interface LinearizabilityFailure {
  /** The partition (key) that is not linearizable; "" for a model without partitions. */
  partition: string;
  /** The longest linearizable prefix the search found, in linearization order. */
  prefix: LinearizedStep[];
  /** State after the prefix. */
  state: unknown;
  /** The operation that cannot be placed after the prefix: the pending one that must take effect first. */
  stuck: Operation;
  /** Operations of the partition that were not linearized, other than `stuck`, and that were concurrent with it. */
  concurrent: Operation[];
  /**
   * The smallest failing core: definite operations that cannot be linearized even when
   * every other operation of the partition may or may not have happened (empty when
   * coreSteps is 0). Computed on first read, like `explanation`.
   */
  readonly core: Operation[];
  /** Whether relaxing any one more operation of the core makes it linearizable (false when a budget ran out). */
  readonly coreMinimal: boolean;
  /** Several lines a person can read. */
  readonly explanation: string;
}

/** A partition whose search ran out of budget: what was explored. */
export interface UndecidedPartition {
  partition: string;
  operations: number;
  /** Which budget ran out. */
  reason: 'steps' | 'memory';
  steps: number;
  /** Estimated bytes of the memo table when it stopped. */
  bytes: number;
}

export interface CheckResult {
  verdict: Verdict;
  /** True only for the verdict 'linearizable' ('unknown' is not linearizable, and not a violation either). */
  linearizable: boolean;
  /** Number of partitions (keys) in the history, and how many were checked before stopping. */
  partitions: number;
  checked: number;
  operations: number;
  /** Model steps the search took. */
  steps: number;
  /** Largest estimated memo-table size of one partition, in bytes. */
  peakBytes: number;
  /** Partitions whose search ran out of budget (empty unless the verdict is 'unknown' or a failure was found after them). */
  undecided: UndecidedPartition[];
  /**
   * The linearization found for each partition proven linearizable, in order of
   * checking: operation ids (Operation.id, the index of the call among the history's
   * calls) in linearization order. Unknown operations left out did not take effect.
   */
  linearizations: { partition: string; order: number[] }[];
  failure?: LinearizabilityFailure;
}

/** A malformed history: a return without its call, two calls with one id, an operation the model cannot check. */
export class HistoryError extends Error {
  override name = 'HistoryError';
  constructor(
    message: string,
    /** Index of the offending event in the history. */
    readonly position: number,
  ) {
    super(message);
  }
}

// ---------------------------------------------------------------- history -> operations

/**
 * Pair the engine's invoke/return events (by op id) into operations. Positions are
 * indices in `history`, which is in real-time order. `info` returns and calls still
 * pending at the end become outcome 'unknown' with ret = Infinity.
 */
export function historyToOperations(history: readonly HistoryEvent[]): Operation[] {
  interface Draft { id: number; process: string; f: string; outcome: OpResult; call: number; ret: number; key?: string; input?: HistoryEvent['value']; output?: HistoryEvent['value'] }
  const drafts: Draft[] = [];
  /** Per draft (by id): 1 once its return was seen. */
  const closed: number[] = [];
  const byOpId = new Map<number, Draft>();
  for (let i = 0; i < history.length; i++) {
    const ev = history[i]!;
    if (ev.type === 'invoke') {
      if (byOpId.has(ev.op)) throw new HistoryError(`operation ${ev.op} is invoked twice`, i);
      const d: Draft = { id: drafts.length, process: ev.process, f: ev.f, outcome: 'unknown', call: i, ret: Infinity };
      if (ev.key !== undefined) d.key = ev.key;
      if (ev.value !== undefined) d.input = ev.value;
      drafts.push(d);
      closed.push(0);
      byOpId.set(ev.op, d);
      continue;
    }
    const d = byOpId.get(ev.op);
    if (d === undefined) throw new HistoryError(`return of operation ${ev.op}, which was never invoked`, i);
    if (closed[d.id] === 1) throw new HistoryError(`operation ${ev.op} returns twice`, i);
    closed[d.id] = 1;
    if (ev.outcome === 'info') continue; // unknown: stays pending to the end
    d.outcome = ev.outcome;
    d.ret = i;
    if (ev.value !== undefined) d.output = ev.value;
  }
  return drafts;
}

/** Check the engine's client history against a model. */
export function checkHistory<S>(history: readonly HistoryEvent[], model: Model<S>, opts: CheckOptions = {}): CheckResult {
  return checkOperations(historyToOperations(history), model, opts);
}

// ---------------------------------------------------------------- partitions

/**
 * Split operations by the model's partition, in order of first appearance (deterministic).
 * A model whose operations touch several objects (`keysOf`, e.g. multi-register
 * transactions) is split into the connected groups of objects that operations touch
 * together (union-find): each group is one compound object, so the split stays sound.
 */
export function partitionOperations<S>(ops: readonly Operation[], model: Model<S>): Map<string, Operation[]> {
  const parts = new Map<string, Operation[]>();
  if (model.keysOf) return partitionByKeys(ops, model.keysOf.bind(model));
  for (const op of ops) {
    const k = model.partition ? model.partition(op) : '';
    let list = parts.get(k);
    if (!list) parts.set(k, (list = []));
    list.push(op);
  }
  return parts;
}

function partitionByKeys(ops: readonly Operation[], keysOf: (op: Operation) => readonly string[]): Map<string, Operation[]> {
  const parent = new Map<string, string>();
  const find = (k: string): string => {
    let r = k;
    while (parent.get(r) !== r) r = getOrFail(parent, r, 'union-find parent');
    for (let x = k; parent.get(x) !== r; ) {
      const next = getOrFail(parent, x, 'union-find parent');
      parent.set(x, r);
      x = next;
    }
    return r;
  };
  const opKeys = ops.map((op) => {
    const ks = keysOf(op);
    for (const k of ks) if (!parent.has(k)) parent.set(k, k);
    for (let i = 1; i < ks.length; i++) {
      const a = find(ks[0]!);
      const b = find(ks[i]!);
      if (a !== b) parent.set(b, a);
    }
    return ks;
  });
  const members = new Map<string, string[]>();
  for (const k of parent.keys()) {
    const r = find(k);
    let list = members.get(r);
    if (!list) members.set(r, (list = []));
    list.push(k);
  }
  const name = new Map<string, string>();
  for (const [r, ks] of members) name.set(r, ks.sort().join(','));
  const parts = new Map<string, Operation[]>();
  ops.forEach((op, i) => {
    const ks = opKeys[i]!;
    const k = ks.length === 0 ? '' : getOrFail(name, find(ks[0]!), 'partition name of a root');
    let list = parts.get(k);
    if (!list) parts.set(k, (list = []));
    list.push(op);
  });
  return parts;
}

/** Check operations (with real-time intervals) against a model, partition by partition. */
export function checkOperations<S>(ops: readonly Operation[], model: Model<S>, opts: CheckOptions = {}): CheckResult {
  for (const op of ops) {
    const problem = model.validate?.(op);
    if (problem !== undefined) throw new HistoryError(problem, op.call);
    if (!(op.call <= op.ret)) assert(false, `operation ${op.id} returns (${op.ret}) before its call (${op.call})`);
    if ((op.outcome === 'unknown') !== (op.ret === Infinity)) assert(false, `operation ${op.id}: unknown outcome iff no return`);
  }
  const relevant = model.ignore ? ops.filter((op) => !model.ignore!(op)) : ops;
  const parts = partitionOperations(relevant, model);
  const limits: SearchLimits = { steps: opts.maxSteps ?? Infinity, bytes: opts.maxMemory ?? DEFAULT_MAX_MEMORY, memo: opts.memo ?? true };
  let steps = 0;
  let checked = 0;
  let peakBytes = 0;
  const undecided: UndecidedPartition[] = [];
  const linearizations: { partition: string; order: number[] }[] = [];
  for (const [key, partOps] of parts) {
    checked++;
    const init = model.initFor ? model.initFor(key) : model.init();
    const r = searchPartition(partOps, model, init, limits);
    steps += r.steps;
    if (r.kind !== 'fail') peakBytes = Math.max(peakBytes, r.bytes);
    if (r.kind === 'ok') linearizations.push({ partition: key, order: r.order });
    if (r.kind === 'aborted') {
      // Budgets are per partition: another key may still be proven non-linearizable.
      undecided.push({ partition: key, operations: partOps.length, reason: r.reason, steps: r.steps, bytes: r.bytes });
      continue;
    }
    if (r.kind === 'fail') {
      // The pruned search proves the failure but stops short: its longest prefix ends where a
      // later read first ruled the prefix out, not at the read that cannot be placed. For the
      // explanation, a plain search of the partition under a small budget usually gets further.
      let shown: { prefix: LinearizedStep[]; stuck: Operation } = r;
      if (r.pruned > 0) {
        const plain = searchPartition(partOps, model, init, { ...limits, steps: Math.min(limits.steps, Math.max(20_000, 10 * r.steps)), futureReads: false });
        steps += plain.steps;
        if (plain.kind === 'fail' && plain.prefix.length >= r.prefix.length) shown = plain;
      }
      // The core and the explanation are computed on first use: a verdict alone stays fast.
      const core = () => shrinkToCore(partOps, shown.stuck, model, init, opts.coreSteps ?? 50_000, limits.bytes);
      const failure = explainFailure(model, key, init, shown.prefix, shown.stuck, partOps, core, opts.describePosition ?? ((p) => `event #${p}`));
      return { verdict: 'not-linearizable', linearizable: false, partitions: parts.size, checked, operations: relevant.length, steps, peakBytes, undecided, linearizations, failure };
    }
  }
  const verdict: Verdict = undecided.length > 0 ? 'unknown' : 'linearizable';
  return { verdict, linearizable: verdict === 'linearizable', partitions: parts.size, checked, operations: relevant.length, steps, peakBytes, undecided, linearizations };
}

/**
 * Default memory budget of one partition's search, in estimated bytes of its memo table:
 * 512 MB, under Node's default heap limit (about 2 GB and up on 64-bit machines) even
 * with the estimate's slack. Past it the partition is undecided ('unknown').
 */
export const DEFAULT_MAX_MEMORY = 512e6;

/**
 * The smallest failing core of a non-linearizable partition, within a step budget. Each
 * test is a search of its own under a slice of the budget; a test that runs out of its
 * slice keeps the chunk and marks the core not minimal. The first test (drop what began
 * after the stuck operation returned) usually removes most of a long history at once.
 */
function shrinkToCore<S>(partOps: readonly Operation[], stuck: Operation, model: Model<S>, init: S, budget: number, bytes: number): Core {
  if (budget <= 0) return { ops: [], minimal: false };
  const perTest = Math.max(1000, Math.floor(budget / 20));
  let used = 0;
  return findCore(partOps, stuck, (variant) => {
    if (used >= budget) return 'exhausted';
    const relevant = model.ignore ? variant.filter((op) => !model.ignore!(op)) : variant;
    const r = searchPartition(relevant, model, init, { steps: Math.min(perTest, budget - used), bytes, memo: true });
    used += r.steps;
    return r.kind === 'aborted' ? 'unknown' : r.kind === 'fail';
  }, (op) => model.ignore?.(relax(op)) === true);
}

// ---------------------------------------------------------------- the search
//
// The list holds the calls and returns of definite operations in real-time order
// (Wing & Gong); unknown operations have no return, so their calls sit in a second
// list. At each point the candidates to linearize next are the calls before the
// first return still in the list (the "barrier"): definite ones are tried first,
// then unknown ones, so the search only spends an unknown operation when it must.
//
// Memoisation (Lowe): a configuration is (definite ops linearized D, unknown ops
// linearized U, state). A configuration is pruned when one with the same D and
// state and a subset of its U was seen: it can do everything this one can, since
// an unknown operation may be linearized at any later point or never.

/** A call or return in one of the doubly linked lists the search lifts operations out of. */
class Entry {
  prev: Entry | null = null;
  next: Entry | null = null;
  constructor(
    readonly op: number,
    readonly pos: number,
    readonly isCall: boolean,
    /** For a definite call: its return entry. Null for returns and for unknown calls. */
    readonly ret: Entry | null,
  ) {}
  /** For the return of an optional (`maybe`) operation: its call entry (skipping it lifts the call). */
  skipOf: Entry | null = null;
}

/**
 * The set of linearized operations, as a bitset that also tracks its leading
 * run of full words and its last non-empty word. Operations are indexed in
 * call order (the order of a history), so a linearized set is nearly a prefix: a snapshot keeps only the
 * count of full words and the few words after them, and copying or comparing
 * one costs the width of the concurrency window, not the length of the history.
 */
class OpSet {
  readonly words: Uint32Array;
  /** words[0 .. full) are all ones. */
  private full = 0;
  /** Last non-zero word, or -1. */
  private top = -1;
  constructor(n: number) {
    this.words = new Uint32Array(Math.max(1, Math.ceil(n / 32)));
  }
  has(i: number): boolean {
    return (this.words[i >>> 5]! & (1 << (i & 31))) !== 0;
  }
  set(i: number): void {
    const w = i >>> 5;
    this.words[w]! |= 1 << (i & 31);
    if (w > this.top) this.top = w;
    while (this.full < this.words.length && this.words[this.full] === 0xffffffff) this.full++;
  }
  clear(i: number): void {
    const w = i >>> 5;
    this.words[w]! &= ~(1 << (i & 31));
    if (w < this.full) this.full = w;
    while (this.top >= 0 && this.words[this.top] === 0) this.top--;
  }
  /** Record the set into `m` (its full-word count; its tail words appended to `pool`). */
  snapshot(m: OpSetSnapshot, pool: WordPool): void {
    const len = Math.max(0, this.top + 1 - this.full);
    m.full = this.full;
    m.len = len;
    m.off = pool.append(this.words, this.full, len);
  }
  /** Whether the set equals the one recorded in `s`. */
  equals(s: OpSetSnapshot, pool: WordPool): boolean {
    if (s.full !== this.full || s.len !== Math.max(0, this.top + 1 - this.full)) return false;
    const data = pool.data;
    for (let i = 0; i < s.len; i++) if (data[s.off + i] !== this.words[this.full + i]) return false;
    return true;
  }
}

/** A recorded OpSet: `full` leading words of ones, then `len` words at `off` in a WordPool. */
interface OpSetSnapshot {
  full: number;
  off: number;
  len: number;
}

/** One growing array holding the tail words of every recorded OpSet of a search (no typed array per record). */
class WordPool {
  // 16 words: 64 bytes, the most V8 keeps inside the heap; a search that records more grows it.
  data = new Uint32Array(16);
  private used = 0;
  /** Append words[from .. from + len); returns their offset. */
  append(words: Uint32Array, from: number, len: number): number {
    if (this.used + len > this.data.length) {
      const grown = new Uint32Array(Math.max(2 * this.data.length, this.used + len));
      grown.set(this.data.subarray(0, this.used));
      this.data = grown;
    }
    const off = this.used;
    for (let i = 0; i < len; i++) this.data[off + i] = words[from + i]!;
    this.used += len;
    return off;
  }
}

/**
 * The unknown operations linearized, as a persistent stack: they join and leave
 * in DFS order, so a snapshot is the current node (O(1)) and shares its tail.
 */
class UnknownSet {
  constructor(
    readonly id: number,
    readonly parent: UnknownSet | null,
    readonly size: number,
  ) {}
}

function sizeOf(u: UnknownSet | null): number {
  return u === null ? 0 : u.size;
}

/** Every member of `u` is linearized in `live` (a bitset of the unknown ops). */
function unknownsIn(u: UnknownSet | null, live: OpSet): boolean {
  for (let n = u; n !== null; n = n.parent) if (!live.has(n.id)) return false;
  return true;
}

/** Every member of the live set (with `liveSize` members, all flagged in `live`) is in `u`. */
function liveWithin(liveSize: number, live: OpSet, u: UnknownSet | null): boolean {
  if (u === null || liveSize > u.size) return liveSize === 0;
  let shared = 0;
  for (let n: UnknownSet | null = u; n !== null; n = n.parent) if (live.has(n.id)) shared++;
  return shared === liveSize;
}

/** Zobrist key of operation i: the hash of a set of operations is the XOR of its members' keys, kept incrementally. */
function zobrist(i: number): number {
  let h = Math.imul(i + 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}

type SearchResult =
  | { kind: 'ok'; steps: number; bytes: number; order: number[] }
  | { kind: 'aborted'; steps: number; reason: 'steps' | 'memory'; bytes: number }
  /** `pruned`: configurations the future-reads pruning cut (its prefix is then shorter than a plain search's). */
  | { kind: 'fail'; steps: number; prefix: LinearizedStep[]; stuck: Operation; pruned: number };

/** Remove a call (and its return) from its list. */
function lift(e: Entry): void {
  e.prev!.next = e.next;
  if (e.next) e.next.prev = e.prev;
  const r = e.ret;
  if (r) {
    r.prev!.next = r.next;
    if (r.next) r.next.prev = r.prev;
  }
}

/** Undo lift: lifts and unlifts are strictly nested, so the neighbours are still the ones they were. */
function unlift(e: Entry): void {
  const r = e.ret;
  if (r) {
    r.prev!.next = r;
    if (r.next) r.next.prev = r;
  }
  e.prev!.next = e;
  if (e.next) e.next.prev = e;
}

function link(head: Entry, entries: Entry[]): void {
  let tail = head;
  for (const e of entries) {
    tail.next = e;
    e.prev = tail;
    tail = e;
  }
}

/** Seen configurations with the same (D, state): the minimal U sets explored from them. */
interface MemoEntry<S> extends OpSetSnapshot {
  state: S;
  /** The interned id of `state`: equal states, equal ids. */
  stateId: number;
  /** The sets of unknown ops linearized with which it was explored; none is a subset of another. */
  unknown: readonly (UnknownSet | null)[];
  /** The next entry with the same hash. */
  next: MemoEntry<S> | null;
}

/**
 * The unknown sets of an entry first explored with no unknown operation linearized. The empty
 * set is a subset of every other, so such an entry prunes every later visit and its list never
 * changes: one shared array serves them all.
 */
const ONLY_EMPTY: readonly (UnknownSet | null)[] = Object.freeze([null]);

/** Limits of one partition's search. */
interface SearchLimits {
  steps: number;
  /** Estimated bytes of the memo table (configurations and distinct states). */
  bytes: number;
  memo: boolean;
  /** The future-reads pruning (default on): off only to explain a failure with the plain search's longest prefix. */
  futureReads?: boolean;
  /** The dead-state abstraction (default on with memo; see prepareForget): off only for tests. */
  forget?: boolean;
}

/** Rough size of a state kept in the memo table, for the memory budget. */
function stateBytes(key: number | string): number {
  return typeof key === 'string' ? 40 + 2 * key.length : 16;
}

/**
 * A witness before the search: every operation definite (not unknown, not optional), stepped in
 * return order. Return order respects real time (an operation that returned before another was called
 * returns before it), so when every step is legal that order is a linearization and the partition is
 * linearizable: the search's verdict, found without its set-up (the entry lists, the pruning tables,
 * the memo table). Undefined (run the search) when some operation is unknown or optional, a step is
 * illegal (the search then decides, and explains a failure), the step budget is below one step per
 * operation, or the memo table's size could pass the memory budget. `bytes` is an upper bound of the
 * search's estimate (it counts every state reached as distinct).
 *
 * When the operations never overlap (each returns strictly before the next is called), return order is
 * call order and every configuration of the search has one candidate, so this is the search itself:
 * the same steps and the same order. In a client history most keys are used by one client at a time,
 * so most partitions take that path. Where operations overlap the search may find another
 * linearization, after more steps (it tries a legal read-only operation as soon as it is called, and
 * backtracks); this one returns the first legal order it tries. In a simulated Raft KV history most
 * overlapping keys are linearizable in return order too (`faultline bench raft`: 52 of its 58
 * overlapping keys), since a server applies an operation shortly before its client hears of it.
 * An order found here may decide a partition whose search would have run out of its budget.
 */
function inReturnOrder<S>(ops: readonly Operation[], model: Model<S>, init: S, limits: SearchLimits): SearchResult | undefined {
  const n = ops.length;
  if (n > limits.steps || !limits.memo) return undefined;
  let prevRet = -Infinity;
  let sequential = true;
  for (let i = 0; i < n; i++) {
    const op = ops[i]!;
    if (op.outcome === 'unknown' || op.maybe === true) return undefined;
    if (!(prevRet < op.call)) sequential = false;
    prevRet = op.ret;
  }
  let byRet = ops;
  if (!sequential) {
    // Operations are in call order; sort a copy by return (ties, which only built histories have: by id).
    byRet = [...ops].sort((a, b) => a.ret - b.ret || a.id - b.id);
  }
  const key = model.hash ? (s: S) => model.hash!(s) : (s: S) => JSON.stringify(s);
  let bytes = stateBytes(key(init));
  let state = init;
  const order: number[] = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    // The search checks the memory budget before each step; its table holds at most what is counted here.
    if (bytes > limits.bytes) return undefined;
    const op = byRet[i]!;
    const next = model.step(state, op);
    if (next === undefined) return undefined;
    bytes += 112 + 4;
    // A read-only operation keeps the state (the search linearizes it without interning anything).
    if (model.readOnly?.(op) !== true) {
      bytes += stateBytes(key(next));
      state = next;
    }
    order[i] = op.id;
  }
  return { kind: 'ok', steps: n, bytes, order };
}

function searchPartition<S>(ops: readonly Operation[], model: Model<S>, init: S, limits: SearchLimits): SearchResult {
  const quick = inReturnOrder(ops, model, init, limits);
  if (quick !== undefined) return quick;
  const n = ops.length;
  const budget = limits.steps;
  const memo = limits.memo;
  // Real-time order; at equal positions calls go first (the operations overlap), then by index.
  const calls = byPosition(ops, (op) => op.call);
  const rets = byPosition(ops, (op) => op.ret);
  const returns: (Entry | null)[] = new Array<Entry | null>(n).fill(null);
  for (const i of rets) returns[i] = new Entry(i, ops[i]!.ret, false, null);
  const main: Entry[] = [];
  const pending: Entry[] = [];
  for (let c = 0, r = 0; c < calls.length || r < rets.length; ) {
    const call = c < calls.length ? ops[calls[c]!]!.call : Infinity;
    if (r < rets.length && ops[rets[r]!]!.ret < call) {
      main.push(returns[rets[r++]!]!);
      continue;
    }
    const i = calls[c++]!;
    const op = ops[i]!;
    if (op.ret === Infinity) pending.push(new Entry(i, op.call, true, null));
    else {
      const e = new Entry(i, op.call, true, returns[i]!);
      if (op.maybe === true) e.ret!.skipOf = e;
      main.push(e);
    }
  }
  const head = new Entry(-1, -Infinity, false, null);
  const uhead = new Entry(-1, -Infinity, false, null);
  link(head, main);
  link(uhead, pending);
  // Read-only operations (the model says their step never changes the state) of definite outcome.
  const readOnly = ops.map((op) => op.outcome !== 'unknown' && model.readOnly?.(op) === true);
  const anyReadOnly = readOnly.includes(true);

  // Future reads (a pruning on top of Lowe's search, for models with monotone operations, see
  // Model.monotone): every definite read that reveals the whole state (`observed`) and is not
  // linearized yet comes after the current prefix. If no operation that can move the state down
  // (not monotone) may still be placed before that read (each one is linearized already, or was
  // called after the read returned), only monotone operations separate the new state from the
  // state the read saw, so the new state must precede it. Ten concurrent appends to one key that
  // a later get reveals then cost ten orders' first steps, not ten factorial orders.
  const futureReads = limits.futureReads !== false && model.monotone && model.precedes && model.observed ? prepareFutureReads(ops, model, readOnly) : undefined;
  let pruned = 0;
  // Dead states (Model.tests): a state that no remaining operation can observe is abstracted to DEAD.
  const forget = memo && limits.forget !== false ? prepareForget(ops, model) : undefined;

  let definiteLeft = rets.length;
  const definite = new OpSet(n);
  const unknown = new OpSet(n);
  let unknownTop: UnknownSet | null = null; // the same set as `unknown`, as a persistent stack
  const cache = new Map<number, MemoEntry<S>>();
  const pool = new WordPool();
  let bytes = 0;
  /**
   * Distinct states by their hash key (model.hash, else JSON): equal states share one
   * object (less memory) and one small integer, so the memo key costs one map lookup.
   */
  const interned = new Map<number | string, { id: number; states: S[] }>();
  const stateKey = model.hash ? (s: S) => model.hash!(s) : (s: S) => JSON.stringify(s);
  /** The interned copy of `s` and its id. */
  const intern = (s: S): { state: S; id: number } => {
    const k = stateKey(s);
    let slot = interned.get(k);
    if (!slot) {
      interned.set(k, (slot = { id: interned.size, states: [s] }));
      bytes += stateBytes(k);
      return { state: s, id: slot.id };
    }
    for (const c of slot.states) if (c === s || model.equal(c, s)) return { state: c, id: slot.id };
    slot.states.push(s); // a hash collision between unequal states: keep both
    bytes += stateBytes(k);
    return { state: s, id: slot.id };
  };
  /**
   * A choice made: the candidates of the configuration it was made in, the index of the one
   * linearized, the state before it, and whether it was forced (the only one worth trying).
   */
  interface Frame {
    cands: Entry[];
    idx: number;
    barrier: Entry;
    state: S;
    stateId: number;
    forced: boolean;
  }
  const stack: Frame[] = [];
  const start = intern(init);
  let state = start.state;
  /** Interned id of `state` (0 when memo is off). */
  let stateId = start.id;
  /** Per operation: 1 + the id of a state it was found illegal in (legality depends on the state only). */
  const illegalIn = smallInts(n, 0);
  let steps = 0;
  // Longest prefix reached, for the explanation; `agree` entries of it are still the bottom of the stack.
  const best: LinearizedStep[] = [];
  let agree = 0;
  let stuck: Operation | undefined;
  let definiteHash = 0; // Zobrist hash of `definite`
  const keys = ops.map((_, i) => zobrist(i));

  /** Has a configuration at least as capable as (definite, unknown, next) been seen? Records it if not. */
  const seen = (next: S, id: number): boolean => {
    const h = (definiteHash ^ Math.imul(id + 1, 0x9e3779b1)) | 0;
    const first = cache.get(h);
    let m: MemoEntry<S> | null = first ?? null;
    while (m !== null && !(m.stateId === id && definite.equals(m, pool))) m = m.next;
    if (m === null) {
      m = { full: 0, off: 0, len: 0, state: next, stateId: id, unknown: unknownTop === null ? ONLY_EMPTY : [unknownTop], next: first ?? null };
      definite.snapshot(m, pool);
      cache.set(h, m);
      bytes += 112 + 4 * m.len;
      return false;
    }
    for (const u of m.unknown) if (unknownsIn(u, unknown)) return true;
    const size = sizeOf(unknownTop);
    const kept = m.unknown.filter((u) => !liveWithin(size, unknown, u));
    kept.push(unknownTop);
    m.unknown = kept;
    bytes += 16;
    return false;
  };

  /** The return that bounds the current candidates: the first return still in the list. */
  let barrier: Entry = head;
  /**
   * The candidates of the current configuration: the definite calls before the first
   * pending return, the one that returns first first (it has the least slack), then the
   * unknown calls before that return.
   */
  const window = (): Entry[] => {
    const out: Entry[] = [];
    let e = head.next;
    for (; e !== null && e.isCall; e = e.next) out.push(e);
    assert(e !== null, 'linearizability search: ran past the last return with definite operations left');
    barrier = e;
    if (out.length > 16) out.sort((a, b) => a.ret!.pos - b.ret!.pos || a.op - b.op);
    else {
      // Insertion sort: windows are small, and usually sorted already.
      for (let i = 1; i < out.length; i++) {
        const x = out[i]!;
        let j = i - 1;
        for (; j >= 0 && (out[j]!.ret!.pos > x.ret!.pos || (out[j]!.ret!.pos === x.ret!.pos && out[j]!.op > x.op)); j--) out[j + 1] = out[j]!;
        out[j + 1] = x;
      }
    }
    for (let u = uhead.next; u !== null && u.pos < e.pos; u = u.next) out.push(u);
    // An optional operation that has not taken effect by its return may not take effect at all: skip it (last resort).
    if (e.skipOf !== null) out.push(e);
    return out;
  };
  /** Mark `candidate` linearized in the sets; false (and unmarked) when an equivalent configuration was already explored. */
  const mark = (chosen: Entry, next: S, id: number): boolean => {
    const candidate = chosen.skipOf ?? chosen;
    const bits = candidate.ret ? definite : unknown;
    bits.set(candidate.op);
    if (candidate.ret) definiteHash ^= keys[candidate.op]!;
    else unknownTop = new UnknownSet(candidate.op, unknownTop, sizeOf(unknownTop) + 1);
    if (memo && seen(next, id)) {
      bits.clear(candidate.op);
      if (candidate.ret) definiteHash ^= keys[candidate.op]!;
      else unknownTop = unknownTop!.parent;
      return false;
    }
    return true;
  };
  let cands: Entry[] = [];
  let idx = 0;
  /** At a new configuration: look for a read-only operation legal now before branching. */
  let fresh = true;
  const push = (i: number, op: Operation, next: S, nextId: number, forced: boolean): void => {
    const candidate = cands[i]!;
    stack.push({ cands, idx: i, barrier, state, stateId, forced });
    state = next;
    stateId = nextId;
    if (candidate.ret || candidate.skipOf) definiteLeft--;
    lift(candidate.skipOf ?? candidate);
    if (stack.length > best.length) {
      // A new longest prefix: usually the old one plus this step, else copy the stack.
      if (agree < stack.length - 1) {
        best.length = agree;
        for (let j = agree; j < stack.length - 1; j++) {
          const f = stack[j]!;
          best.push({ op: ops[f.cands[f.idx]!.op]!, state: stack[j + 1]!.state });
        }
      }
      best.push({ op, state: next });
      agree = stack.length;
      stuck = undefined;
    }
    fresh = true;
  };
  /** Undo choices until one that was not forced has been undone; false when nothing is left to undo. */
  const backtrack = (): boolean => {
    for (;;) {
      const top = stack.pop();
      if (top === undefined) return false;
      const chosen = top.cands[top.idx]!;
      const e = chosen.skipOf ?? chosen;
      agree = Math.min(agree, stack.length);
      state = top.state;
      stateId = top.stateId;
      if (e.ret) {
        definite.clear(e.op);
        definiteHash ^= keys[e.op]!;
        definiteLeft++;
      } else {
        unknown.clear(e.op);
        assert(unknownTop?.id === e.op, 'linearizability search: unknown operations leave in stack order');
        unknownTop = unknownTop.parent;
      }
      unlift(e);
      futureReads?.undo(e.op);
      forget?.undo(e.op);
      cands = top.cands;
      idx = top.idx + 1;
      barrier = top.barrier;
      // A forced choice was the only one worth making in its configuration: that configuration fails too.
      if (!top.forced) return true;
    }
  };
  const failed = (): SearchResult => {
    // Every configuration whose search ended without a candidate set `stuck` at the longest depth.
    const done = new Set(best.map((s) => s.op.id));
    stuck ??= ops.find((op) => op.outcome !== 'unknown' && !done.has(op.id));
    assert(stuck !== undefined, 'linearizability search: failed without a stuck operation');
    return { kind: 'fail', steps, prefix: best, stuck, pruned };
  };

  outer: while (definiteLeft > 0) {
    if (bytes > limits.bytes) return { kind: 'aborted', steps, reason: 'memory', bytes };
    if (fresh) {
      fresh = false;
      cands = window();
      idx = 0;
      if (anyReadOnly) {
        // Partial-order reduction: a read-only operation that may go now (its call is before
        // every pending return) and is legal in this state can be moved here in any
        // linearization that places it later (it changes no state, and nothing still pending
        // had to precede it), so it is the only choice to try. If it leads nowhere, neither
        // does this configuration.
        for (let i = 0; i < cands.length; i++) {
          const e = cands[i]!;
          if (!e.isCall || !readOnly[e.op] || (memo && illegalIn[e.op] === stateId + 1)) continue;
          if (steps >= budget) return { kind: 'aborted', steps, reason: 'steps', bytes };
          steps++;
          const op = ops[e.op]!;
          if (model.step(state, op) === undefined) {
            illegalIn[e.op] = stateId + 1;
            continue;
          }
          if (mark(e, state, stateId)) push(i, op, state, stateId, true);
          else if (!backtrack()) return failed();
          continue outer;
        }
      }
    }
    for (; idx < cands.length; idx++) {
      const e = cands[idx]!;
      if (e.skipOf !== null) {
        // Skip the optional operation at the barrier: done, without effect.
        if (steps >= budget) return { kind: 'aborted', steps, reason: 'steps', bytes };
        steps++;
        if (!mark(e, state, stateId)) continue;
        push(idx, ops[e.op]!, state, stateId, false);
        continue outer;
      }
      // Read-only operations were tried by the first pass in this same state: illegal here.
      if (readOnly[e.op] || (memo && illegalIn[e.op] === stateId + 1)) continue;
      if (steps >= budget) return { kind: 'aborted', steps, reason: 'steps', bytes };
      steps++;
      const op = ops[e.op]!;
      const raw = model.step(state, op);
      if (raw === undefined) {
        illegalIn[e.op] = stateId + 1;
        continue;
      }
      if (futureReads !== undefined && !futureReads.allows(raw, e.op, definite, unknown)) {
        pruned++;
        continue;
      }
      const isDead = forget !== undefined && forget.dead(raw, e.op, stateId, definite, unknown);
      const { state: next, id } = isDead ? { state: raw, id: DEAD } : memo ? intern(raw) : { state: raw, id: 0 };
      if (!mark(e, next, id)) continue;
      push(idx, op, next, id, false);
      continue outer;
    }
    // No candidate left: the op whose return bounds them cannot be placed here. Undo the last choice.
    if (stack.length === best.length && stuck === undefined) stuck = ops[barrier.op];
    if (!backtrack()) return failed();
  }
  const order: number[] = [];
  for (const f of stack) {
    const e = f.cands[f.idx]!;
    if (e.skipOf === null) order.push(ops[e.op]!.id);
  }
  return { kind: 'ok', steps, bytes, order };
}

/** A table of small integers: a plain array when small, an Int32Array when large (see smallInts). */
type Ints = number[] | Int32Array;

/** Above this many entries the search's tables are typed arrays (their backing store is then worth its cost). */
const PLAIN_MAX = 1024;

/**
 * A table of `n` copies of `fill` (small integers) for the search's per-partition tables (positions,
 * flags, orders). A plain array up to PLAIN_MAX entries: a key-value history is many small
 * partitions, and a typed array past 64 bytes has its own backing store outside the heap (an
 * allocation and a GC record of its own), which made these tables' allocation and collection a
 * large part of checking such a history. Larger partitions keep typed arrays (half the memory).
 */
function smallInts(n: number, fill: number): Ints {
  if (n > PLAIN_MAX) {
    const t = new Int32Array(n);
    if (fill !== 0) t.fill(fill);
    return t;
  }
  const a = new Array<number>(n);
  for (let i = 0; i < n; i++) a[i] = fill;
  return a;
}

/** Per operation index (0 .. n-1): its position in `list` (sorted entries naming operations), or -1. */
function positions(n: number, list: readonly { op: number }[]): Ints {
  const pos = smallInts(n, -1);
  for (let k = 0; k < list.length; k++) pos[list[k]!.op] = k;
  return pos;
}

/**
 * The indices of the operations with a finite `at(op)`, in order of (at, index): one numeric
 * typed-array sort of at * n + index (exact below 2^53), else a comparison sort.
 */
function byPosition(ops: readonly Operation[], at: (op: Operation) => number): Ints {
  const n = ops.length;
  let count = 0;
  let max = 0;
  let integral = true;
  // Already in order (calls, in a history's order): the indices as they are, no sort.
  let sorted = true;
  let prev = -Infinity;
  for (let i = 0; i < n; i++) {
    const p = at(ops[i]!);
    if (p === Infinity) continue;
    count++;
    if (p > max) max = p;
    if (!Number.isInteger(p) || p < 0) integral = false;
    if (p < prev) sorted = false;
    prev = p;
  }
  const out = smallInts(count, 0);
  if (sorted) {
    for (let i = 0, k = 0; i < n; i++) if (at(ops[i]!) !== Infinity) out[k++] = i;
    return out;
  }
  if (integral && Number.isSafeInteger((max + 1) * n)) {
    // Keys up to 2^53: doubles (a Float64Array's numeric sort when large, a plain array's when small).
    const keys: number[] | Float64Array = count > PLAIN_MAX ? new Float64Array(count) : new Array<number>(count);
    for (let i = 0, k = 0; i < n; i++) {
      const p = at(ops[i]!);
      if (p !== Infinity) keys[k++] = p * n + i;
    }
    if (keys instanceof Float64Array) keys.sort();
    else keys.sort((a, b) => a - b);
    for (let k = 0; k < count; k++) out[k] = keys[k]! % n;
    return out;
  }
  const idx: number[] = [];
  for (let i = 0; i < n; i++) if (at(ops[i]!) !== Infinity) idx.push(i);
  idx.sort((a, b) => at(ops[a]!) - at(ops[b]!) || a - b);
  return idx;
}

/** Whether operation `i` is linearized in the configuration that linearizing `op` leads to. */
function linearized(i: number, op: number, definite: OpSet, unknown: OpSet): boolean {
  return i === op || definite.has(i) || unknown.has(i);
}

/** The memo id of every dead state (see prepareForget): one id, since they all behave alike. */
const DEAD = -2;

/**
 * The dead-state abstraction of searchPartition, for models that declare `tests` (see Model.tests).
 * A tester (an operation with `tests`) not linearized yet is **shielded** when a definite overwrite
 * (an `ok` operation with `overwrites`, not optional) not linearized yet returned before it was
 * called: that overwrite comes between now and the tester, so the tester sees a state that does not
 * depend on the current one. A state is **dead** when it is forgettable and precedes the value of no
 * unshielded tester still to be linearized. All dead states behave alike for the rest of the search
 * (a bisimulation: testers are illegal on all, or leave them dead, or give one state; monotone
 * operations keep them dead, by transitivity of `precedes`; overwrites ignore them; shields stay
 * pending until they are linearized, and then the states no longer differ). So they share one memo
 * id, DEAD, and Lowe's cache explores (linearized set, DEAD) once: concurrent appends that a later
 * put erases cost their subsets instead of their orders. Undefined when the model does not declare
 * `tests` or some operation of the partition is neither a tester, monotone, nor an overwrite.
 *
 * Cost: the testers looked at are the ones not linearized that were called before the first
 * pending shield returned (a window of the concurrency around the prefix), found from cursors
 * over both lists that skip the linearized front; `undo(op)` moves them back when backtracking.
 */
function prepareForget<S>(ops: readonly Operation[], model: Model<S>) {
  if (!model.tests || !model.precedes || !model.monotone) return undefined;
  const precedes = model.precedes.bind(model);
  const testers: { op: number; call: number; value: S }[] = [];
  const shields: { op: number; ret: number }[] = [];
  const monotone: boolean[] = [];
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!;
    const t = model.tests(op);
    monotone.push(t === undefined && model.monotone(op));
    const overwrites = t === undefined && monotone[i] ? false : model.overwrites?.(op) !== undefined;
    if (t !== undefined) testers.push({ op: i, call: op.call, value: t });
    else if (!monotone[i] && !overwrites) return undefined;
    if (overwrites && op.outcome === 'ok' && op.maybe !== true) shields.push({ op: i, ret: op.ret });
  }
  testers.sort((a, b) => a.call - b.call || a.op - b.op);
  shields.sort((a, b) => a.ret - b.ret || a.op - b.op);
  const testerPos = positions(ops.length, testers);
  const shieldPos = positions(ops.length, shields);
  const forgettable = model.forgettable ? model.forgettable.bind(model) : () => true;
  let t0 = 0; // every tester before t0 is linearized
  let w0 = 0; // every shield before w0 is linearized
  return {
    /** Is `state`, reached by linearizing `op` from the state with memo id `prevId`, dead? */
    dead(state: S, op: number, prevId: number, definite: OpSet, unknown: OpSet): boolean {
      // A monotone step from a dead state stays dead (transitivity of `precedes`).
      if (prevId === DEAD && monotone[op]) return true;
      if (!forgettable(state)) return false;
      while (t0 < testers.length && linearized(testers[t0]!.op, op, definite, unknown) && testers[t0]!.op !== op) t0++;
      while (w0 < shields.length && linearized(shields[w0]!.op, op, definite, unknown) && shields[w0]!.op !== op) w0++;
      let w = w0;
      while (w < shields.length && linearized(shields[w]!.op, op, definite, unknown)) w++;
      const horizon = w < shields.length ? shields[w]!.ret : Infinity;
      for (let t = t0; t < testers.length && testers[t]!.call < horizon; t++) {
        const tester = testers[t]!;
        if (!linearized(tester.op, op, definite, unknown) && precedes(state, tester.value)) return false;
      }
      return true;
    },
    /** Backtracking took `op` out of the prefix. */
    undo(op: number): void {
      const tp = testerPos[op]!;
      if (tp >= 0 && tp < t0) t0 = tp;
      const wp = shieldPos[op]!;
      if (wp >= 0 && wp < w0) w0 = wp;
    },
  };
}

/**
 * The "future reads" pruning of searchPartition. `allows(next, op, ...)` is false when linearizing
 * `op` (giving state `next`) cannot be completed: an unlinearized revealing read (earliest return
 * first) that no non-monotone operation may still precede saw a state `next` does not precede.
 * Cursors skip the linearized front of both lists; `undo(op)` moves them back when backtracking
 * takes `op` out of the prefix, so a check is O(1) amortised and never skips a live blocker.
 */
function prepareFutureReads<S>(ops: readonly Operation[], model: Model<S>, readOnly: readonly boolean[]) {
  const precedes = model.precedes!;
  const reads: { op: number; ret: number; saw: S }[] = [];
  const downs: { op: number; call: number; after: S | undefined }[] = [];
  ops.forEach((op, i) => {
    // An optional read (`maybe`, set by the core search) may not take effect at all: it constrains nothing.
    if (readOnly[i] && op.outcome === 'ok' && op.maybe !== true) {
      const saw = model.observed!(op);
      if (saw !== undefined) reads.push({ op: i, ret: op.ret, saw });
    }
    if (!model.monotone!(op)) downs.push({ op: i, call: op.call, after: model.overwrites?.(op) });
  });
  reads.sort((a, b) => a.ret - b.ret || a.op - b.op);
  downs.sort((a, b) => a.call - b.call || a.op - b.op);
  const readPos = positions(ops.length, reads);
  const downPos = positions(ops.length, downs);
  let r0 = 0; // every read before r0 is linearized
  let d0 = 0; // every down operation before d0 is linearized
  return {
    allows(next: S, op: number, definite: OpSet, unknown: OpSet): boolean {
      while (r0 < reads.length && linearized(reads[r0]!.op, op, definite, unknown) && reads[r0]!.op !== op) r0++;
      while (d0 < downs.length && linearized(downs[d0]!.op, op, definite, unknown) && downs[d0]!.op !== op) d0++;
      let tried = 0;
      reads: for (let r = r0; r < reads.length && tried < 3; r++) {
        const read = reads[r]!;
        if (linearized(read.op, op, definite, unknown)) continue;
        tried++;
        if (precedes(next, read.saw)) continue;
        // `next` cannot lead to what the read saw by monotone steps. The read may still see a state
        // that a down operation placed between them set: each one free to go before the read must
        // overwrite the state with something that cannot lead there either.
        for (let d = d0; d < downs.length && downs[d]!.call < read.ret; d++) {
          const down = downs[d]!;
          if (linearized(down.op, op, definite, unknown)) continue;
          if (down.after === undefined || precedes(down.after, read.saw)) continue reads;
        }
        return false;
      }
      return true;
    },
    /** Backtracking took `op` out of the prefix. */
    undo(op: number): void {
      const rp = readPos[op]!;
      if (rp >= 0 && rp < r0) r0 = rp;
      const dp = downPos[op]!;
      if (dp >= 0 && dp < d0) d0 = dp;
    },
  };
}
