// A Redis-like master: an in-memory key space with expiring keys and the few
// commands a lock needs (redis.io, "Distributed Locks with Redis"):
//   SET key value NX PX ttl   set only if absent, with a time to live (atomic)
//   PEXPIRE key ttl           give an existing key a time to live
//   compare-and-delete        the release script: DEL only if the value matches
// Expiry is on the master's own clock, passive (checked on every access) and
// active (a timer at the earliest expiry, so the published state shows it).
// No persistence: a restarted master has forgotten every key. The documented
// mitigation (redis.io, "Performance, crash recovery and fsync") is to keep a
// restarted master unavailable for at least the max TTL: `restartDelay`.

import { assert, formatDuration, type Io, type JsonValue, type NodeId, type ProtocolNode, type Timer } from '../../api/index.ts';
import type { RedlockMessage } from './messages.ts';
import type { MasterState, RedisKey } from './state.ts';

export interface MasterOptions {
  /** How long a restarted master stays unavailable, on its own clock (0: PLANTED BUG noRestartDelay). */
  restartDelay: number;
  /** The lock keys clients use (one: LOCK_KEY): the bound of the key space and of `sets`, asserted (default unbounded). */
  maxKeys?: number;
}

type MasterTimer = (Timer & { name: 'expire' }) | (Timer & { name: 'available' });
type MasterIo = Io<RedlockMessage, MasterTimer, JsonValue>;

export class RedisMaster implements ProtocolNode<RedlockMessage, MasterTimer, JsonValue> {
  private readonly keys = new Map<string, RedisKey>();
  /** Per key: how many SETs succeeded (the fencing token a client derives). One entry per key ever set: bound maxKeys. */
  private readonly sets = new Map<string, number>();
  private available = true;

  constructor(private readonly opts: MasterOptions) {}

  onStart(io: MasterIo): void {
    this.publish(io);
  }

  onRecover(io: MasterIo): void {
    // Volatile: every key is gone. Stay unavailable for the restart delay.
    if (this.opts.restartDelay > 0) {
      this.available = false;
      io.setTimer({ name: 'available' }, this.opts.restartDelay);
      io.log(`restarted with no keys: unavailable for ${formatDuration(this.opts.restartDelay)}`);
    }
    this.publish(io);
  }

  onMessage(io: MasterIo, from: NodeId, msg: RedlockMessage): void {
    if (!this.available) return; // not serving yet: like a process that has not opened its port
    const changed = this.expire(io);
    switch (msg.type) {
      case 'set': {
        const ok = !this.keys.has(msg.key);
        if (ok) {
          this.keys.set(msg.key, { value: msg.value, expiresAt: msg.px === null ? null : io.now() + msg.px });
          this.sets.set(msg.key, (this.sets.get(msg.key) ?? 0) + 1);
          const bound = this.opts.maxKeys ?? Number.POSITIVE_INFINITY;
          assert(this.sets.size <= bound && this.keys.size <= bound, () => `redis master: ${this.sets.size} keys set, bound ${bound}`);
        }
        io.send(from, { type: 'set-reply', key: msg.key, value: msg.value, ok, sets: this.sets.get(msg.key) ?? 0 });
        if (ok) this.changed(io);
        else if (changed) this.changed(io);
        return;
      }
      case 'pexpire': {
        const k = this.keys.get(msg.key);
        if (k) {
          k.expiresAt = io.now() + msg.px;
          this.changed(io);
        } else if (changed) this.changed(io);
        return;
      }
      case 'unlock': {
        const k = this.keys.get(msg.key);
        // The release script: delete only our own value. A plain DEL deletes whoever's lock it is.
        if (k && (msg.plain || k.value === msg.value)) {
          this.keys.delete(msg.key);
          this.changed(io);
        } else if (changed) this.changed(io);
        return;
      }
      default:
        return;
    }
  }

  onTimer(io: MasterIo, timer: MasterTimer): void {
    if (timer.name === 'available') {
      this.available = true;
      this.publish(io);
      return;
    }
    if (this.expire(io)) this.publish(io);
    this.armExpiry(io);
  }

  /** Passive expiry: drop every key whose time to live has passed on this master's clock. */
  private expire(io: MasterIo): boolean {
    const now = io.now();
    let any = false;
    for (const [k, v] of this.keys) {
      if (v.expiresAt !== null && v.expiresAt <= now) {
        this.keys.delete(k);
        any = true;
      }
    }
    return any;
  }

  private changed(io: MasterIo): void {
    this.publish(io);
    this.armExpiry(io);
  }

  /** Active expiry: a timer at the earliest expiry. */
  private armExpiry(io: MasterIo): void {
    let next: number | undefined;
    for (const v of this.keys.values()) if (v.expiresAt !== null && (next === undefined || v.expiresAt < next)) next = v.expiresAt;
    if (next === undefined) io.cancelTimer('expire');
    else io.setTimer({ name: 'expire' }, Math.max(0, next - io.now()) + 1);
  }

  private publish(io: MasterIo): void {
    const keys: Record<string, RedisKey> = {};
    for (const [k, v] of this.keys) keys[k] = { ...v };
    const state: MasterState = { keys, available: this.available, sets: Object.fromEntries(this.sets) };
    io.publish(state as unknown as JsonValue);
  }
}
