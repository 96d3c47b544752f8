// What a Raft server publishes for the viewer and checkers (the contract in
// docs/architecture.md, "Published state shapes").

export interface RaftServerState {
  role: 'follower' | 'candidate' | 'leader';
  term: number;
  votedFor: string | null;
  leader: string | null;
  commitIndex: number;
  lastApplied: number;
  snapshotIndex: number;
  /** Index of log[0]: the entries published are the last (at most) 64. */
  logStart: number;
  log: { term: number; cmd: string }[];
}

/** Most entries a server publishes. */
export const PUBLISHED_LOG_ENTRIES = 64;
