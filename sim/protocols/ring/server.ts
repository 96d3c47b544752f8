// A storage node of the ring cluster. It stores the keys whose preference list
// (under its current ring) names it, as add-only sets of elements (merging two
// copies is their union, so a hand-off can never lose a concurrent write).
//
// Rules, in the order a membership change exercises them:
// 1. Adopt a ring only from the coordinator's ring-update, persist it, then ack.
// 2. Hand-off: for every key held, send it to the members of its new
//    preference list that were not on its old one (a holder that was not on
//    the old list sends to all of them). When every hand-off batch is
//    acknowledged, delete the keys this node no longer owns and tell the
//    cluster "handoff-done" for the version.
// 3. Fencing: a replica with a newer ring rejects a replicate from an older
//    one; a write is acknowledged when W members of the preference list
//    stored it (default W = N; the rest still get it, re-sent until they
//    answer), and only once the ring is active (every member of the old and
//    new ring adopted it), so no server still serving reads under the old
//    ring can miss an acknowledged write.
// 4. Reads union R = N - W + 1 copies (R + W > N: every read meets every
//    acknowledged write). A key this node gained in the current ring is not
//    served (reply "retry") until R members of its old preference list
//    reported their hand-off done: at least one of them had each write
//    acknowledged under the old ring.

import { assert, type Io, type Micros, type ProtocolNode } from '../../api/index.ts';
import type { ClientRequest, Handoff, RingMessage, RingView } from './messages.ts';
import { Outbox, nextIncarnation, type RetransmitTimer } from './outbox.ts';
import type { Placement } from './placement.ts';
import type { RingServerState } from './state.ts';

export interface ServerBugs {
  /** A node that left the ring deletes its keys without handing them off. */
  dropKeysOnLeave: boolean;
  /** Serve reads of newly gained keys before any old owner finished its hand-off. */
  serveBeforeHandoff: boolean;
  /** Answer requests routed by an older ring instead of redirecting, so clients keep their stale ring forever. */
  staleRouting: boolean;
  /** Keep the keys handed off to their new owners (stray copies outside the preference list). */
  keepHandedOffKeys: boolean;
  /** Never report handoff-done, so the coordinator waits forever. */
  neverReportDone: boolean;
  /** Read one copy even when W < N (R + W <= N: a read can miss an acknowledged write). */
  readOneCopy: boolean;
}

export interface ServerConfig {
  placement: Placement;
  /** W: copies a write needs before it is acknowledged (1..N). */
  writeQuorum: number;
  initial: RingView;
  /** Keys that exist from the start, each holding the element `init:<key>`. */
  preload: readonly string[];
  coordinator: string;
  retransmit: Micros;
  handoffBatch: number;
  bugs: ServerBugs;
}

interface PendingWrite {
  client: string;
  reqId: string;
  /** Acknowledgements from other replicas still needed. */
  need: number;
  /** Replicas not heard from (a re-sent replicate may be answered twice). */
  waiting: Set<string>;
}

interface PendingRead {
  client: string;
  reqId: string;
  /** Replicas not heard from (the network may duplicate an answer). */
  waiting: Set<string>;
  need: number;
  /** Refusals we can still afford before the read cannot reach R copies. */
  spare: number;
  elements: string[];
}

/** A storage node's only timer is its outbox's re-send timer. */
type Ctx = Io<RingMessage, RetransmitTimer, RingServerState>;

export const keyOf = (diskKey: string): string => diskKey.slice(2);
const diskKey = (key: string): string => `k/${key}`;

/** Union of two sorted element lists, sorted. */
export function mergeElements(a: readonly string[], b: readonly string[]): string[] {
  if (b.every((e) => a.includes(e))) return [...a];
  return [...new Set([...a, ...b])].sort();
}

export class StorageNode implements ProtocolNode<RingMessage, RetransmitTimer, RingServerState> {
  ring!: RingView;
  prev: RingView | undefined;
  /** Highest version whose every member adopted it: writes under it may be acknowledged. */
  active = 1;
  /** Nodes that reported their hand-off done for `ring.version`. */
  doneFrom = new Set<string>();
  readonly store = new Map<string, string[]>();
  private outbox!: Outbox;
  /** Outstanding hand-off batches of the current version: rid -> target and keys. */
  private handoffs = new Map<string, { to: string; keys: number }>();
  private handoffVersion = 0;
  private doneSent = false;
  private writes = new Map<string, PendingWrite>();
  private reads = new Map<string, PendingRead>();
  private nextWrite = 0;

  constructor(private readonly cfg: ServerConfig) {}

  onStart(ctx: Ctx): void {
    this.outbox = new Outbox(`${ctx.id}/${nextIncarnation(ctx)}`, this.cfg.retransmit);
    this.ring = this.cfg.initial;
    ctx.put('meta/ring', this.ring);
    for (const key of this.cfg.preload) {
      if (this.owns(ctx, this.ring, key)) this.put(ctx, key, [`init:${key}`]);
    }
    ctx.fsync();
    this.doneSent = true;
    this.handoffVersion = this.ring.version;
    this.publish(ctx);
  }

  onRecover(ctx: Ctx): void {
    this.outbox = new Outbox(`${ctx.id}/${nextIncarnation(ctx)}`, this.cfg.retransmit);
    const ring = ctx.read<RingView>('meta/ring');
    assert(ring !== undefined, `${ctx.id}: no ring on disk after a restart`);
    this.ring = ring;
    this.prev = ctx.read<RingView>('meta/prev');
    this.active = ctx.read<number>('meta/active') ?? 1;
    const done = ctx.read<{ version: number; from: string[] }>('meta/done');
    if (done && done.version === ring.version) this.doneFrom = new Set(done.from);
    for (const k of ctx.keys('k/')) {
      const elements = ctx.read<string[]>(k);
      assert(elements !== undefined, () => `${ctx.id}: ${k} listed but unreadable`);
      this.store.set(keyOf(k), elements);
    }
    // Hand-off state was volatile: run it again (receivers merge, so repeats are harmless).
    if (this.prev) this.startHandoff(ctx);
    else this.doneSent = true;
    this.publish(ctx);
  }

  onTimer(ctx: Ctx, timer: RetransmitTimer): void {
    if (timer.name === Outbox.TIMER) this.outbox.onTimer(ctx);
  }

  onMessage(ctx: Ctx, from: string, msg: RingMessage): void {
    switch (msg.type) {
      case 'ring-update':
        // Rule 1: persist before acknowledging, so the coordinator's count of adopters survives our crash.
        if (msg.ring.version > this.ring.version) this.adopt(ctx, msg.ring, msg.prev);
        ctx.send(from, { type: 'ack', rid: msg.rid });
        return;
      case 'ring-active':
        // An activation of a ring this node does not hold yet is left unacknowledged and comes
        // again (as a hand-off does): acknowledging it would tell the coordinator this node runs
        // a ring it never adopted.
        if (msg.version > this.ring.version) return;
        if (msg.version > this.active) {
          this.active = msg.version;
          ctx.put('meta/active', this.active);
          ctx.fsync();
        }
        ctx.send(from, { type: 'ack', rid: msg.rid });
        return;
      case 'handoff':
        // Rule 2, receiver: take a hand-off only under the ring it was computed for. One for a
        // ring not adopted yet is left unacknowledged and comes again; one for an older ring
        // is a late duplicate of a batch already taken (the version settled after its ack).
        if (msg.version > this.ring.version) return;
        if (msg.version === this.ring.version) this.receiveHandoff(ctx, msg);
        ctx.send(from, { type: 'ack', rid: msg.rid });
        return;
      case 'handoff-done':
        if (msg.version === this.ring.version && !this.doneFrom.has(from)) {
          this.doneFrom.add(from);
          ctx.put('meta/done', { version: this.ring.version, from: [...this.doneFrom] });
          ctx.fsync();
        }
        ctx.send(from, { type: 'ack', rid: msg.rid });
        return;
      case 'ack':
        if (this.outbox.ack(msg.rid) && this.handoffs.delete(msg.rid)) {
          if (this.handoffs.size === 0) this.finishHandoff(ctx);
          this.publish(ctx);
        }
        return;
      case 'req':
        this.onRequest(ctx, from, msg);
        return;
      case 'replicate':
        // Rule 3, fencing: a write routed by an older ring must not land here.
        if (msg.rv < this.ring.version) {
          ctx.send(from, { type: 'reject', wid: msg.wid, rid: msg.rid, ring: this.ring });
          return;
        }
        this.add(ctx, msg.key, msg.element);
        ctx.send(from, { type: 'replicated', wid: msg.wid, rid: msg.rid });
        return;
      case 'replicated': {
        this.outbox.ack(msg.rid);
        const w = this.writes.get(msg.wid);
        if (!w || !w.waiting.delete(from)) return;
        if (--w.need === 0) {
          this.writes.delete(msg.wid);
          ctx.send(w.client, { type: 'res', id: w.reqId });
        }
        return;
      }
      case 'reject': {
        this.outbox.ack(msg.rid);
        const w = this.writes.get(msg.wid);
        if (!w) return;
        this.writes.delete(msg.wid);
        ctx.send(w.client, { type: 'retry', id: w.reqId, reason: `replica ${from} has ring ${msg.ring.version}` });
        return;
      }
      case 'fetch': {
        const ok = msg.rv === this.ring.version && this.settledFor(ctx, msg.key);
        ctx.send(from, ok ? { type: 'fetched', fid: msg.fid, ok, elements: this.store.get(msg.key) ?? [] } : { type: 'fetched', fid: msg.fid, ok });
        return;
      }
      case 'fetched': {
        const r = this.reads.get(msg.fid);
        if (!r || !r.waiting.delete(from)) return;
        if (msg.ok) {
          r.elements = mergeElements(r.elements, msg.elements ?? []);
          if (--r.need > 0) return;
          ctx.send(r.client, { type: 'res', id: r.reqId, elements: r.elements });
        } else {
          if (r.spare-- > 0) return;
          ctx.send(r.client, { type: 'retry', id: r.reqId, reason: 'not enough replicas can answer for this key yet' });
        }
        this.reads.delete(msg.fid);
        return;
      }
      default:
        return;
    }
  }

  // ------------------------------------------------------------ client requests

  private onRequest(ctx: Ctx, client: string, req: ClientRequest): void {
    if (req.rv < this.ring.version && !this.cfg.bugs.staleRouting) {
      ctx.send(client, { type: 'redirect', id: req.id, ring: this.ring });
      return;
    }
    if (req.rv > this.ring.version) {
      ctx.send(client, { type: 'retry', id: req.id, reason: `server ring ${this.ring.version} is behind the client's ${req.rv}` });
      return;
    }
    const pl = this.cfg.placement.preferenceList(this.ring, req.key);
    assert(pl.includes(ctx.id) || this.cfg.bugs.staleRouting, () => `${ctx.id}: request for ${req.key} routed under ring ${req.rv}, whose preference list ${pl.join(',')} does not name this node`);
    // Quorums over the key's actual list (shorter than N on a small ring).
    const w = Math.min(this.cfg.writeQuorum, pl.length);
    const r = pl.length - w + 1;
    const others = pl.filter((n) => n !== ctx.id);
    if (req.op === 'read') {
      // Rule 4.
      if (!this.cfg.bugs.serveBeforeHandoff && !this.settledFor(ctx, req.key)) {
        ctx.send(client, { type: 'retry', id: req.id, reason: `hand-off of ${req.key} in progress` });
        return;
      }
      const mine = this.store.get(req.key) ?? [];
      if (r === 1 || this.cfg.bugs.readOneCopy) {
        ctx.send(client, { type: 'res', id: req.id, elements: mine });
        return;
      }
      const fid = `${ctx.id}/${this.nextWrite++}`;
      this.reads.set(fid, { client, reqId: req.id, waiting: new Set(others), need: r - 1, spare: others.length - (r - 1), elements: mine });
      for (const n of others) ctx.send(n, { type: 'fetch', fid, key: req.key, rv: this.ring.version });
      return;
    }
    if (this.active < this.ring.version) {
      ctx.send(client, { type: 'retry', id: req.id, reason: `ring ${this.ring.version} not active yet` });
      return;
    }
    assert(req.element !== undefined, `${ctx.id}: add without an element`);
    this.add(ctx, req.key, req.element);
    const wid = `${ctx.id}/${this.nextWrite++}`;
    if (w === 1) ctx.send(client, { type: 'res', id: req.id });
    else this.writes.set(wid, { client, reqId: req.id, need: w - 1, waiting: new Set(others) });
    // Every replica gets the element, re-sent until it answers; W of them (this node included) make the acknowledgement.
    for (const n of others) this.outbox.send(ctx, n, { type: 'replicate', rid: this.outbox.rid(), wid, key: req.key, element: req.element, rv: this.ring.version });
  }

  /**
   * Rule 4: a key this node gained in the current ring can be served once R
   * members of its old preference list finished handing off (R = 1 when W = N).
   */
  private settledFor(ctx: Ctx, key: string): boolean {
    if (!this.prev) return true;
    const old = this.cfg.placement.preferenceList(this.prev, key);
    if (old.length === 0 || old.includes(ctx.id)) return true;
    const r = old.length - Math.min(this.cfg.writeQuorum, old.length) + 1;
    return old.filter((n) => this.doneFrom.has(n)).length >= r;
  }

  // ------------------------------------------------------------ membership

  private adopt(ctx: Ctx, ring: RingView, prev: RingView): void {
    assert(ring.version > this.ring.version && prev.version < ring.version, () => `${ctx.id}: ring ${ring.version} (after ${prev.version}) does not follow ring ${this.ring.version}`);
    this.ring = ring;
    this.prev = prev;
    this.doneFrom = new Set();
    ctx.put('meta/ring', ring);
    ctx.put('meta/prev', prev);
    ctx.delete('meta/done');
    ctx.fsync();
    ctx.log(`adopted ring ${ring.version}: ${ring.members.map((m) => m.id).join(',')}`);
    // Writes still waiting under the old ring get their answers from the replicas (reject or replicated).
    this.startHandoff(ctx);
  }

  /** Rule 2: push every held key to the new members of its preference list. */
  private startHandoff(ctx: Ctx): void {
    const prev = this.prev;
    assert(prev !== undefined, `${ctx.id}: hand-off without a previous ring`);
    for (const rid of this.handoffs.keys()) this.outbox.ack(rid);
    this.handoffs.clear();
    this.handoffVersion = this.ring.version;
    this.doneSent = false;
    const member = this.ring.members.some((m) => m.id === ctx.id);
    const batches = new Map<string, [string, string[]][]>();
    for (const [key, elements] of this.store) {
      if (this.cfg.bugs.dropKeysOnLeave && !member) continue; // planted bug: no hand-off at all
      const oldPl = this.cfg.placement.preferenceList(prev, key);
      const newPl = this.cfg.placement.preferenceList(this.ring, key);
      const targets = oldPl.includes(ctx.id) ? newPl.filter((n) => n !== ctx.id && !oldPl.includes(n)) : newPl.filter((n) => n !== ctx.id);
      for (const t of targets) {
        let b = batches.get(t);
        if (!b) batches.set(t, (b = []));
        b.push([key, elements]);
      }
    }
    for (const [to, entries] of batches) {
      for (let i = 0; i < entries.length; i += this.cfg.handoffBatch) {
        const chunk = entries.slice(i, i + this.cfg.handoffBatch);
        const rid = this.outbox.rid();
        this.handoffs.set(rid, { to, keys: chunk.length });
        this.outbox.send(ctx, to, { type: 'handoff', rid, version: this.ring.version, entries: chunk });
      }
    }
    if (this.handoffs.size === 0) this.finishHandoff(ctx);
    this.publish(ctx);
  }

  private finishHandoff(ctx: Ctx): void {
    if (this.doneSent) return;
    // Every batch is acknowledged: the keys this node no longer owns have a home elsewhere.
    for (const key of [...this.store.keys()]) {
      if (!this.owns(ctx, this.ring, key) && !this.cfg.bugs.keepHandedOffKeys) {
        this.store.delete(key);
        ctx.delete(diskKey(key));
      }
    }
    ctx.fsync();
    this.doneSent = true;
    const to = new Set([...(this.prev?.members ?? []), ...this.ring.members].map((m) => m.id));
    to.delete(ctx.id);
    to.add(this.cfg.coordinator);
    if (this.cfg.bugs.neverReportDone) to.clear();
    for (const n of to) this.outbox.send(ctx, n, { type: 'handoff-done', rid: this.outbox.rid(), version: this.ring.version });
    ctx.log(`hand-off for ring ${this.ring.version} done; holding ${this.store.size} keys`);
  }

  private receiveHandoff(ctx: Ctx, msg: Handoff): void {
    for (const [key, elements] of msg.entries) {
      assert(this.owns(ctx, this.ring, key), () => `${ctx.id}: hand-off of ${key} under ring ${msg.version}, which does not place it here`);
      const cur = this.store.get(key) ?? [];
      const merged = mergeElements(cur, elements);
      if (merged.length !== cur.length) this.put(ctx, key, merged);
    }
    ctx.fsync();
    this.publish(ctx);
  }

  // ------------------------------------------------------------ storage

  private owns(ctx: Ctx, ring: RingView, key: string): boolean {
    return this.cfg.placement.preferenceList(ring, key).includes(ctx.id);
  }

  private put(ctx: Ctx, key: string, elements: string[]): void {
    this.store.set(key, elements);
    ctx.put(diskKey(key), elements);
  }

  /** Add one element durably (fsync before any acknowledgement leaves this node). */
  private add(ctx: Ctx, key: string, element: string): void {
    const cur = this.store.get(key) ?? [];
    if (cur.includes(element)) return;
    const had = this.store.has(key);
    this.put(ctx, key, mergeElements(cur, [element]));
    ctx.fsync();
    assert(ctx.read<string[]>(diskKey(key))?.includes(element), () => `${ctx.id}: ${element} of ${key} did not reach the disk`);
    if (!had) this.publish(ctx);
  }

  /** Pending hand-off keys per target, for the viewer. */
  migrating(): { to: string; keys: number }[] {
    const by = new Map<string, number>();
    for (const h of this.handoffs.values()) by.set(h.to, (by.get(h.to) ?? 0) + h.keys);
    return [...by].map(([to, keys]) => ({ to, keys }));
  }

  /** True when this node owes no hand-off for its current ring. */
  get handoffComplete(): boolean {
    return this.doneSent && this.handoffVersion === this.ring.version;
  }

  private publish(ctx: Ctx): void {
    const s: RingServerState = { ringVersion: this.ring.version, members: this.ring.members, keys: this.store.size, migrating: this.migrating() };
    ctx.publish(s);
  }
}
