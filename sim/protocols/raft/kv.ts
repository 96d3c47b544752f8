// The replicated key-value state machine (get, put, append, compare-and-set,
// and increment by a signed delta: a linearizable counter on a key).
// Values are strings; an absent key reads as "" (the kvModel convention of
// sim/check/linearizability/models.ts). Deterministic: same ops, same results.

import type { JsonValue } from '../../api/index.ts';
import type { StateMachineDefinition } from './machine.ts';

export type KvOp =
  | { f: 'get'; key: string }
  | { f: 'put'; key: string; value: string }
  | { f: 'append'; key: string; value: string }
  | { f: 'cas'; key: string; expected: string; value: string }
  /** Add `delta` (an integer, negative to decrement) to the key read as a decimal integer ("" = 0). */
  | { f: 'incr'; key: string; delta: number };

/**
 * put/append answer null; cas answers whether it swapped; get answers the value; incr answers the
 * new value (a decimal string), or false, changing nothing, when the key holds no integer.
 */
export type KvResult = string | boolean | null;

export class KvStore {
  private readonly data = new Map<string, string>();

  apply(op: KvOp): KvResult {
    switch (op.f) {
      case 'get':
        return this.get(op.key);
      case 'put':
        this.data.set(op.key, op.value);
        return null;
      case 'append':
        this.data.set(op.key, this.get(op.key) + op.value);
        return null;
      case 'cas':
        if (this.get(op.key) !== op.expected) return false;
        this.data.set(op.key, op.value);
        return true;
      case 'incr': {
        const v = this.get(op.key);
        if (v !== '' && !/^-?\d+$/.test(v)) return false;
        const next = String((v === '' ? 0 : Number(v)) + op.delta);
        this.data.set(op.key, next);
        return next;
      }
    }
  }

  get(key: string): string {
    return this.data.get(key) ?? '';
  }

  get size(): number {
    return this.data.size;
  }

  /** Plain JSON, keys in insertion order (deterministic). */
  snapshot(): JsonValue {
    return Object.fromEntries(this.data);
  }

  static restore(s: JsonValue): KvStore {
    const kv = new KvStore();
    for (const [k, v] of Object.entries((s ?? {}) as Record<string, string>)) kv.data.set(k, v);
    return kv;
  }
}

export function describeKvOp(op: KvOp): string {
  switch (op.f) {
    case 'get':
      return `get ${op.key}`;
    case 'put':
      return `put ${op.key}=${op.value}`;
    case 'append':
      return `append ${op.key}+=${op.value}`;
    case 'cas':
      return `cas ${op.key} ${op.expected || '""'}->${op.value}`;
    case 'incr':
      return `incr ${op.key}${op.delta < 0 ? '' : '+'}${op.delta}`;
  }
}

/** The replicated key-value store (`service: 'kv'`): gets are read-only (ReadIndex serves them). */
export const kvService: StateMachineDefinition = {
  name: 'kv',
  create(snapshot) {
    const kv = snapshot === null ? new KvStore() : KvStore.restore(snapshot);
    return {
      apply: (op) => kv.apply(op as unknown as KvOp),
      query: (op) => kv.get((op as unknown as { key: string }).key),
      snapshot: () => kv.snapshot(),
    };
  },
  readOnly: (op) => (op as { f?: unknown }).f === 'get',
  describe: (op) => describeKvOp(op as unknown as KvOp),
};
