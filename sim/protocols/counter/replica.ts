// A counter replica (role `server`): answers clients' adds and reads and gossips with the
// other replicas. Three designs on one node shape:
// - naive: a plain integer replicated by broadcasting the value with a Lamport timestamp,
//   last writer wins (the "LWW register holding a counter" of Kleppmann's DDIA ch. 5, which
//   loses concurrent increments);
// - pn-counter with state gossip: Shapiro et al. 2011, Specification 7, whole state every
//   interval, merged by entrywise max;
// - pn-counter with delta gossip (Almeida, Shoker, Baquero, "Delta State Replicated Data Types",
//   2018): each own update is a numbered delta, retransmitted to each peer until acknowledged;
//   the receiver applies a peer's deltas in sequence order, once each (the dedup that makes
//   a non-idempotent delta safe over a network that duplicates and retransmits).
// Every change is written and fsynced before it is acknowledged, so a crash loses nothing acked.

import { assert, type Io, type ProtocolNode } from '../../api/index.ts';
import type { CounterMessage } from './messages.ts';
import { applyLocal, merge, valueOf, type Entries } from './pncounter.ts';
import type { CounterReplicaState } from './state.ts';

export interface ReplicaOptions {
  design: 'naive' | 'pn-counter';
  gossip: 'state' | 'delta';
  /** Gossip interval, µs of local time. */
  interval: number;
  /** The other replicas. */
  peers: string[];
  /** Planted bug: merge by entrywise sum instead of max. */
  sumMerge: boolean;
  /** Planted bug: decrements go into P as negative deltas (a G-counter used for a PN workload). */
  gCounterWithDecrements: boolean;
  /** Planted bug: apply every delta received, duplicates and retransmissions included. */
  deltaNoDedup: boolean;
  /**
   * Delta gossip: most own deltas kept unacknowledged (config `maxUnacked`, at most
   * MAX_UNACKED_DELTAS). A client's add beyond it is refused (`add-fail`, not applied) until a
   * peer's acknowledgement makes room: backpressure, not growth (TigerBeetle).
   */
  maxUnacked: number;
  /** The clients (config `clients`): the bound of the request dedup table `last`, asserted. */
  maxClients: number;
}

/** The largest `maxUnacked` a config may ask for (a rule of the counter config schema). */
export const MAX_UNACKED_DELTAS = 65_536;

export type GossipTimer = { name: 'gossip' };
type ReplicaIo = Io<CounterMessage, GossipTimer, CounterReplicaState>;

/** What a replica keeps on disk (key `state`). */
interface Durable {
  [k: string]: number | string | number[] | Entries | Record<string, number>;
  value: number;
  c: number;
  n: string;
  entries: Entries;
  /** Own deltas not yet acknowledged by every peer, seq = base + index + 1 (delta gossip). */
  own: number[];
  /** Own deltas up to this seq were acknowledged by every peer (durably applied there) and dropped. */
  base: number;
  /** origin -> highest seq of its deltas applied here (delta gossip). */
  applied: Record<string, number>;
  /**
   * client -> highest request id (a per-client sequence) of an add decided for it, negated if it
   * was refused: the network may duplicate a request, and an add is not idempotent (nor may a
   * refused one be applied later); an id at or below it is a copy. One entry per client (bound
   * maxClients, asserted).
   */
  last: Record<string, number>;
}

/** Deltas per gossip message. */
const BATCH = 64;

export class CounterReplica implements ProtocolNode<CounterMessage, GossipTimer, CounterReplicaState> {
  private s: Durable = { value: 0, c: 0, n: '', entries: {}, own: [], base: 0, applied: {}, last: {} };
  /** peer -> highest own delta seq it acknowledged (volatile: after a restart everything is resent, and deduplicated). */
  private readonly acked: Record<string, number> = {};

  constructor(private readonly o: ReplicaOptions) {}

  /** The request dedup table and delta bookkeeping, as held now (read only: the recovery oracle compares them, protocol.ts). */
  durableParts(): { last: Record<string, number>; applied: Record<string, number>; own: number[]; base: number } {
    return { last: this.s.last, applied: this.s.applied, own: this.s.own, base: this.s.base };
  }

  onStart(io: ReplicaIo): void {
    const saved = io.read<Durable>('state');
    if (saved !== undefined) this.s = saved;
    for (const p of this.o.peers) this.acked[p] = 0;
    this.publish(io);
    io.setTimer({ name: 'gossip' }, this.o.interval);
  }

  onMessage(io: ReplicaIo, from: string, msg: CounterMessage): void {
    switch (msg.type) {
      case 'add':
        {
          // Request ids are a per-client sequence (the client keeps it on disk, so it grows across
          // its restarts too): an id at or below the highest decided for that client is a copy.
          // Not "the last id only": a late copy of an older add, arriving after the client's next
          // request was decided, would be applied twice (a duplication burst does this).
          const prev = this.s.last[from];
          const highest = prev === undefined ? 0 : Math.abs(prev);
          if (msg.id < highest) {
            // A copy of a request the client gave up on before its next one: it waits for no answer.
            io.log(`add ${msg.id} of ${from} ignored: a copy of an older request (highest decided ${highest})`);
            return;
          }
          if (msg.id > highest) {
            const full = this.o.design !== 'naive' && this.gossip() === 'delta' && this.s.own.length >= this.o.maxUnacked;
            this.s.last[from] = full ? -msg.id : msg.id;
            assert(Object.keys(this.s.last).length <= this.o.maxClients, () => `counter replica: ${Object.keys(this.s.last).length} clients in the dedup table, bound ${this.o.maxClients}`);
            if (full) {
              io.log(`add ${msg.id} of ${from} refused: ${this.s.own.length} deltas unacknowledged (maxUnacked ${this.o.maxUnacked})`);
              this.save(io); // the refusal is durable before it is told, like an add
            } else this.add(io, msg.delta);
          }
          // The latest request (decided now, or a copy of it): acknowledge its decision again.
          io.send(from, this.s.last[from] === msg.id ? { type: 'add-ok', id: msg.id } : { type: 'add-fail', id: msg.id });
          return;
        }
      case 'read':
        io.send(from, { type: 'read-ok', id: msg.id, value: this.value() });
        return;
      case 'state':
        // Specification 7, merge (entrywise max; the planted bug sums).
        if (merge(this.s.entries, msg.entries, io.id, this.o.sumMerge ? 'sum' : 'max')) this.save(io);
        return;
      case 'delta':
        this.applyDeltas(io, from, msg.from, msg.deltas);
        return;
      case 'delta-ack': {
        this.acked[from] = Math.max(this.acked[from] ?? 0, msg.upTo);
        // Drop the deltas every peer has applied (they fsync before acknowledging).
        const all = this.o.peers.length === 0 ? 0 : Math.min(...this.o.peers.map((p) => this.acked[p] ?? 0));
        if (all > this.s.base) {
          this.s.own = this.s.own.slice(all - this.s.base);
          this.s.base = all;
          this.save(io);
        } else this.publish(io);
        return;
      }
      case 'value':
        // Last writer wins on (Lamport counter, node id).
        if (msg.c > this.s.c || (msg.c === this.s.c && msg.n > this.s.n)) {
          this.s.value = msg.value;
          this.s.c = msg.c;
          this.s.n = msg.n;
          this.save(io);
        }
        return;
      case 'add-ok':
      case 'add-fail':
      case 'read-ok':
        return;
    }
  }

  onTimer(io: ReplicaIo, _timer: GossipTimer): void {
    if (this.o.design === 'naive') {
      io.broadcast({ type: 'value', value: this.s.value, c: this.s.c, n: this.s.n }, this.o.peers);
    } else if (this.gossip() === 'state') {
      io.broadcast({ type: 'state', entries: this.s.entries }, this.o.peers);
    } else {
      for (const p of this.o.peers) {
        const from = Math.max(this.acked[p] ?? 0, this.s.base) + 1;
        const at = from - this.s.base - 1;
        if (at < this.s.own.length) io.send(p, { type: 'delta', from, deltas: this.s.own.slice(at, at + BATCH) });
      }
    }
    io.setTimer({ name: 'gossip' }, this.o.interval);
  }

  private gossip(): 'state' | 'delta' {
    return this.o.deltaNoDedup ? 'delta' : this.o.gossip;
  }

  private value(): number {
    return this.o.design === 'naive' ? this.s.value : valueOf(this.s.entries);
  }

  /** A client's add, applied locally (and made durable before the caller acknowledges it). */
  private add(io: ReplicaIo, delta: number): void {
    if (this.o.design === 'naive') {
      this.s.value += delta;
      this.s.c += 1;
      this.s.n = io.id;
      io.broadcast({ type: 'value', value: this.s.value, c: this.s.c, n: this.s.n }, this.o.peers);
    } else {
      applyLocal(this.s.entries, io.id, delta, this.o.gCounterWithDecrements);
      if (this.gossip() === 'delta') {
        this.s.own.push(delta);
        assert(this.s.own.length <= this.o.maxUnacked, () => `counter replica: ${this.s.own.length} unacknowledged deltas, bound ${this.o.maxUnacked}`);
      }
    }
    this.save(io);
  }

  /** Delta gossip, receiver: apply `origin`'s deltas numbered from `first`, each exactly once, in order. */
  private applyDeltas(io: ReplicaIo, origin: string, first: number, deltas: number[]): void {
    let applied = this.s.applied[origin] ?? 0;
    let changed = false;
    deltas.forEach((d, i) => {
      const seq = first + i;
      // The dedup rule: a delta is applied only as the next of its origin's sequence.
      // The planted bug applies whatever arrives (a retransmission or a duplicate counts again).
      if (!this.o.deltaNoDedup && seq !== applied + 1) return;
      applyLocal(this.s.entries, origin, d, this.o.gCounterWithDecrements);
      applied = Math.max(applied, seq);
      changed = true;
    });
    if (changed) {
      this.s.applied[origin] = applied;
      assert(Object.keys(this.s.applied).length <= this.o.peers.length, () => `counter replica: deltas applied from ${Object.keys(this.s.applied).length} origins, bound ${this.o.peers.length} peers`);
      this.save(io);
    }
    io.send(origin, { type: 'delta-ack', upTo: applied });
  }

  private save(io: ReplicaIo): void {
    io.put('state', this.s);
    io.fsync();
    this.publish(io);
  }

  private publish(io: ReplicaIo): void {
    const naive = this.o.design === 'naive';
    let unacked = 0;
    const top = this.s.base + this.s.own.length;
    if (!naive && this.gossip() === 'delta') for (const p of this.o.peers) unacked += top - Math.max(this.acked[p] ?? 0, this.s.base);
    io.publish({
      design: this.o.design,
      value: this.value(),
      entries: naive ? null : Object.fromEntries(Object.entries(this.s.entries).map(([k, [p, n]]) => [k, [p, n]])),
      ts: naive ? `${this.s.c}.${this.s.n}` : null,
      unacked,
    });
  }
}
