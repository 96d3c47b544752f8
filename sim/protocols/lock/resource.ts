// The protected resource: a small storage service that clients write to while
// they hold the lock. With fencing on it is the last line of defence
// (Kleppmann, "How to do distributed locking", 2016): it remembers, per lock,
// the highest fencing token it has accepted and rejects any write carrying a
// lower one, so a client that lost its lock without knowing (a pause, a slow
// clock) cannot overwrite the work of the holder that replaced it. The highest
// tokens are fsynced before a write is acknowledged, so a restart keeps them.

import { assert, type Io, type ProtocolNode, type Timer } from '../../api/index.ts';
import type { LockMessage, ResourceWrite } from './messages.ts';
import type { LockResourceState } from './state.ts';

/** The resource has no timers. */
type NoTimer = Timer & { name: never };

type ResourceIo = Io<LockMessage, NoTimer, LockResourceState>;

const HIGHEST_KEY = 'highest';

export interface LockResourceOptions {
  /** Reject writes whose token is below the highest accepted for that lock. */
  fencing: boolean;
  /** PLANTED BUG: compare tokens but accept the write anyway (the check is there, its verdict ignored). */
  ignoreStaleTokens: boolean;
  /** The clients (config `clients`): the bound of the duplicate table, asserted (default unbounded). */
  maxClients?: number;
}

export class LockResource implements ProtocolNode<LockMessage, NoTimer, LockResourceState> {
  /** Per lock: highest fencing token accepted. */
  private highest: Record<string, number> = {};
  /** Per lock: the stored value (last accepted write). */
  readonly values: Record<string, string> = {};
  /**
   * Per client: the order (ResourceWrite.order) of the newest write applied, so a retransmitted
   * write is not applied twice. One entry per client, not per tenure (that table grew with every
   * critical section): a client has one write in flight at a time and numbers them upwards across
   * tenures and restarts, so a copy not newer than the newest applied is a retransmission of it or
   * a late copy of an older write the client has moved past. Bound: maxClients, asserted.
   */
  private readonly applied = new Map<string, { order: number; tenure: string; seq: number }>();
  private accepted = 0;
  private rejected = 0;

  constructor(private readonly opts: LockResourceOptions) {}

  onStart(ctx: ResourceIo): void {
    this.publish(ctx);
  }

  onRecover(ctx: ResourceIo): void {
    this.highest = { ...(ctx.read<Record<string, number>>(HIGHEST_KEY) ?? {}) };
    this.publish(ctx);
  }

  onMessage(ctx: ResourceIo, from: string, msg: LockMessage): void {
    if (msg.type !== 'write') return;
    const highest = this.highest[msg.lock] ?? 0;
    const ack = { type: 'write-ack' as const, lock: msg.lock, client: msg.client, tenure: msg.tenure, token: msg.token, seq: msg.seq };
    const last = this.applied.get(msg.client);
    if (last !== undefined && last.order >= msg.order) {
      // The write applied last, again: acknowledge it again. An older one: its client has moved on, drop it.
      if (last.order === msg.order) ctx.send(from, { ...ack, ok: true, dup: true, highestToken: highest });
      return;
    }
    const stale = this.opts.fencing && msg.token !== null && msg.token < highest;
    if (stale && !this.opts.ignoreStaleTokens) {
      this.rejected++;
      ctx.log(`rejected write ${msg.seq} of ${msg.client}: token ${msg.token} < highest ${highest} on ${msg.lock}`);
      ctx.send(from, { ...ack, ok: false, dup: false, highestToken: highest });
      this.publish(ctx);
      return;
    }
    this.apply(ctx, msg);
    ctx.send(from, { ...ack, ok: true, dup: false, highestToken: this.highest[msg.lock] ?? 0 });
    this.publish(ctx);
  }

  onTimer(): void {}

  private apply(ctx: ResourceIo, w: ResourceWrite): void {
    if (w.token !== null && w.token > (this.highest[w.lock] ?? 0)) {
      this.highest[w.lock] = w.token;
      // Durable before the ack: a restarted resource must not forget what it fenced off.
      ctx.put(HIGHEST_KEY, { ...this.highest });
      ctx.fsync();
    }
    this.values[w.lock] = w.value;
    this.applied.set(w.client, { order: w.order, tenure: w.tenure, seq: w.seq });
    assert(this.applied.size <= (this.opts.maxClients ?? Number.POSITIVE_INFINITY), () => `resource: ${this.applied.size} clients in the duplicate table, bound ${this.opts.maxClients}`);
    this.accepted++;
    assert(!this.opts.fencing || this.opts.ignoreStaleTokens || w.token === null || w.token === this.highest[w.lock], () => `resource: accepted token ${w.token} below highest ${this.highest[w.lock]}`, 'fenced-writes');
  }

  private publish(ctx: ResourceIo): void {
    let highestToken = 0;
    for (const t of Object.values(this.highest)) highestToken = Math.max(highestToken, t);
    ctx.publish({ highestToken, accepted: this.accepted, rejected: this.rejected });
  }
}
