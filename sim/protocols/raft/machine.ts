// The replicated state machine behind Raft: a service (the key-value store or
// the lock table) wrapped in client sessions (section 8 of the Raft paper: each
// command carries client id + sequence number; the state machine remembers the
// last one per client with its answer, so a retried command is applied once).

import { assert } from '../../engine/assert.ts';
import type { JsonValue, Micros } from '../../engine/types.ts';
import { LockTable, type LockCommand, type LockTableSnapshot } from '../lock/table.ts';
import { KvStore, describeKvOp, type KvOp } from './kv.ts';
import type { Command } from './types.ts';

/** What a lock client asks; the leader stamps its clock on it (`now`) when it proposes, so every replica applies the same command. */
export type LockOp =
  | { f: 'acquire'; lock: string; ttl: Micros; wait: boolean }
  | { f: 'keepalive'; ttl: Micros }
  | { f: 'release'; lock: string; token?: number };

export type ServiceKind = 'kv' | 'lock';

interface Session {
  seq: number;
  result: JsonValue;
}

export class ReplicatedMachine {
  private sessions = new Map<string, Session>();
  private kv = new KvStore();
  private locks = new LockTable();
  applied = 0;

  constructor(readonly service: ServiceKind) {}

  /** Apply a committed entry; returns the answer for its client (undefined for no-ops). */
  apply(cmd: Command): JsonValue | undefined {
    this.applied++;
    if (cmd.kind === 'noop') return undefined;
    const s = this.sessions.get(cmd.client);
    // A duplicate of the client's latest command: answer again, do not apply again.
    if (s !== undefined && cmd.seq <= s.seq) return cmd.seq === s.seq ? s.result : null;
    const result = this.execute(cmd.op);
    this.sessions.set(cmd.client, { seq: cmd.seq, result });
    return result;
  }

  /** The cached answer when (client, seq) was already applied. */
  answered(client: string, seq: number): JsonValue | undefined {
    const s = this.sessions.get(client);
    return s !== undefined && s.seq === seq ? s.result : undefined;
  }

  /** A read served outside the log (ReadIndex). */
  read(key: string): string {
    assert(this.service === 'kv', 'reads outside the log are for the key-value store');
    return this.kv.get(key);
  }

  private execute(op: JsonValue): JsonValue {
    if (this.service === 'kv') return this.kv.apply(op as unknown as KvOp);
    const lop = op as unknown as LockOp & { session: string; now: Micros };
    const cmd: LockCommand =
      lop.f === 'acquire'
        ? { op: 'acquire', session: lop.session, lock: lop.lock, ttl: lop.ttl, wait: lop.wait, now: lop.now }
        : lop.f === 'keepalive'
          ? { op: 'keepalive', session: lop.session, ttl: lop.ttl, now: lop.now }
          : { op: 'release', session: lop.session, lock: lop.lock, now: lop.now, ...(lop.token !== undefined ? { token: lop.token } : {}) };
    return this.locks.apply(cmd).reply as unknown as JsonValue;
  }

  lockState(): ReturnType<LockTable['state']> {
    return this.locks.state();
  }

  snapshot(): JsonValue {
    const sessions: Record<string, JsonValue> = {};
    for (const [c, s] of this.sessions) sessions[c] = { seq: s.seq, result: s.result };
    return {
      service: this.service,
      applied: this.applied,
      sessions,
      state: this.service === 'kv' ? this.kv.snapshot() : (this.locks.snapshot() as unknown as JsonValue),
    };
  }

  static restore(service: ServiceKind, snap: JsonValue): ReplicatedMachine {
    const m = new ReplicatedMachine(service);
    if (snap === null) return m;
    const s = snap as unknown as { service: ServiceKind; applied: number; sessions: Record<string, Session>; state: JsonValue };
    assert(s.service === service, () => `snapshot of a ${s.service} state machine restored as ${service}`);
    m.applied = s.applied;
    for (const [c, v] of Object.entries(s.sessions)) m.sessions.set(c, { seq: v.seq, result: v.result });
    if (service === 'kv') m.kv = KvStore.restore(s.state);
    else m.locks = LockTable.restore(s.state as unknown as LockTableSnapshot);
    return m;
  }
}

/** A short human form of a command, for the viewer ("put k3=7"). */
export function describeCommand(cmd: Command): string {
  if (cmd.kind === 'noop') return 'noop';
  const op = cmd.op as { f?: string };
  if (op.f === 'get' || op.f === 'put' || op.f === 'append' || op.f === 'cas') return describeKvOp(op as unknown as KvOp);
  const l = cmd.op as unknown as LockOp;
  if (l.f === 'acquire') return `acquire ${l.lock} (${cmd.client})`;
  if (l.f === 'release') return `release ${l.lock} (${cmd.client})`;
  return `keepalive (${cmd.client})`;
}
