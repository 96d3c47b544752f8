// The lock service's wire messages. Requests carry the client's request number
// `req`, echoed in the reply so the client can tell which request (and so which
// send time on its own clock) an answer belongs to.

import type { Micros } from '../../engine/types.ts';
import type { Grant, LockReply } from '../common/lock-table.ts';

export type LockRequest =
  /** `open`: this copy may open the session; retries send false so they never resurrect an expired one. */
  | { type: 'acquire'; req: number; session: string; lock: string; ttl: Micros; wait: boolean; open: boolean }
  | { type: 'keepalive'; req: number; session: string; ttl: Micros }
  | { type: 'release'; req: number; session: string; lock: string; token?: number };

/** Server -> client. `serverTime` is the server's clock when it decided (for the checkers and the viewer). */
export type LockServerMessage =
  | { type: 'lock-reply'; req: number; session: string; reply: LockReply; serverTime: Micros }
  /** A waiter was granted the lock when it freed (FIFO hand-over). */
  | { type: 'granted'; grant: Grant; serverTime: Micros };

/** Client -> resource: a write inside a critical section. `token` is null when the recipe has no fencing. */
export interface ResourceWrite {
  type: 'write';
  lock: string;
  client: string;
  /** Identifies one holding of the lock (session and token, or the Redis random value). */
  tenure: string;
  token: number | null;
  seq: number;
  /**
   * The write's place in its client's requests (the client's request counter, which grows across
   * its sessions and, through the incarnation it keeps on disk, across its restarts): the resource
   * keeps one entry per client, not one per tenure, and drops any copy not newer than it.
   */
  order: number;
  value: string;
}

/** Resource -> client. `dup` marks the answer to a retransmitted write that was applied before. */
export interface ResourceAck {
  type: 'write-ack';
  lock: string;
  client: string;
  tenure: string;
  token: number | null;
  seq: number;
  ok: boolean;
  dup: boolean;
  highestToken: number;
}

export type LockMessage = LockRequest | LockServerMessage | ResourceWrite | ResourceAck;

/** The client node that owns a session: sessions are named "<client>/<tag>". */
export function sessionOwner(session: string): string {
  const slash = session.indexOf('/');
  return slash < 0 ? session : session.slice(0, slash);
}

/** Every grant a server message carries (a granted reply or a hand-over notification). */
export function grantsIn(msg: LockMessage): Grant[] {
  if (msg.type === 'granted') return [msg.grant];
  if (msg.type === 'lock-reply' && msg.reply.kind === 'granted') return [msg.reply.grant];
  return [];
}
