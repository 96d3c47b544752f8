// What the ZooKeeper-style nodes publish: each server's Raft state (RaftServerState)
// with its data tree's lock queue, sessions and zxid added (the viewer's panel),
// each client's view, the resource's counts.

import type { RaftServerState } from '../raft/public.ts';

/** What a server publishes: Raft's state plus the tree's (`ZkServerState`). */
export type ZkServerPublished = RaftServerState & ZkServerState;

export interface ZkServerState {
  sessions: string[];
  /** Children of /lock in sequence-number order (the lock queue), with their owning session. */
  queue: { name: string; owner: string | null }[];
  /** The zxid of the tree's last change (a Raft log index). */
  zxid: number;
}

export type ZkClientPhase = 'connecting' | 'creating' | 'listing' | 'waiting' | 'holding' | 'releasing' | 'idle';

export interface ZkClientState {
  phase: ZkClientPhase;
  session: string | null;
  /** Our lock znode's name, if we know it. */
  node: string | null;
  /** The znode we watch (the predecessor), if waiting. */
  watching: string | null;
  token: number | null;
  acquired: number;
}

export interface ZkResourceState {
  highestToken: number;
  accepted: number;
  rejected: number;
}
