// The lock service's lock table (sim/protocols/common/lock-table.ts) as a state
// machine Raft replicates: the leader stamps each acquire, keep-alive and
// release with the client's session and its own clock, so every replica
// applies the same command (the table never reads a clock).

import type { JsonValue, Micros } from '../../api/index.ts';
import { LockTable, type LockCommand, type LockTableSnapshot } from '../common/lock-table.ts';
import type { StateMachineDefinition } from './machine.ts';

/** What a lock client asks. */
export type LockOp =
  | { f: 'acquire'; lock: string; ttl: Micros; wait: boolean }
  | { f: 'keepalive'; ttl: Micros }
  | { f: 'release'; lock: string; token?: number };

/** A proposed lock operation: the client's, stamped by the leader. */
type StampedLockOp = LockOp & { session: string; now: Micros };

function toCommand(op: StampedLockOp): LockCommand {
  switch (op.f) {
    case 'acquire':
      return { op: 'acquire', session: op.session, lock: op.lock, ttl: op.ttl, wait: op.wait, now: op.now };
    case 'keepalive':
      return { op: 'keepalive', session: op.session, ttl: op.ttl, now: op.now };
    case 'release':
      return { op: 'release', session: op.session, lock: op.lock, now: op.now, ...(op.token !== undefined ? { token: op.token } : {}) };
  }
}

/** The replicated lock table (`service: 'lock'`). */
export const lockService: StateMachineDefinition = {
  name: 'lock',
  create(snapshot) {
    const table = snapshot === null ? new LockTable() : LockTable.restore(snapshot as unknown as LockTableSnapshot);
    return {
      apply: (op) => table.apply(toCommand(op as unknown as StampedLockOp)).reply as unknown as JsonValue,
      snapshot: () => table.snapshot() as unknown as JsonValue,
    };
  },
  command: (op, client, now) => ({ ...(op as Record<string, JsonValue>), session: client, now }),
  describe(op, client) {
    const l = op as unknown as LockOp;
    if (l.f === 'acquire') return `acquire ${l.lock} (${client})`;
    if (l.f === 'release') return `release ${l.lock} (${client})`;
    return `keepalive (${client})`;
  },
};
