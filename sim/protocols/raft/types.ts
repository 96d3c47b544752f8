// Raft's wire messages and log entries (Figure 2 of Ongaro and Ousterhout,
// "In Search of an Understandable Consensus Algorithm", extended version), plus
// the client messages of section 8. Plain JSON data: everything here crosses
// the simulated network or goes to the simulated disk.

import type { JsonValue, Message } from '../../api/index.ts';

export type NodeId = string;

/** A command the replicated state machine applies. `noop` is the entry a new leader commits first (section 8). */
export type Command =
  | { kind: 'noop' }
  /** A client command with its session (section 8: client id + sequence number, so a retried command is applied once). */
  | { kind: 'client'; client: string; seq: number; op: JsonValue };

/** One log entry. Entries are immutable once created: the code never mutates one in place. */
export interface Entry {
  readonly term: number;
  readonly cmd: Command;
}

/** Figure 2, RequestVote RPC (and its PreVote twin, section 9.6 of Ongaro's thesis, when `pre`). */
export interface VoteRequest extends Message {
  type: 'vote-req';
  term: number;
  candidate: NodeId;
  lastLogIndex: number;
  lastLogTerm: number;
  pre: boolean;
}

export interface VoteResponse extends Message {
  type: 'vote-resp';
  /** For a PreVote: the term the pre-candidate asked about (when granted) or the voter's term. */
  term: number;
  granted: boolean;
  pre: boolean;
}

/** Figure 2, AppendEntries RPC. `round` identifies a heartbeat round (ReadIndex and quorum checks). */
export interface AppendRequest extends Message {
  type: 'append-req';
  term: number;
  leader: NodeId;
  prevLogIndex: number;
  prevLogTerm: number;
  entries: Entry[];
  leaderCommit: number;
  round: number;
}

export interface AppendResponse extends Message {
  type: 'append-resp';
  term: number;
  success: boolean;
  /** On success: the index of the last entry known to match the leader's log. */
  matchIndex: number;
  /** On failure (end of section 5.3): the term of the conflicting entry (0: the log is too short) and the first index of that term. */
  conflictTerm: number;
  conflictIndex: number;
  round: number;
}

/** Figure 13, InstallSnapshot RPC, sent in one piece (no chunking: `offset` and `done` are implicit). */
export interface SnapshotRequest extends Message {
  type: 'snapshot-req';
  term: number;
  leader: NodeId;
  lastIncludedIndex: number;
  lastIncludedTerm: number;
  /** Digest of the term sequence up to lastIncludedIndex (see log.ts); lets checkers compare compacted prefixes. */
  lastIncludedChain: number;
  data: JsonValue;
  round: number;
}

export interface SnapshotResponse extends Message {
  type: 'snapshot-resp';
  term: number;
  matchIndex: number;
  round: number;
}

export type RaftMessage = VoteRequest | VoteResponse | AppendRequest | AppendResponse | SnapshotRequest | SnapshotResponse;

/** Section 8: a client request, retried with the same (client, seq) until it gets an answer. */
export interface ClientRequest extends Message {
  type: 'client-req';
  client: string;
  seq: number;
  op: JsonValue;
}

/** The answer: `ok` with the result, or a redirection to the leader the server believes in (null: unknown). */
export interface ClientReply extends Message {
  type: 'client-reply';
  seq: number;
  ok: boolean;
  result?: JsonValue;
  leaderHint?: NodeId | null;
}

export type ServerMessage = RaftMessage | ClientRequest | ClientReply;
