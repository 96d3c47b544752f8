// What a Raft server publishes for the viewer, coverage, fault targets and
// checkers (the contract in docs/architecture.md, "Published state shapes").
// Fields are only ever added, never renamed or removed.

export type RaftServerState = {
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
  /** Index of the last log entry (snapshotIndex when the log after the snapshot is empty). */
  lastIndex: number;
  /** Term of the entry at snapshotIndex (0 without a snapshot). */
  snapshotTerm: number;
  /** First index of `entries` (lastIndex + 1 when `entries` is empty). */
  logFrom: number;
  /**
   * Terms of the entries logFrom..lastIndex: every entry written (appended, or rewritten after a
   * truncation) since this server's previous publish; on the first publish after a start or a
   * restart, the whole log after the snapshot. Checkers rebuild each server's log from these
   * (sim/protocols/raft/checkers.ts) instead of reading the live node.
   */
  entries: number[];
};

/** Most entries a server publishes in `log`. */
export const PUBLISHED_LOG_ENTRIES = 64;
