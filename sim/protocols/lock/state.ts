// What the lock service's nodes publish (io.publish), for the viewer, coverage,
// roles and triggers. Type aliases, not interfaces, so that they are JSON values. The shapes are the contract in docs/architecture.md
// ("Published state shapes"); the viewer's lock panels read exactly these.

import type { Micros } from '../../api/index.ts';

/** Lock server: the lock table. `expiresAt` is on the server's clock (0 when free). */
// The lock server's published state is the lock table's (sim/protocols/common/lock-table.ts).
export type { LockServerState } from '../common/lock-table.ts';

export type LockRecipe = 'fencing' | 'redis';

/** Lock client: what it believes. `deadline` is on the client's own clock: it stops trusting the lock there. */
export type LockClientState = {
  lock: string;
  holding: boolean;
  token: number | null;
  deadline: Micros | null;
  recipe: LockRecipe;
};

/** Protected resource (a storage service): the highest fencing token it accepted and its write counts. */
export type LockResourceState = {
  highestToken: number;
  accepted: number;
  rejected: number;
};
