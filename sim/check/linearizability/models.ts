// Sequential specifications for the linearizability checker: a model is the
// object the search steps through (Porcupine's Model: init, step, equality,
// hash, partition). Protocols can add their own by implementing Model<S>.
//
// Value conventions (what clients record with ctx.invoke / ctx.complete):
//
// Outcomes. `ok` took effect and its return value is known; `fail` definitely
// did NOT take effect; `unknown` (an `info` return, or still pending at the end
// of the history) may have taken effect at any point after its call, or never.
// An unknown operation is stepped like an `ok` one whose return value is not
// known; the checker itself handles "or never".
//
// register (`registerModel`), one register per `key` (no key: a single register):
//   - initial value `null` (nil).
//   - `read`:  invoke value ignored; ok value = the current value (`null` only while
//              nothing was written). fail/unknown reads constrain nothing.
//   - `write`: invoke value = the new value; always succeeds.
//   - `cas`:   invoke value `[expected, new]`. ok: the value equalled `expected` and
//              is now `new`. fail: the value did not equal `expected` (nothing changed).
//              unknown: either it took effect (value was `expected`) or nothing happened.
//
// key-value map (`kvModel`), checked key by key (P-compositionality):
//   - an absent key reads as `""`; `null` (or no return value) is accepted for it too,
//     so "" and null are the same value for `get`.
//   - `get`:    invoke value ignored; ok value = the key's value.
//   - `put`:    invoke value = the new value (any JSON value).
//   - `append`: invoke value = a string, appended to the key's value (absent = "").
//               Appending to a non-string value is illegal.
//   - `cas`:    invoke value `[expected, new]`; `expected` null or "" matches an
//               absent key. ok / fail as for the register.
//   - fail of get/put/append constrains nothing.
//
// lock (`lockModel`), one lock per `key` (the lock name), `process` is the client:
//   - state: the holding process, or null when free.
//   - `acquire`: ok only while the lock is free; the caller then holds it (no
//                re-entrance). The ok return value is ignored (e.g. a fencing token).
//   - `release`: ok only by the holder; the lock is then free.
//   - fail of acquire/release constrains nothing (it did not happen). A lease that
//     expires is not an operation: this model is for locks without expiry, or for
//     histories where an expiry is recorded as a release by the holder.
//
// queue (`queueModel`), one FIFO queue per `key`:
//   - `enqueue`: invoke value = the element. `dequeue`: ok value = the element taken
//                from the head, or null when the queue was empty.
//   - fail of either constrains nothing; an unknown dequeue may have taken the head.
//
// set (`setModel`, or `makeSetModel(initial)` for sets that start non-empty), one
// grow-only set per `key`:
//   - `add`:  invoke value = the element. `read`: ok value = an array of all elements,
//             in any order (duplicates ignored).
//
// counter (`counterModel`), one counter per `key`, initially 0:
//   - `add`: invoke value = the (integer) delta. `read`: ok value = the current count.
//
// Values compare structurally (deep equality of JSON values).

import type { JsonValue } from '../../engine/types.ts';

/** Outcome of an operation as the checker sees it: `unknown` covers `info` and still-pending calls. */
export type OpResult = 'ok' | 'fail' | 'unknown';

/** One client operation, with its real-time interval. */
export interface Operation {
  /** Index of the operation in the history it came from (order of the calls). */
  readonly id: number;
  readonly process: string;
  readonly f: string;
  readonly key?: string;
  /** The invoke's value (argument). */
  readonly input?: JsonValue;
  readonly outcome: OpResult;
  /** The return's value (result); undefined when the outcome is unknown. */
  readonly output?: JsonValue;
  /** Position of the call in real-time order. */
  readonly call: number;
  /** Position of the return; Infinity when the outcome is unknown (the call never returned for sure). */
  readonly ret: number;
  /**
   * Optional: the operation either took effect within [call, ret] with its recorded result,
   * or not at all. Set only by the failing-core search (a relaxation weaker than `unknown`,
   * which may also take effect after ret). Models need not look at it.
   */
  readonly maybe?: boolean;
}

/**
 * A sequential specification. `step` returns the state after `op` when `op`,
 * with its recorded outcome and return value, is legal in `state`, or
 * `undefined` when it is not. States must be immutable values (the search keeps
 * old ones) and must not themselves be `undefined`.
 */
export interface Model<S> {
  readonly name: string;
  init(): S;
  /** Initial state of one partition, when it depends on the key (default: init()). */
  initFor?(partition: string): S;
  step(state: S, op: Operation): S | undefined;
  equal(a: S, b: S): boolean;
  /** Hash consistent with `equal` (used for the memo table). Default: JSON of the state. */
  hash?(state: S): number | string;
  /**
   * The objects an operation touches, when it may touch several (a transaction): the
   * history is split into groups of objects no operation connects, and `partition` is
   * not used. The initial state of a group comes from `initFor(group)`, the group's
   * object names sorted and joined by ",".
   */
  keysOf?(op: Operation): readonly string[];
  /** The independent object an operation touches (P-compositionality): histories are checked per partition. */
  partition?(op: Operation): string;
  /**
   * True when `op`'s step never changes the state: for every state it returns undefined or
   * an equal state (a read, a failed compare-and-set). The search then linearizes such an
   * operation as soon as it may and is legal, without branching (a partial-order reduction
   * that keeps many concurrent reads from multiplying the configurations). Claiming it for an
   * operation that does change the state makes the checker wrong. Default: no operation.
   */
  readOnly?(op: Operation): boolean;
  /**
   * Optional, with `precedes` and `observed`: a **monotone** operation only moves a state up in the
   * order `precedes` (for every state s with a next state s', `precedes(s, s')`): an append to a string
   * (prefix order), an add to a grow-only set (subset order), a non-negative counter increment. Claiming
   * it for an operation that can move a state down (a put, a successful cas) makes the checker wrong.
   */
  monotone?(op: Operation): boolean;
  /** The partial order monotone operations respect: true when state `a` may lead to state `b` by monotone operations. Reflexive. */
  precedes?(a: S, b: S): boolean;
  /** The exact state a definite read-only operation saw (a get's value), or undefined when it does not reveal the whole state. */
  observed?(op: Operation): S | undefined;
  /** For an operation that is not monotone: the state right after it whenever it takes effect, whatever the state before (a put's value, a cas's new value), or undefined. */
  overwrites?(op: Operation): S | undefined;
  /**
   * Optional, with `precedes` and `monotone`: the state `op`'s legality compares the current state
   * with (a get's value, a cas's expected value), or undefined. It enables the **dead-state
   * abstraction** (checker.ts): a state that precedes no value a remaining operation tests can never
   * be observed again (only overwritten), so every such state is the same for the rest of the search
   * and configurations that differ only in one are explored once (concurrent appends that a later put
   * erases then cost their subsets, not their orders). Declaring it promises, for the states
   * `forgettable` accepts: (1) an operation with `tests(op) = t` behaves the same on every such state
   * that does not precede `t`: illegal on all of them, or legal and leaving the state unchanged on
   * all, or legal with one resulting state whatever the state was; (2) an operation without `tests`
   * that is `monotone` is legal on all of them or on none, and maps them to forgettable states; (3)
   * any other operation has `overwrites` (its result ignores the state). `precedes` must be
   * reflexive and transitive. The checker uses the abstraction only when every operation of a
   * partition fits (1), (2) or (3).
   */
  tests?(op: Operation): S | undefined;
  /** States the dead-state abstraction may forget (default: all); see `tests`. */
  forgettable?(state: S): boolean;
  /** True for operations that constrain nothing (e.g. a failed write): dropped before the search. */
  ignore?(op: Operation): boolean;
  /** Why an operation cannot be checked by this model (unknown f, malformed value), or undefined. */
  validate?(op: Operation): string | undefined;
  describeOp?(op: Operation): string;
  describeState?(state: S): string;
}

// ---------------------------------------------------------------- values

/** Deep equality of JSON values (object keys in any order). */
export function sameValue(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === b) return true;
  if (a === null || b === null || a === undefined || b === undefined) return false;
  if (typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameValue(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) if (!(k in b) || !sameValue(a[k], b[k])) return false;
  return true;
}

/** An integer beyond 2^53 read from EDN or a log: `{"$int": "digits"}` (compared exactly, as text). */
export function isBigInt(v: JsonValue | undefined): v is { $int: string } {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && typeof v.$int === 'string' && Object.keys(v).length === 1;
}

/** Short human form of a value: strings quoted, nil for null. */
export function showValue(v: JsonValue | undefined): string {
  if (v === undefined || v === null) return 'nil';
  if (isBigInt(v)) return v.$int;
  return JSON.stringify(v);
}

function casArgs(op: Operation): [JsonValue, JsonValue] | undefined {
  const v = op.input;
  return Array.isArray(v) && v.length === 2 ? [v[0] as JsonValue, v[1] as JsonValue] : undefined;
}

function describeGeneric(op: Operation): string {
  const key = op.key !== undefined ? `[${op.key}]` : '';
  const cas = op.f === 'cas' ? casArgs(op) : undefined;
  const arg = cas ? `(${showValue(cas[0])} -> ${showValue(cas[1])})` : op.input !== undefined && op.input !== null ? `(${showValue(op.input)})` : '';
  const result =
    op.outcome === 'unknown' ? ' -> ?' : op.outcome === 'fail' ? ' -> fail' : op.f === 'read' || op.f === 'get' ? ` -> ${showValue(op.output)}` : ' -> ok';
  return `${op.process}: ${op.f}${key}${arg}${result}`;
}

const byKey = (op: Operation): string => op.key ?? '';

// ---------------------------------------------------------------- register

/** A read/write/compare-and-set register per key, initially null. */
export const registerModel: Model<JsonValue> = {
  name: 'register',
  init: () => null,
  partition: byKey,
  readOnly: (op) => op.f === 'read' || (op.f === 'cas' && op.outcome === 'fail'),
  ignore: (op) => op.f === 'read' ? op.outcome !== 'ok' : op.outcome === 'fail' && op.f !== 'cas',
  validate(op) {
    if (op.f !== 'read' && op.f !== 'write' && op.f !== 'cas') return `register model: unknown operation "${op.f}" (expected read, write or cas)`;
    if (op.f === 'cas' && !casArgs(op)) return `register model: cas needs the value [expected, new] (got ${showValue(op.input)})`;
    return undefined;
  },
  step(state, op) {
    switch (op.f) {
      case 'read':
        return sameValue(state, op.output ?? null) ? state : undefined;
      case 'write':
        return op.input ?? null;
      case 'cas': {
        const [expected, next] = casArgs(op)!;
        const matches = sameValue(state, expected);
        if (op.outcome === 'fail') return matches ? undefined : state;
        return matches ? next : undefined;
      }
      default:
        return undefined;
    }
  },
  equal: (a, b) => sameValue(a, b),
  hash: (s) => (typeof s === 'number' ? s : JSON.stringify(s)),
  describeOp: describeGeneric,
  describeState: (s) => showValue(s),
};

// ---------------------------------------------------------------- key-value map

/** Absent and "" are the same value for a key (see the conventions above). */
function kvValue(v: JsonValue | undefined): JsonValue {
  return v === undefined || v === null ? '' : v;
}

/** A key-value map checked key by key: the state is the value of one key ("" when absent). */
export const kvModel: Model<JsonValue> = {
  name: 'kv',
  init: () => '',
  partition: byKey,
  readOnly: (op) => op.f === 'get' || (op.f === 'cas' && op.outcome === 'fail'),
  ignore: (op) => op.f === 'get' ? op.outcome !== 'ok' : op.outcome === 'fail' && op.f !== 'cas',
  validate(op) {
    if (op.f !== 'get' && op.f !== 'put' && op.f !== 'append' && op.f !== 'cas') return `kv model: unknown operation "${op.f}" (expected get, put, append or cas)`;
    if (op.key === undefined) return `kv model: ${op.f} needs a key`;
    if (op.f === 'append' && typeof op.input !== 'string') return `kv model: append needs a string value (got ${showValue(op.input)})`;
    if (op.f === 'cas' && !casArgs(op)) return `kv model: cas needs the value [expected, new] (got ${showValue(op.input)})`;
    return undefined;
  },
  // Appends only lengthen a string (prefix order), so a later get that must see a superstring
  // prunes every order of concurrent appends it does not start with (see checker.ts, "future reads").
  monotone: (op) => op.f === 'append' || op.f === 'get' || (op.f === 'cas' && op.outcome === 'fail'),
  precedes: (a, b) => (typeof a === 'string' && typeof b === 'string' ? a.length <= b.length && b.startsWith(a) : sameValue(a, b)),
  observed: (op) => (op.f === 'get' && op.outcome === 'ok' ? kvValue(op.output) : undefined),
  overwrites: (op) => (op.f === 'put' ? kvValue(op.input) : op.f === 'cas' && op.outcome !== 'fail' && casArgs(op) ? kvValue(casArgs(op)![1]) : undefined),
  // Dead states: a get tests the value it saw, a cas (any outcome) its expected value; put overwrites;
  // append is monotone and legal on every string, so the forgettable states are the strings.
  tests: (op) => (op.f === 'get' && op.outcome === 'ok' ? kvValue(op.output) : op.f === 'cas' && casArgs(op) ? kvValue(casArgs(op)![0]) : undefined),
  forgettable: (s) => typeof s === 'string',
  step(state, op) {
    switch (op.f) {
      case 'get':
        return sameValue(state, kvValue(op.output)) ? state : undefined;
      case 'put':
        return kvValue(op.input);
      case 'append':
        return typeof state === 'string' ? state + (op.input as string) : undefined;
      case 'cas': {
        const [expected, next] = casArgs(op)!;
        const matches = sameValue(state, kvValue(expected));
        if (op.outcome === 'fail') return matches ? undefined : state;
        return matches ? kvValue(next) : undefined;
      }
      default:
        return undefined;
    }
  },
  equal: (a, b) => sameValue(a, b),
  hash: (s) => (typeof s === 'string' || typeof s === 'number' ? s : JSON.stringify(s)),
  describeOp: describeGeneric,
  describeState: (s) => (s === '' ? '"" (absent)' : showValue(s)),
};

// ---------------------------------------------------------------- lock

/** A mutual-exclusion lock per key: the state is the holding process or null. */
export const lockModel: Model<string | null> = {
  name: 'lock',
  init: () => null,
  partition: byKey,
  ignore: (op) => op.outcome === 'fail',
  validate(op) {
    if (op.f !== 'acquire' && op.f !== 'release') return `lock model: unknown operation "${op.f}" (expected acquire or release)`;
    return undefined;
  },
  step(state, op) {
    if (op.f === 'acquire') return state === null ? op.process : undefined;
    if (op.f === 'release') return state === op.process ? null : undefined;
    return undefined;
  },
  equal: (a, b) => a === b,
  hash: (s) => s ?? '',
  describeOp(op) {
    const key = op.key !== undefined ? `[${op.key}]` : '';
    return `${op.process}: ${op.f}${key}${op.outcome === 'unknown' ? ' -> ?' : op.outcome === 'fail' ? ' -> fail' : ' -> ok'}`;
  },
  describeState: (s) => (s === null ? 'free' : `held by ${s}`),
};

// ---------------------------------------------------------------- queue

/** A FIFO queue per key: the state is the array of queued elements, head first. */
export const queueModel: Model<readonly JsonValue[]> = {
  name: 'queue',
  init: () => [],
  partition: byKey,
  ignore: (op) => op.outcome === 'fail',
  validate: (op) => (op.f === 'enqueue' || op.f === 'dequeue' ? undefined : `queue model: unknown operation "${op.f}" (expected enqueue or dequeue)`),
  step(state, op) {
    if (op.f === 'enqueue') return [...state, op.input ?? null];
    if (op.outcome === 'unknown') return state.length > 0 ? state.slice(1) : undefined; // took the head, if any
    if (state.length === 0) return op.output === null || op.output === undefined ? state : undefined;
    return sameValue(state[0], op.output) ? state.slice(1) : undefined;
  },
  equal: (a, b) => sameValue(a as JsonValue[], b as JsonValue[]),
  hash: (s) => JSON.stringify(s),
  describeOp: (op) => `${op.process}: ${op.f}${op.key !== undefined ? `[${op.key}]` : ''}${op.f === 'enqueue' ? `(${showValue(op.input)})` : ''}${op.outcome === 'unknown' ? ' -> ?' : op.f === 'dequeue' ? ` -> ${showValue(op.output)}` : ' -> ok'}`,
  describeState: (s) => `[${s.map(showValue).join(', ')}]`,
};

// ---------------------------------------------------------------- grow-only set

/** Canonical text of a value, so that sets of JSON values can be sorted and compared. */
function canonical(v: JsonValue | undefined): string {
  if (v === undefined || v === null || typeof v !== 'object') return JSON.stringify(v ?? null);
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(',')}}`;
}

/** A grow-only set per key whose initial elements `initial(key)` gives; the state is the sorted canonical elements. */
export function makeSetModel(initial: (key: string) => readonly JsonValue[] = () => []): Model<readonly string[]> {
  const asSet = (xs: readonly JsonValue[]): string[] => [...new Set(xs.map(canonical))].sort();
  return {
    name: 'set',
    init: () => asSet(initial('')),
    initFor: (key) => asSet(initial(key)),
    partition: byKey,
    readOnly: (op) => op.f === 'read',
    ignore: (op) => op.outcome === 'fail' || (op.f === 'read' && op.outcome !== 'ok'),
    validate(op) {
      if (op.f !== 'add' && op.f !== 'read') return `set model: unknown operation "${op.f}" (expected add or read)`;
      if (op.f === 'read' && op.outcome === 'ok' && !Array.isArray(op.output)) return `set model: a read returns an array of elements (got ${showValue(op.output)})`;
      return undefined;
    },
    step(state, op) {
      if (op.f === 'add') {
        const c = canonical(op.input);
        return state.includes(c) ? state : [...state, c].sort();
      }
      const seen = asSet(op.output as JsonValue[]);
      return seen.length === state.length && seen.every((x, i) => x === state[i]) ? state : undefined;
    },
    equal: (a, b) => a.length === b.length && a.every((x, i) => x === b[i]),
    hash: (s) => s.join('\u0000'),
    describeOp: (op) => `${op.process}: ${op.f}${op.key !== undefined ? `[${op.key}]` : ''}${op.f === 'add' ? `(${showValue(op.input)})` : ''}${op.outcome === 'unknown' ? ' -> ?' : op.f === 'read' ? ` -> ${showValue(op.output)}` : ' -> ok'}`,
    describeState: (s) => `{${s.join(', ')}}`,
  };
}

export const setModel = makeSetModel();

// ---------------------------------------------------------------- counter

/** A counter per key, initially 0. */
export const counterModel: Model<number> = {
  name: 'counter',
  init: () => 0,
  partition: byKey,
  readOnly: (op) => op.f === 'read',
  ignore: (op) => op.outcome === 'fail' || (op.f === 'read' && op.outcome !== 'ok'),
  validate(op) {
    if (op.f !== 'add' && op.f !== 'read') return `counter model: unknown operation "${op.f}" (expected add or read)`;
    if (op.f === 'add' && !Number.isInteger(op.input)) return `counter model: add needs an integer delta (got ${showValue(op.input)})`;
    return undefined;
  },
  step: (state, op) => (op.f === 'add' ? state + (op.input as number) : op.output === state ? state : undefined),
  equal: (a, b) => a === b,
  hash: (s) => s,
  describeOp: describeGeneric,
  describeState: (s) => String(s),
};

// ---------------------------------------------------------------- Knossos models (Jepsen histories)
//
// As knossos.model defines them, for histories Jepsen writes. Differences from the
// register above: a read whose value is nil observed nothing (legal in any state), and
// a `fail` operation did not happen at all (Knossos drops failed operations), so a
// failed cas constrains nothing.

/** Knossos `cas-register` (and `register`, which is the same without cas): read, write, cas [old new]; initially nil. */
export const casRegisterModel: Model<JsonValue> = {
  name: 'cas-register',
  init: () => null,
  partition: byKey,
  readOnly: (op) => op.f === 'read',
  ignore: (op) => op.outcome === 'fail' || (op.f === 'read' && (op.outcome !== 'ok' || op.output === null || op.output === undefined)),
  validate(op) {
    if (op.f !== 'read' && op.f !== 'write' && op.f !== 'cas') return `cas-register model: unknown operation "${op.f}" (expected read, write or cas)`;
    if (op.f === 'cas' && !casArgs(op)) return `cas-register model: cas needs the value [expected new] (got ${showValue(op.input)})`;
    return undefined;
  },
  step(state, op) {
    if (op.f === 'read') return op.output === null || op.output === undefined || sameValue(state, op.output) ? state : undefined;
    if (op.f === 'write') return op.input ?? null;
    const [expected, next] = casArgs(op)!;
    return sameValue(state, expected) ? next : undefined;
  },
  equal: (a, b) => sameValue(a, b),
  hash: (s) => (typeof s === 'number' || typeof s === 'string' ? s : JSON.stringify(s)),
  describeOp: describeGeneric,
  describeState: (s) => showValue(s),
};

/** One micro-operation of a multi-register transaction: [f, key, value]. */
function microOps(v: JsonValue | undefined): [string, string, JsonValue][] | undefined {
  if (!Array.isArray(v)) return undefined;
  const out: [string, string, JsonValue][] = [];
  for (const m of v) {
    if (!Array.isArray(m) || m.length !== 3 || typeof m[0] !== 'string' || (typeof m[1] !== 'string' && typeof m[1] !== 'number')) return undefined;
    const f = m[0].replace(/^:/, '');
    if (f !== 'read' && f !== 'write') return undefined;
    out.push([f, String(m[1]), m[2] as JsonValue]);
  }
  return out;
}

/**
 * Knossos `multi-register`: operations are transactions `:f :txn` whose value is a vector
 * of micro-operations `[:read k v]` / `[:write k v]`, applied in order; a read of nil observed
 * nothing. Registers start nil. The state is the registers of one group of keys that
 * transactions touch together (checked group by group).
 */
export const multiRegisterModel: Model<Readonly<Record<string, JsonValue>>> = {
  name: 'multi-register',
  init: () => ({}),
  keysOf: (op) => [...new Set((microOps(op.outcome === 'ok' ? op.output ?? op.input : op.input) ?? []).map(([, k]) => k))].sort(),
  readOnly: (op) => (microOps(op.outcome === 'ok' ? op.output ?? op.input : op.input) ?? []).every(([f]) => f === 'read'),
  ignore: (op) => op.outcome === 'fail',
  validate(op) {
    if (op.f !== 'txn') return `multi-register model: unknown operation "${op.f}" (expected txn)`;
    if (!microOps(op.input) || (op.outcome === 'ok' && op.output !== undefined && op.output !== null && !microOps(op.output)))
      return `multi-register model: a txn's value is a vector of [:read k v] / [:write k v] (got ${showValue(op.outcome === 'ok' ? op.output : op.input)})`;
    return undefined;
  },
  step(state, op) {
    // An ok transaction's completion value holds what its reads saw; otherwise the invocation's.
    const micro = microOps(op.outcome === 'ok' && op.output !== undefined && op.output !== null ? op.output : op.input)!;
    let s = state;
    for (const [f, k, v] of micro) {
      if (f === 'read') {
        if (op.outcome === 'ok' && v !== null && !sameValue(s[k] ?? null, v)) return undefined;
      } else s = { ...s, [k]: v };
    }
    return s;
  },
  equal: (a, b) => sameValue(a, b),
  hash: (s) => JSON.stringify(Object.keys(s).sort().map((k) => [k, s[k]])),
  describeOp: (op) => `${op.process}: txn ${showValue(op.outcome === 'ok' ? op.output ?? op.input : op.input)}${op.outcome === 'unknown' ? ' -> ?' : ' -> ok'}`,
  describeState: (s) => `{${Object.keys(s).sort().map((k) => `${k} ${showValue(s[k])}`).join(', ')}}`,
};

/** The built-in models by name (for the CLI's --model). */
export const models = {
  register: registerModel,
  kv: kvModel,
  lock: lockModel,
  queue: queueModel,
  set: setModel,
  counter: counterModel,
  'cas-register': casRegisterModel,
  'multi-register': multiRegisterModel,
} as const;
export type ModelName = keyof typeof models;

/** The built-in model whose operation names a history uses, or undefined when none fits. */
export function inferModel(fs: Iterable<string>): ModelName | undefined {
  const seen = new Set(fs);
  const fits = (names: string[]): boolean => [...seen].every((f) => names.includes(f));
  if (seen.size === 0) return undefined;
  if (fits(['read', 'write', 'cas'])) return 'register';
  if (fits(['get', 'put', 'append', 'cas'])) return 'kv';
  if (fits(['acquire', 'release'])) return 'lock';
  if (fits(['enqueue', 'dequeue'])) return 'queue';
  if (fits(['txn'])) return 'multi-register';
  if (fits(['add', 'read']) && seen.has('add')) return 'counter';
  return undefined;
}
