// The published states of a big trace as the viewer's page holds them: each
// state's JSON text, UTF-8, one after another in one byte array (outside the
// JS heap, transferred from the loader worker without a copy), with its event's
// seq, time and node in typed arrays. A state is decoded (`JSON.parse`) only
// when something reads it (the panels read the cursor's, a violation the two
// around its cause), and the last few hundred decoded are cached: the page no
// longer decodes every published state of the trace at load (about 166k Raft
// states, 205 MB of JSON, at 1M events). The text is taken from the trace line
// as written (see `stateBodyOfLine` in ui/src/store.ts), so nothing is written
// out again either.

import type { JsonValue, Micros, NodeId } from '../engine/types.ts';
import type { StateSnapshot } from './model.ts';
import { atOrFail, getOrFail } from '../engine/assert.ts';

/** Every published state of a trace, packed (see the file comment). State i is bytes[start[i], start[i+1]). */
export interface PackedStates {
  nodes: NodeId[];
  /** Per state: its node (an index into `nodes`), its event's seq and time (µs). */
  node: Uint16Array;
  seq: Int32Array;
  t: Float64Array;
  /** Byte offset of each state's JSON in `bytes`, then the end (length count + 1). */
  start: Float64Array;
  bytes: Uint8Array;
}

/** Builds `PackedStates` one state at a time, in seq order. */
export class PackedStatesBuilder {
  private bytes = new Uint8Array(1 << 16);
  private len = 0;
  private readonly nodes: NodeId[] = [];
  private readonly nodeIx = new Map<NodeId, number>();
  private readonly node: number[] = [];
  private readonly seq: number[] = [];
  private readonly t: number[] = [];
  private readonly start: number[] = [];
  private readonly encoder = new TextEncoder();

  get count(): number {
    return this.seq.length;
  }

  /** Add the state published by `node` at event `seq` (time `t`, µs), as JSON text. */
  add(seq: number, t: Micros, node: NodeId, json: string): void {
    let k = this.nodeIx.get(node);
    if (k === undefined) {
      k = this.nodes.length;
      if (k > 0xffff) throw new RangeError('more than 65,536 nodes publish states');
      this.nodes.push(node);
      this.nodeIx.set(node, k);
    }
    // UTF-8 takes at most 3 bytes per UTF-16 code unit.
    const need = this.len + json.length * 3;
    if (need > this.bytes.length) {
      const b = new Uint8Array(Math.max(need, this.bytes.length * 2));
      b.set(this.bytes.subarray(0, this.len));
      this.bytes = b;
    }
    this.start.push(this.len);
    this.len += this.encoder.encodeInto(json, this.bytes.subarray(this.len)).written;
    this.node.push(k);
    this.seq.push(seq);
    this.t.push(t);
  }

  /** Forget the states of events `seq` and after (a reader that took more lines than the trace's reader accepted). */
  dropFrom(seq: number): void {
    while (this.seq.length > 0 && (this.seq[this.seq.length - 1] as number) >= seq) {
      this.seq.pop();
      this.node.pop();
      this.t.pop();
      this.len = this.start.pop() as number;
    }
  }

  finish(): PackedStates {
    return {
      nodes: this.nodes.slice(),
      node: Uint16Array.from(this.node),
      seq: Int32Array.from(this.seq),
      t: Float64Array.from(this.t),
      start: Float64Array.from([...this.start, this.len]),
      bytes: this.bytes.slice(0, this.len),
    };
  }
}

/** The buffers of `p` (to transfer it to another thread without a copy). */
export function packedTransferables(p: PackedStates): ArrayBuffer[] {
  return [p.node.buffer, p.seq.buffer, p.t.buffer, p.start.buffer, p.bytes.buffer] as ArrayBuffer[];
}

/** Decodes states of a `PackedStates` on demand, keeping the last `cacheSize` decoded. */
class StateDecoder {
  private readonly decoder = new TextDecoder();
  private readonly cache = new Map<number, JsonValue>();
  constructor(
    private readonly p: PackedStates,
    private readonly cacheSize: number,
  ) {}

  /** State i (the same object while it stays cached; never mutate it). */
  state(i: number): JsonValue {
    const hit = this.cache.get(i);
    if (hit !== undefined) {
      // Most recently used last: Map keeps insertion order.
      this.cache.delete(i);
      this.cache.set(i, hit);
      return hit;
    }
    const v = JSON.parse(this.decoder.decode(this.p.bytes.subarray(this.p.start[i], this.p.start[i + 1]))) as JsonValue;
    this.cache.set(i, v);
    if (this.cache.size > this.cacheSize) this.cache.delete(this.cache.keys().next().value as number);
    return v;
  }
}

/** A snapshot whose `state` is decoded when read. */
class LazySnapshot implements StateSnapshot {
  constructor(
    readonly seq: number,
    readonly t: Micros,
    private readonly i: number,
    private readonly decoder: StateDecoder,
  ) {}
  get state(): JsonValue {
    return this.decoder.state(this.i);
  }
}

/**
 * The model's `states` (each node's snapshots in seq order) over packed states: each snapshot's
 * `state` is decoded when read, the last `cacheSize` kept.
 */
export function unpackStates(p: PackedStates, cacheSize = 512): Map<NodeId, StateSnapshot[]> {
  const u = unpackStatesStepwise(p, cacheSize);
  u.next(p.seq.length);
  return u.states;
}

/**
 * `unpackStates` in steps, for a caller that must not block for long (the viewer's page: an object a snapshot,
 * 180k at Raft 1M): `states` fills as `next(n)` unpacks the next `n` snapshots in seq order; `next` returns true
 * once every snapshot is in.
 */
export function unpackStatesStepwise(p: PackedStates, cacheSize = 512): { states: Map<NodeId, StateSnapshot[]>; next(n: number): boolean } {
  const decoder = new StateDecoder(p, cacheSize);
  const states = new Map<NodeId, StateSnapshot[]>(p.nodes.map((n) => [n, []]));
  const lists = p.nodes.map((n) => getOrFail(states, n, 'snapshots of a node'));
  let i = 0;
  return {
    states,
    next(n: number): boolean {
      const to = Math.min(p.seq.length, i + Math.max(0, n));
      for (; i < to; i++) atOrFail(lists, p.node[i]!, 'snapshots of a node').push(new LazySnapshot(p.seq[i]!, p.t[i]!, i, decoder));
      return i >= p.seq.length;
    },
  };
}
