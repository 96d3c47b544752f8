// The network: one link per ordered pair of nodes (a LinkModel: latency, loss,
// duplication, FIFO, retransmission), the partitions and one-way blocks in force,
// and the loss (duplication) burst of a `loss` (`duplicate`) fault. `send` turns one ctx.send into trace events
// and at most two deliveries in the event queue; which draws it makes, and in which
// order, is part of the determinism contract (same seed, same trace): every send
// draws loss even at probability 0, so changing a probability shifts no later draw.

import { assert, atOrFail } from './assert.ts';
import type { LinkModel, NetworkConfig } from './config.ts';
import { K_DELIVER, type DeliverEvent } from './events.ts';
import type { FaultState } from './fault-state.ts';
import type { HookLists } from './hooks.ts';
import { sampleLatency } from './latency.ts';
import type { Rng } from './random.ts';
import type { DropReason, JsonValue, Message, Micros, NodeId, RunStats, TraceEvent, TraceEventType } from './types.ts';

interface Link {
  model: LinkModel;
  /** Forked on first use (a fork is keyed by name only, so laziness changes no draw; it makes building a simulation cheap). */
  rng: Rng | undefined;
  name: string;
  /** Latest delivery time scheduled on this link (for FIFO links). */
  lastDelivery: Micros;
}

/** What the network needs from the event loop. */
export interface NetworkHost {
  /** Current true time (µs). */
  now(): Micros;
  /** Whether trace events are recorded at all. */
  readonly rec: boolean;
  /** When recording: whether to build an event of this type (when not, it is numbered as if emitted). */
  traces(type: TraceEventType): boolean;
  emit(ev: TraceEvent): void;
  /** Queue a delivery (the queue stamps its insertion number). */
  push(ev: DeliverEvent): void;
  /** The message as it travels: a copy or a frozen original when the run isolates nodes (see SimulationOptions.isolate). */
  copy<T>(msg: T): T;
  /** Next message id (ids are unique per run, copies included). */
  nextMsgId(): number;
  /** The checkers' typed hooks (Checker.on). */
  readonly hooks: HookLists;
}

/** Give up on a retransmitting link after an hour of virtual time (a loss probability of 1). */
const MAX_RETRANSMIT_DELAY: Micros = 3_600_000_000;

export class Network {
  private readonly links: Link[] = [];
  /** blocked[from * n + to] is 1 when some partition or block cuts that direction. */
  private readonly blocked: Uint8Array;
  private readonly n: number;
  private readonly index = new Map<NodeId, number>();
  /** Loss probability of the current `loss` fault (0: none), drawn from the fault stream. */
  private burstLoss = 0;
  /** Duplication probability of the current `duplicate` fault (0: none), drawn from the fault stream. */
  private burstDuplicate = 0;
  /** slowBy[from * n + to]: latency factor of a `slow` fault on that direction (allocated on the first one). */
  private slowBy: Float64Array | undefined;

  constructor(
    private readonly ids: readonly NodeId[],
    config: NetworkConfig,
    private readonly linkRng: Rng,
    private readonly faultRng: Rng,
    private readonly faultState: FaultState,
    private readonly stats: RunStats['messages'],
    private readonly host: NetworkHost,
  ) {
    this.n = ids.length;
    ids.forEach((id, i) => this.index.set(id, i));
    // Links: the default model, then overrides in order (later ones win).
    const { links: overrides, ...defaults } = config;
    for (const a of ids) {
      for (const b of ids) {
        let model: LinkModel = { ...defaults };
        for (const o of overrides) {
          if ((o.from === '*' || o.from === a) && (o.to === '*' || o.to === b)) {
            const { from: _f, to: _t, ...rest } = o;
            model = { ...model, ...rest };
          }
        }
        this.links.push({ model, rng: undefined, name: `${a}->${b}`, lastDelivery: 0 });
      }
    }
    this.blocked = new Uint8Array(this.n * this.n);
  }

  private id(i: number): NodeId {
    return atOrFail(this.ids, i, 'node index');
  }

  /** True when a partition or block cuts the direction from -> to (node indexes). */
  isBlocked(from: number, to: number): boolean {
    return this.blocked[from * this.n + to] === 1;
  }

  /** The loss probability of the current loss burst (0: none). */
  get lossBurst(): number {
    return this.burstLoss;
  }

  /** A `loss` fault: every send also draws this loss probability from the fault stream until it is set back to 0. */
  setLossBurst(p: number): void {
    assert(p >= 0 && p <= 1, `loss burst probability must be in [0, 1] (got ${p})`);
    this.burstLoss = p;
    this.faultState.setLossBurst(p, this.host.now());
    if (this.host.rec && this.host.traces('network')) this.host.emit({ seq: 0, t: this.host.now(), type: 'network', loss: p, duplicate: this.burstDuplicate });
  }

  /** The duplication probability of the current duplication burst (0: none). */
  get duplicateBurst(): number {
    return this.burstDuplicate;
  }

  /**
   * A `duplicate` fault: every delivered send also draws this duplication probability from the fault
   * stream (only while it is above 0, so runs without one draw nothing more) until it is set back to 0.
   */
  setDuplicateBurst(p: number): void {
    assert(p >= 0 && p <= 1, `duplication burst probability must be in [0, 1] (got ${p})`);
    this.burstDuplicate = p;
    if (this.host.rec && this.host.traces('network')) this.host.emit({ seq: 0, t: this.host.now(), type: 'network', loss: this.burstLoss, duplicate: p });
  }

  /** One ctx.send from node index `from` to node `toId`: trace it, then drop it or queue its delivery (and maybe a duplicate). */
  send(from: number, toId: NodeId, msg: Message): void {
    const host = this.host;
    const m = this.stats;
    const fromId = this.id(from);
    const to = this.index.get(toId);
    m.sent++;
    const id = host.nextMsgId();
    if (to === undefined) {
      if (host.rec) {
        if (host.traces('send')) host.emit({ seq: 0, t: host.now(), type: 'send', id, from: fromId, to: toId, msg: msg as unknown as JsonValue });
        if (host.traces('drop')) host.emit({ seq: 0, t: host.now(), type: 'drop', id, from: fromId, to: toId, reason: 'unknown-node' });
      }
      if (host.hooks.messages) {
        for (const h of host.hooks.send) h(id, fromId, toId, msg);
        for (const h of host.hooks.drop) h(id, fromId, toId, 'unknown-node');
      }
      this.countDrop('unknown-node');
      return;
    }
    const payload = host.copy(msg);
    if (host.rec && host.traces('send')) host.emit({ seq: 0, t: host.now(), type: 'send', id, from: fromId, to: toId, msg: payload as unknown as JsonValue });
    if (host.hooks.messages) for (const h of host.hooks.send) h(id, fromId, toId, payload);
    const li = from * this.n + to;
    if (this.blocked[li] === 1) {
      this.drop(id, from, to, 'partition');
      return;
    }
    const link = atOrFail(this.links, li, 'links');
    const model = link.model;
    const rng = (link.rng ??= this.linkRng.fork(link.name));
    let delay = 0;
    // Always draw, so that changing a probability does not shift later draws.
    while (rng.next() < model.loss || (this.burstLoss > 0 && this.faultRng.next() < this.burstLoss)) {
      if (model.retransmit === undefined) {
        this.drop(id, from, to, 'loss');
        return;
      }
      // The transport resends: the message arrives later, not never.
      m.retransmitted++;
      delay += model.retransmit + sampleLatency(model.latency, rng);
      assert(delay < MAX_RETRANSMIT_DELAY, `${fromId}: retransmission of message ${id} never got through (loss 1?)`);
    }
    this.schedule(link, id, from, to, payload, delay);
    if ((model.duplicate > 0 && rng.next() < model.duplicate) || (this.burstDuplicate > 0 && this.faultRng.next() < this.burstDuplicate)) {
      const copy = host.nextMsgId();
      m.duplicated++;
      if (host.rec && host.traces('duplicate')) host.emit({ seq: 0, t: host.now(), type: 'duplicate', id: copy, of: id, from: fromId, to: toId });
      if (host.hooks.messages) for (const h of host.hooks.duplicate) h(copy, id, fromId, toId);
      this.schedule(link, copy, from, to, host.copy(payload), 0);
    }
  }

  private schedule(link: Link, id: number, from: number, to: number, msg: Message, extraDelay: Micros): void {
    let latency = sampleLatency(link.model.latency, (link.rng ??= this.linkRng.fork(link.name)));
    if (this.slowBy !== undefined) latency = Math.round(latency * (this.slowBy[from * this.n + to] ?? 1));
    let t = this.host.now() + extraDelay + latency;
    if (link.model.fifo) {
      if (t < link.lastDelivery) t = link.lastDelivery;
      link.lastDelivery = t;
    }
    this.host.push({ t, q: 0, k: K_DELIVER, id, from, to, msg });
  }

  /** Count and trace a message that will not be delivered. */
  drop(id: number, from: number, to: number, reason: DropReason): void {
    this.countDrop(reason);
    if (this.host.rec && this.host.traces('drop')) this.host.emit({ seq: 0, t: this.host.now(), type: 'drop', id, from: this.id(from), to: this.id(to), reason });
    if (this.host.hooks.messages) for (const h of this.host.hooks.drop) h(id, this.id(from), this.id(to), reason);
  }

  private countDrop(reason: DropReason): void {
    const m = this.stats;
    m.dropped++;
    m.droppedBy[reason] = (m.droppedBy[reason] ?? 0) + 1;
  }

  /** Cut the given directions (node index pairs); traced as one `partition` event named `label`. */
  block(pairs: readonly (readonly [number, number])[], label: string): void {
    const t = this.host.now();
    for (const [a, b] of pairs) {
      this.blocked[a * this.n + b] = 1;
      this.faultState.linkBlocked(a, b, true, t);
    }
    if (this.host.rec && this.host.traces('partition')) this.host.emit({ seq: 0, t, type: 'partition', label, blocked: pairs.map(([a, b]) => [this.id(a), this.id(b)]) });
  }

  /** A `slow` fault: messages sent from now on over these directions (node index pairs) take `factor` x their drawn latency (1: normal). */
  setSlow(pairs: readonly (readonly [number, number])[], factor: number): void {
    assert(Number.isFinite(factor) && factor >= 1, `slow factor must be a number >= 1 (got ${factor})`);
    if (this.slowBy === undefined) {
      if (factor === 1) return;
      this.slowBy = new Float64Array(this.n * this.n).fill(1);
    }
    const t = this.host.now();
    for (const [a, b] of pairs) {
      this.slowBy[a * this.n + b] = factor;
      this.faultState.linkSlowed(a, b, factor > 1, t);
    }
  }

  /** End every `slow` fault (the quiesce point). */
  clearSlow(): void {
    const slowBy = this.slowBy;
    if (slowBy === undefined) return;
    const t = this.host.now();
    for (let k = 0; k < slowBy.length; k++) if (slowBy[k] !== 1) this.faultState.linkSlowed(Math.floor(k / this.n), k % this.n, false, t);
    this.slowBy = undefined;
  }

  /** Reopen every cut direction; traced as one `heal` event listing them. */
  heal(): void {
    const t = this.host.now();
    const pairs: [NodeId, NodeId][] = [];
    for (let a = 0; a < this.n; a++) {
      for (let b = 0; b < this.n; b++) {
        if (this.blocked[a * this.n + b] === 1) {
          pairs.push([this.id(a), this.id(b)]);
          this.faultState.linkBlocked(a, b, false, t);
        }
      }
    }
    this.blocked.fill(0);
    if (this.host.rec && this.host.traces('heal')) this.host.emit({ seq: 0, t, type: 'heal', label: 'heal', blocked: pairs });
  }
}
