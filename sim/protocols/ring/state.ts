// What the ring cluster's nodes publish (io.publish), for the viewer, coverage,
// roles and triggers. Type aliases, not interfaces, so that they are JSON values. The viewer recomputes placement from `members` with the pure ring
// library (ring.ts) in the cluster's mode.

import type { Member } from './ring.ts';

/** A storage node (role "server"). */
export type RingServerState = {
  /** Version of the ring this node acts on. */
  ringVersion: number;
  /** Members of that ring, in ring order, with weights. */
  members: Member[];
  /** Keys stored on this node. */
  keys: number;
  /** Hand-offs not yet acknowledged, by target node. */
  migrating: { to: string; keys: number }[];
};

/** The membership coordinator (role "coordinator"). */
export type RingCoordinatorState = {
  ringVersion: number;
  members: Member[];
  /** True once every member of the previous and the current ring reported its hand-off done. */
  settled: boolean;
  /** Nodes whose hand-off for ringVersion is still outstanding. */
  waitingFor: string[];
  /** Membership changes queued behind the current one. */
  queued: number;
};
