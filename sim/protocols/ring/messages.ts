// Messages of the ring cluster. Everything is plain JSON (the engine clones
// it at the boundary). Reliable messages carry an `rid` and are re-sent by
// the sender's Outbox until an `ack` with the same rid comes back.

import type { Member } from './ring.ts';

/** A ring as it travels: its version and its members in order (a type alias: a JSON value, stored on disks). */
export type RingView = {
  version: number;
  members: Member[];
};

/** Coordinator -> server: adopt `ring`; `prev` is the ring it replaces (reliable). */
export interface RingUpdate {
  type: 'ring-update';
  rid: string;
  ring: RingView;
  prev: RingView;
}

/** Coordinator -> server: every member of the old and new ring adopted `version`; writes under it may be acknowledged (reliable). */
export interface RingActive {
  type: 'ring-active';
  rid: string;
  version: number;
}

/** Server -> server: keys this node holds that the receiver now owns under `version` (reliable). */
export interface Handoff {
  type: 'handoff';
  rid: string;
  version: number;
  entries: [string, string[]][];
}

/** Server -> servers and coordinator: all of my hand-offs for `version` are acknowledged (reliable). */
export interface HandoffDone {
  type: 'handoff-done';
  rid: string;
  version: number;
}

export interface Ack {
  type: 'ack';
  rid: string;
}

/** Client -> server: one attempt of an operation, routed by the client's ring version `rv`. */
export interface ClientRequest {
  type: 'req';
  id: string;
  op: 'add' | 'read';
  key: string;
  element?: string;
  rv: number;
}

/** Server -> client. */
export type ClientReply =
  | { type: 'res'; id: string; elements?: string[] }
  /** The client's ring is older than the server's: here is the newer one, route again. */
  | { type: 'redirect'; id: string; ring: RingView }
  /** Not now (the server's ring is behind, a hand-off is in progress, or a replica refused): try again later. */
  | { type: 'retry'; id: string; reason: string };

/** Write coordinator -> replica: add `element` to `key` under ring version `rv` (reliable: re-sent until the replica answers). */
export interface Replicate {
  type: 'replicate';
  rid: string;
  wid: string;
  key: string;
  element: string;
  rv: number;
}

export type ReplicaReply =
  | { type: 'replicated'; wid: string; rid: string }
  /** The replica has a newer ring: the write is refused (fencing), and the coordinator learns the ring. */
  | { type: 'reject'; wid: string; rid: string; ring: RingView };

/** Read coordinator -> the other replicas, when reads need more than one copy (W < N). */
export interface Fetch {
  type: 'fetch';
  fid: string;
  key: string;
  rv: number;
}

/** ok is false when the replica runs another ring or is still waiting for the key's hand-off. */
export interface Fetched {
  type: 'fetched';
  fid: string;
  ok: boolean;
  elements?: string[];
}

export type RingMessage = RingUpdate | RingActive | Handoff | HandoffDone | Ack | ClientRequest | ClientReply | Replicate | ReplicaReply | Fetch | Fetched;
