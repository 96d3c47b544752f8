// What the Redis/Redlock nodes publish (io.publish), for the viewer, roles,
// coverage and checkers. Small on purpose: it is the viewer's panel.

import type { Micros } from '../../api/index.ts';

/** One key on a master: the random value of the client that set it and its expiry on the master's clock (null: no expiry). */
export interface RedisKey {
  value: string;
  expiresAt: Micros | null;
}

/** A Redis-like master: its keys, whether it serves requests (false during the restart delay) and its per-key SET counter. */
export interface MasterState {
  keys: Record<string, RedisKey>;
  available: boolean;
  /** Successful SET NX so far per key since the master's last start (volatile, like its keys). */
  sets: Record<string, number>;
}

export type ClientPhase = 'idle' | 'acquiring' | 'holding';

/** A client: what it believes. `deadline` is on its own clock (T1 + validity); `token` only with fencing. */
export interface RedlockClientState {
  phase: ClientPhase;
  /** The random value of the current attempt or holding (`c1:3`): the lock's identity. */
  value: string | null;
  /** Masters that answered OK to the current attempt or holding. */
  masters: string[];
  deadline: Micros | null;
  token: number | null;
  acquired: number;
}

/** The protected resource: highest fencing token accepted (0 without fencing) and write counts. */
export interface RedlockResourceState {
  highestToken: number;
  accepted: number;
  rejected: number;
}
