// The Raft RPCs in flight of one run, by message id, shared by the step rules that follow messages
// through the engine's typed hooks (Checker.on): rpc-answered, reply-claims-held,
// match-index-claimed and stale-reply-discarded. Each rule used to keep its own map of the messages
// it cares about (an object per message); one tracker per run reads each message once and keeps
// what the rules read of it as numbers, with no allocation per message.

import type { Message } from '../../api/index.ts';

/** Message kinds tracked (Figure 2; Figure 13 for InstallSnapshot). PreVote is a RequestVote with `pre`. */
export const VOTE_REQ = 1;
export const APPEND_REQ = 2;
export const SNAPSHOT_REQ = 3;
export const VOTE_RESP = 4;
export const APPEND_RESP = 5;
export const SNAPSHOT_RESP = 6;

/** The kind of a message type (0: not a Raft RPC). */
function kindOf(type: unknown): number {
  switch (type) {
    case 'vote-req':
      return VOTE_REQ;
    case 'append-req':
      return APPEND_REQ;
    case 'snapshot-req':
      return SNAPSHOT_REQ;
    case 'vote-resp':
      return VOTE_RESP;
    case 'append-resp':
      return APPEND_RESP;
    case 'snapshot-resp':
      return SNAPSHOT_RESP;
    default:
      return 0;
  }
}

/** Messages in flight sit in a ring of this many slots by message id (ids are consecutive); one whose slot is taken goes to a map. */
const RING = 1024;
/** Numbers kept per message: kind * 2 + pre, term, a, b, count, success (see the getters). */
const W = 6;

/** A number field of a message, NaN when it is not a number. */
function num(v: unknown): number {
  return typeof v === 'number' ? v : NaN;
}

/**
 * Raft RPCs in flight by message id, fed by the typed send, duplicate, deliver and drop hooks of
 * every rule that shares it. Each hook may be called by several rules for one event (in checker
 * order, rules that failed no longer called): the first call for a message id does the work, the
 * others return at once (ids are unique per run, a duplicate gets a new id). After `deliver(id)`
 * returns true, the getters describe the message delivered, until the next deliver.
 *
 * Kept per message, as numbers: its kind and `pre` (RequestVote), `term` (NaN when not a number),
 * `a` and `b` (prevLogIndex and prevLogTerm of an AppendEntries, lastIncludedIndex and
 * lastIncludedTerm of an InstallSnapshot, matchIndex of a response; NaN when absent), `count` (entries
 * of an AppendEntries, else 0) and `success` (false only when the message says `success: false`).
 * Cost: O(1) per hook call; memory 6 numbers per slot of a 1024-slot ring, plus a map entry per
 * message whose slot was still taken (held by a paused server).
 */
export class RpcInFlight {
  private readonly ringId = new Float64Array(RING).fill(-1);
  private readonly ring = new Float64Array(RING * W);
  private readonly spill = new Map<number, Float64Array>();
  private lastSend = -1;
  private lastDuplicate = -1;
  private lastDrop = -1;
  private lastDeliver = -1;
  private delivered = false;
  /** The delivered message's row. */
  private readonly cur = new Float64Array(W);
  private readonly copy = new Float64Array(W);
  /** Where row() placed the row: this array, at the returned offset. */
  private dst: Float64Array = this.ring;

  /** A message was sent: kept if it is a Raft RPC. */
  send(id: number, msg: Message): void {
    if (id === this.lastSend) return;
    this.lastSend = id;
    const m = msg as unknown as Record<string, unknown> | null;
    if (m === null || typeof m !== 'object') return;
    const kind = kindOf(m.type);
    if (kind === 0) return;
    const o = this.row(id);
    const d = this.dst;
    d[o] = kind * 2 + (m.pre === true ? 1 : 0);
    d[o + 1] = num(m.term);
    if (kind === APPEND_REQ) {
      d[o + 2] = num(m.prevLogIndex);
      d[o + 3] = num(m.prevLogTerm);
      d[o + 4] = Array.isArray(m.entries) ? m.entries.length : 0;
    } else if (kind === SNAPSHOT_REQ) {
      d[o + 2] = num(m.lastIncludedIndex);
      d[o + 3] = num(m.lastIncludedTerm);
      d[o + 4] = 0;
    } else {
      d[o + 2] = num(m.matchIndex);
      d[o + 3] = NaN;
      d[o + 4] = 0;
    }
    d[o + 5] = m.success === false ? 0 : 1;
  }

  /** Message `id` is a copy of `of` (network duplication). */
  duplicate(id: number, of: number): void {
    if (id === this.lastDuplicate) return;
    this.lastDuplicate = id;
    const src = this.find(of);
    if (src < 0) return;
    this.read(of, src, this.copy);
    const o = this.row(id);
    for (let j = 0; j < W; j++) this.dst[o + j] = this.copy[j] as number;
  }

  /** Message `id` reaches its addressee's handler: returns whether it is a tracked Raft RPC, whose fields the getters then give. */
  deliver(id: number): boolean {
    if (id === this.lastDeliver) return this.delivered;
    this.lastDeliver = id;
    const at = this.find(id);
    this.delivered = at >= 0;
    if (this.delivered) {
      this.read(id, at, this.cur);
      this.remove(id, at);
    }
    return this.delivered;
  }

  /** Message `id` is lost, cut or addressed to a crashed server. */
  drop(id: number): void {
    if (id === this.lastDrop) return;
    this.lastDrop = id;
    const at = this.find(id);
    if (at >= 0) this.remove(id, at);
  }

  /** The delivered message's kind (VOTE_REQ ... SNAPSHOT_RESP). */
  get kind(): number {
    return Math.floor((this.cur[0] ?? 0) / 2);
  }

  /** Whether the delivered message is a PreVote request or response. */
  get pre(): boolean {
    return (this.cur[0] ?? 0) % 2 === 1;
  }

  /** The delivered message's term (NaN: not a number). */
  get term(): number {
    return this.cur[1] ?? NaN;
  }

  /** prevLogIndex, lastIncludedIndex or matchIndex of the delivered message (NaN: absent). */
  get a(): number {
    return this.cur[2] ?? NaN;
  }

  /** prevLogTerm or lastIncludedTerm of the delivered message (NaN: absent). */
  get b(): number {
    return this.cur[3] ?? NaN;
  }

  /** Entries carried by the delivered AppendEntries (0 otherwise). */
  get count(): number {
    return this.cur[4] ?? 0;
  }

  /** False when the delivered message says `success: false`. */
  get success(): boolean {
    return this.cur[5] !== 0;
  }

  /** Where message `id` is kept: its ring slot, RING for the spill map, -1 when not kept. */
  private find(id: number): number {
    const slot = id & (RING - 1);
    if (this.ringId[slot] === id) return slot;
    if (this.spill.size > 0 && this.spill.has(id)) return RING;
    return -1;
  }

  private read(id: number, at: number, out: Float64Array): void {
    if (at < RING) {
      for (let j = 0; j < W; j++) out[j] = this.ring[at * W + j] as number;
    } else {
      const r = this.spill.get(id);
      if (r !== undefined) out.set(r);
    }
  }

  private remove(id: number, at: number): void {
    if (at < RING) this.ringId[at] = -1;
    else this.spill.delete(id);
  }

  /** The row to write message `id` into: its ring slot if free, else a new spilled row; sets `dst` and returns the offset in it. */
  private row(id: number): number {
    const slot = id & (RING - 1);
    if (this.ringId[slot] === -1 || this.ringId[slot] === id) {
      this.ringId[slot] = id;
      this.dst = this.ring;
      return slot * W;
    }
    const r = new Float64Array(W);
    this.spill.set(id, r);
    this.dst = r;
    return 0;
  }
}
