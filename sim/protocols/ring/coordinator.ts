// The membership coordinator: the one place that decides the ring (in a real
// deployment, a configuration service such as ZooKeeper or etcd). Changes
// from the scenario's plan are applied one at a time:
//   1. bump the version and send ring-update (old and new ring) to every server;
//   2. when every member of the old and the new ring acknowledged it, send
//      ring-active: from now on writes under it may be acknowledged;
//   3. when every member of the old and the new ring reported handoff-done,
//      the change has settled and the next one may start.
// Its state is fsynced, so it picks up where it was after a restart.

import { assert, type Io, type Micros, type ProtocolNode } from '../../api/index.ts';
import type { RingMessage, RingView } from './messages.ts';
import { Outbox, nextIncarnation, type RetransmitTimer } from './outbox.ts';
import type { RingCoordinatorState } from './state.ts';

export type MembershipChange = { at: Micros; join: string; weight?: number } | { at: Micros; leave: string };

export interface CoordinatorConfig {
  initial: RingView;
  servers: readonly string[];
  changes: readonly MembershipChange[];
  retransmit: Micros;
}

/** What the coordinator keeps on disk (key "meta/coordinator"). */
export type CoordinatorRecord = {
  ring: RingView;
  prev: RingView;
  /** Changes applied so far (index into the plan). */
  applied: number;
  phase: 'settled' | 'adopting' | 'migrating';
  /** Members of old and new ring still to acknowledge (adopting) or to report done (migrating). */
  waiting: string[];
  /** Members that already reported done while we were still waiting for adoption. */
  done: string[];
};

/** The coordinator's timers: its outbox's re-send timer, and `change`, the time of the next planned membership change. */
export type RingCoordinatorTimer = RetransmitTimer | { name: 'change' };

type Ctx = Io<RingMessage, RingCoordinatorTimer, RingCoordinatorState>;

export function applyChange(ring: RingView, change: MembershipChange): RingView {
  const members = 'join' in change ? [...ring.members, { id: change.join, weight: change.weight ?? 1 }] : ring.members.filter((m) => m.id !== change.leave);
  return { version: ring.version + 1, members };
}

export class Coordinator implements ProtocolNode<RingMessage, RingCoordinatorTimer, RingCoordinatorState> {
  rec!: CoordinatorRecord;
  private outbox!: Outbox;
  /** rid of a ring-update -> the server it went to. */
  private updates = new Map<string, string>();

  constructor(private readonly cfg: CoordinatorConfig) {}

  onStart(ctx: Ctx): void {
    this.outbox = new Outbox(`${ctx.id}/${nextIncarnation(ctx)}`, this.cfg.retransmit);
    this.rec = { ring: this.cfg.initial, prev: this.cfg.initial, applied: 0, phase: 'settled', waiting: [], done: [] };
    this.save(ctx);
    this.resume(ctx);
  }

  onRecover(ctx: Ctx): void {
    this.outbox = new Outbox(`${ctx.id}/${nextIncarnation(ctx)}`, this.cfg.retransmit);
    const rec = ctx.read<CoordinatorRecord>('meta/coordinator');
    assert(rec !== undefined, `${ctx.id}: no coordinator record on disk after a restart`);
    this.rec = rec;
    // The outbox was volatile: whatever it still owed any server is lost. Re-send the current ring
    // to every server in every phase (a server that was not a member of the change, e.g. one that
    // left earlier or a spare, is not waited for, so nothing else would make it adopt the ring it
    // missed while it or we were down), and the activation once the ring is active. Both are
    // idempotent at the servers.
    if (rec.applied > 0) this.broadcastUpdate(ctx);
    if (rec.applied > 0 && rec.phase !== 'adopting') this.broadcastActive(ctx);
    this.resume(ctx);
  }

  private resume(ctx: Ctx): void {
    this.armChangeTimer(ctx);
    this.tryNext(ctx);
    this.publish(ctx);
  }

  private armChangeTimer(ctx: Ctx): void {
    const next = this.cfg.changes[this.rec.applied];
    if (next) ctx.setTimer({ name: 'change' }, Math.max(0, next.at - ctx.now()));
  }

  onTimer(ctx: Ctx, timer: RingCoordinatorTimer): void {
    if (timer.name === Outbox.TIMER) this.outbox.onTimer(ctx);
    else this.tryNext(ctx);
  }

  /** Start the next planned change if it is due and the previous one settled. */
  private tryNext(ctx: Ctx): void {
    const next = this.cfg.changes[this.rec.applied];
    if (!next || this.rec.phase !== 'settled') return;
    if (next.at > ctx.now()) {
      this.armChangeTimer(ctx);
      return;
    }
    const ring = applyChange(this.rec.ring, next);
    // The plan was validated when the scenario was parsed; check it again where it is applied.
    assert('join' in next ? !this.rec.ring.members.some((m) => m.id === next.join) : this.rec.ring.members.some((m) => m.id === next.leave), () => `change ${this.rec.applied} does not apply to ring ${this.rec.ring.version}`);
    assert(ring.members.length > 0, 'a change left the ring empty');
    const involved = new Set([...this.rec.ring.members, ...ring.members].map((m) => m.id));
    this.rec = { ring, prev: this.rec.ring, applied: this.rec.applied + 1, phase: 'adopting', waiting: [...involved], done: [] };
    this.save(ctx);
    ctx.log(`ring ${ring.version}: ${'join' in next ? `join ${next.join}` : `leave ${next.leave}`}; members ${ring.members.map((m) => m.id).join(',')}`);
    this.broadcastUpdate(ctx);
    this.publish(ctx);
  }

  private broadcastUpdate(ctx: Ctx): void {
    for (const s of this.cfg.servers) {
      const rid = this.outbox.rid();
      this.updates.set(rid, s);
      this.outbox.send(ctx, s, { type: 'ring-update', rid, ring: this.rec.ring, prev: this.rec.prev });
    }
  }

  private broadcastActive(ctx: Ctx): void {
    for (const s of this.cfg.servers) this.outbox.send(ctx, s, { type: 'ring-active', rid: this.outbox.rid(), version: this.rec.ring.version });
  }

  onMessage(ctx: Ctx, from: string, msg: RingMessage): void {
    if (msg.type === 'ack') {
      this.outbox.ack(msg.rid);
      const server = this.updates.get(msg.rid);
      if (server === undefined) return;
      this.updates.delete(msg.rid);
      if (this.rec.phase === 'adopting' && this.rec.waiting.includes(server)) {
        const waiting = this.rec.waiting.filter((s) => s !== server);
        if (waiting.length > 0) {
          this.rec = { ...this.rec, waiting };
        } else {
          // Every member of both rings adopted the new one: nobody serves the old ring any more.
          const involved = [...new Set([...this.rec.prev.members, ...this.rec.ring.members].map((m) => m.id))];
          this.rec = { ...this.rec, phase: 'migrating', waiting: involved.filter((s) => !this.rec.done.includes(s)) };
          this.broadcastActive(ctx);
        }
        this.save(ctx);
        this.settleIfDone(ctx);
      }
      return;
    }
    if (msg.type === 'handoff-done') {
      ctx.send(from, { type: 'ack', rid: msg.rid });
      if (msg.version !== this.rec.ring.version) return;
      if (this.rec.phase === 'adopting' && !this.rec.done.includes(from)) {
        this.rec = { ...this.rec, done: [...this.rec.done, from] };
        this.save(ctx);
      } else if (this.rec.phase === 'migrating' && this.rec.waiting.includes(from)) {
        this.rec = { ...this.rec, waiting: this.rec.waiting.filter((s) => s !== from) };
        this.save(ctx);
        this.settleIfDone(ctx);
      }
    }
  }

  private settleIfDone(ctx: Ctx): void {
    if (this.rec.phase !== 'migrating' || this.rec.waiting.length > 0) return;
    this.rec = { ...this.rec, phase: 'settled', waiting: [], done: [] };
    this.save(ctx);
    ctx.log(`ring ${this.rec.ring.version} settled`);
    this.publish(ctx);
    this.tryNext(ctx);
  }

  private save(ctx: Ctx): void {
    ctx.put('meta/coordinator', this.rec);
    ctx.fsync();
    this.publish(ctx);
  }

  private publish(ctx: Ctx): void {
    const s: RingCoordinatorState = {
      ringVersion: this.rec.ring.version,
      members: this.rec.ring.members,
      settled: this.rec.phase === 'settled',
      waitingFor: this.rec.waiting,
      queued: this.cfg.changes.length - this.rec.applied,
    };
    ctx.publish(s);
  }
}
