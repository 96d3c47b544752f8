// What the ZooKeeper-style nodes publish: the server's lock queue and sessions
// (the viewer's panel), each client's view, the resource's counts.

export interface ZkServerState {
  sessions: string[];
  /** Children of /lock in sequence-number order (the lock queue), with their owning session. */
  queue: { name: string; owner: string | null }[];
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
