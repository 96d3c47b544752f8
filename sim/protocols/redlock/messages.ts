// Messages between Redlock clients, Redis-like masters and the protected resource.
// Commands follow the Redis docs: `SET key value NX PX ttl` (set if absent, with an
// expiry in ms; here µs), `PEXPIRE key ttl`, and the release script
// `if redis.call("get",KEYS[1]) == ARGV[1] then return redis.call("del",KEYS[1]) end`
// (compare-and-delete), or a plain `DEL` (the planted bug).

import type { Message } from '../../api/index.ts';

/** SET key value NX [PX px]: px null is a SET without expiry (the set-then-expire bug's first command). */
export interface SetCmd extends Message {
  type: 'set';
  key: string;
  value: string;
  px: number | null;
}
export interface SetReply extends Message {
  type: 'set-reply';
  key: string;
  value: string;
  ok: boolean;
  /** The master's count of successful SET NX on this key since it started (what a naive "Redlock token" is made of). */
  sets: number;
}
export interface PExpireCmd extends Message {
  type: 'pexpire';
  key: string;
  px: number;
}
/** Release: compare-and-delete of `value`, or with `plain` an unconditional DEL. */
export interface UnlockCmd extends Message {
  type: 'unlock';
  key: string;
  value: string;
  plain: boolean;
}
export interface ResourceWrite extends Message {
  type: 'write';
  client: string;
  /** The holding's identity (the lock value). */
  tenure: string;
  token: number | null;
  seq: number;
}
export interface ResourceAck extends Message {
  type: 'write-ack';
  client: string;
  tenure: string;
  token: number | null;
  seq: number;
  ok: boolean;
  dup: boolean;
}

export type RedlockMessage = SetCmd | SetReply | PExpireCmd | UnlockCmd | ResourceWrite | ResourceAck;
