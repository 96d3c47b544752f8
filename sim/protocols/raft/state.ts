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
  /**
   * The state machine's apply digest at lastApplied (machine.ts `ReplicatedMachine.digest`: a chain
   * over each applied entry's command, session outcome and answer; carried by snapshots). Replicas
   * that applied the same index must agree on it (rules-state.ts). Absent from hand-built states.
   */
  appliedDigest?: number;
  /**
   * Present only on a publish whose step took or restored a snapshot (section 7: compaction, a
   * restart from the snapshot on disk, InstallSnapshot): the state digest (machine.ts
   * `ReplicatedMachine.stateDigest`: service state and client sessions, 32 bits) the state machine
   * had at the snapshot's index, `restored` when it was rebuilt from a snapshot. The snapshot-fidelity
   * rule (rules-state.ts) compares them.
   */
  checkpoints?: StateCheckpoint[];
  /** A leader's matchIndex per peer (Figure 2, volatile state on leaders); absent on other roles (rules-state.ts). */
  matchIndex?: Record<string, number>;
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
  /**
   * The read-only requests this server answered without the log since its previous publish (at
   * most PUBLISHED_READS, the latest), present only when there are some: what the read-index rule
   * (rules.ts) checks against the thesis's ReadIndex steps. Absent with `reads: 'log'`.
   */
  reads?: ServedRead[];
};

/** The state machine's digest at a snapshot point (see `RaftServerState.checkpoints`). */
export type StateCheckpoint = {
  /** The snapshot's last included index (the machine had applied up to it). */
  index: number;
  /** `stateDigest()` of the machine there. */
  digest: number;
  /** True: the machine was just restored from a snapshot (restart or InstallSnapshot); false: it took one. */
  restored: boolean;
};

/** One read answered without the log (ReadIndex, Ongaro's thesis section 6.4), as the server recorded it. */
export type ServedRead = {
  /** The server's currentTerm when the read arrived (it led that term then). */
  term: number;
  /** Its commitIndex when the read arrived. */
  commitAtReceipt: number;
  /** Its heartbeat round counter when the read arrived. */
  roundAtReceipt: number;
  /** The read index: the commitIndex recorded for the read (step 1), which the answer must reflect. */
  readIndex: number;
  /** The heartbeat round whose acknowledgements confirmed leadership for the read (step 2); 0: none. */
  round: number;
  /** The servers counted as confirming it (itself included), each with the round its acknowledgement answered. */
  acks: { server: string; round: number }[];
  /** lastApplied when the answer was sent (step 4: at least readIndex). */
  applied: number;
};

/** Most served reads one publish carries (a step answers at most one read per client). */
export const PUBLISHED_READS = 64;

/** Most entries a server publishes in `log`. */
export const PUBLISHED_LOG_ENTRIES = 64;
