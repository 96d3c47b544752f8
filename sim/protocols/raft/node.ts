// A pure Raft server: the rules of Figure 2 (and Figure 13 for snapshots) of
// "In Search of an Understandable Consensus Algorithm (Extended Version)",
// Ongaro and Ousterhout 2014. Like etcd-io/raft it knows nothing of the engine:
// a message, a timer or a proposal goes in (with the local time), and ready()
// hands back what must be persisted (before sending), sent and applied, and
// which timers to arm. The engine adapter is server.ts.

import { assert, getOrFail, atOrFail, type JsonValue, type Micros } from '../../api/index.ts';
import { RaftLog } from './log.ts';
import type {
  AppendRequest,
  AppendResponse,
  Command,
  Entry,
  NodeId,
  RaftMessage,
  SnapshotRequest,
  SnapshotResponse,
  VoteRequest,
  VoteResponse,
} from './types.ts';

export type Role = 'follower' | 'candidate' | 'leader';

/** Planted bugs, all off by default; each must be caught by a checker (see checkers.ts and test/raft). */
export interface RaftBugs {
  /** RequestVote without the "at least as up-to-date" check of section 5.4.1. */
  voteWithoutUpToDateCheck: boolean;
  /** Commit an entry of a previous term by counting replicas (what section 5.4.2 / Figure 8 forbids). */
  commitPreviousTermByCounting: boolean;
  /** Do not persist votedFor: a restarted server may vote twice in one term. */
  notPersistingVotedFor: boolean;
  /** Apply entries as soon as they are in the log, before they are committed. */
  applyBeforeCommit: boolean;
  /** On a conflict, overwrite the conflicting entry but keep the ones after it (Figure 2, AppendEntries rule 3 says delete them). */
  noTruncateOnConflict: boolean;
  /** A server that believes it leads answers reads from its own state machine, without the log or a ReadIndex round (section 8 forbids it). */
  leaderReadsWithoutQuorum: boolean;
  /** A leader told of a conflict truncates its own log to the follower's (mixing up the two sides of AppendEntries rule 3). */
  leaderTruncatesOnConflict: boolean;
  /** A candidate does not re-arm its election timer, so a split vote is never retried (section 5.2 says: time out and start a new election). */
  candidateNeverRetries: boolean;
  /** A server does not answer a retried command that it already applied (the reply to the first attempt was lost). */
  ignoreAnsweredRetries: boolean;
  /**
   * A server silently drops a PreVote request whose term is not above its own, instead of rejecting
   * it with its term (etcd-io/raft: "the cluster may deadlock if we drop messages with a lower term"):
   * a server with a higher term but a stale log then blocks every election.
   */
  preVoteDropsLowerTerm: boolean;
  /**
   * A follower drops every entry after the last one an AppendEntries carries, even when they all
   * matched (Figure 2, AppendEntries rule 3 truncates only on a conflict): a stale or duplicate
   * AppendEntries then erases entries it already acknowledged, which the leader may have counted to commit.
   */
  truncateOnMatchingAppend: boolean;
  /**
   * A higher term learned from a message is not written to disk (only votes and campaigns write
   * currentTerm): after a restart the server is back in an older term (Figure 2: currentTerm is persistent).
   */
  notPersistingTerm: boolean;
  /** A candidate becomes leader with one vote fewer than a majority: with 4 or more servers, two leaders of a term become possible. */
  electionQuorumOffByOne: boolean;
  /**
   * A leader takes a success AppendEntries reply of an earlier term of its own (a late answer to its
   * previous leadership) as one of its current term: the matchIndex it counts may name entries the
   * follower has since replaced (Figure 2 counts only replies of currentTerm; raft.tla DropStaleResponse).
   */
  staleAppendReplyCounted: boolean;
  /**
   * A follower installing a leader's snapshot (InstallSnapshot) restores the state machine without its
   * client session table (a restart from its own snapshot keeps it): a retry of a command applied before
   * the snapshot is applied again on it (thesis section 6.3: sessions are replicated state).
   */
  installDropsSessions: boolean;
}

export const NO_BUGS: RaftBugs = {
  voteWithoutUpToDateCheck: false,
  commitPreviousTermByCounting: false,
  notPersistingVotedFor: false,
  applyBeforeCommit: false,
  noTruncateOnConflict: false,
  leaderReadsWithoutQuorum: false,
  leaderTruncatesOnConflict: false,
  candidateNeverRetries: false,
  ignoreAnsweredRetries: false,
  preVoteDropsLowerTerm: false,
  truncateOnMatchingAppend: false,
  notPersistingTerm: false,
  electionQuorumOffByOne: false,
  staleAppendReplyCounted: false,
  installDropsSessions: false,
};

export interface RaftOptions {
  id: NodeId;
  /** Every server of the cluster, self included, in a fixed order. */
  servers: readonly NodeId[];
  electionTimeoutMin: Micros;
  electionTimeoutMax: Micros;
  heartbeat: Micros;
  /** PreVote (Ongaro's thesis, section 9.6): ask whether an election could win before disrupting the cluster. */
  preVote: boolean;
  /** A leader that has not heard from a majority for an election timeout steps down (thesis, section 6.2). */
  checkQuorum: boolean;
  /** Most entries in one AppendEntries. */
  maxBatch: number;
  bugs: RaftBugs;
}

export interface Snapshot {
  index: number;
  term: number;
  chain: number;
  data: JsonValue;
}

/** What the caller must do after a step, in this order: persist, then send, then apply. */
export interface Ready {
  /** currentTerm or votedFor changed: write and fsync them before sending anything. */
  hardState: boolean;
  /** Lowest log index written since the last ready (entries from it to the end must be written); undefined: none. */
  logFrom: number | undefined;
  /** A new snapshot to persist; `install` when it came from the leader and replaces the state machine. */
  snapshot: (Snapshot & { install: boolean }) | undefined;
  messages: { to: NodeId; msg: RaftMessage }[];
  /** Entries to apply to the state machine, in order. */
  apply: { index: number; entry: Entry }[];
  /**
   * ReadIndex (thesis, section 6.4): reads confirmed by a quorum, to serve once lastApplied >= index;
   * `round` is the heartbeat round started for the read and `acks` the servers counted as confirming
   * it, each with the round its acknowledgement answered, published for the
   * read-index rule (rules.ts).
   */
  reads: { id: number; index: number; round: number; acks: { server: NodeId; round: number }[] }[];
  /** Timers to (re-)arm, with their delay on the local clock. */
  timers: { name: 'election' | 'heartbeat'; delay: Micros }[];
  /** Something the viewer shows changed (role, term, vote, leader, log, commit). */
  changed: boolean;
  /** Human notes for the trace (elections, step-downs). */
  notes: string[];
}

function emptyReady(): Ready {
  return { hardState: false, logFrom: undefined, snapshot: undefined, messages: [], apply: [], reads: [], timers: [], changed: false, notes: [] };
}

interface PendingRead {
  id: number;
  index: number;
  round: number;
  /** The servers counted as confirming the read (itself included), each with the round its acknowledgement answered (what the read-index rule is shown). */
  acked: Map<NodeId, number>;
}

export class RaftNode {
  // Figure 2, "Persistent state on all servers".
  currentTerm = 0;
  votedFor: NodeId | null = null;
  readonly log = new RaftLog();
  // Figure 2, "Volatile state on all servers".
  role: Role = 'follower';
  leaderId: NodeId | null = null;
  commitIndex = 0;
  lastApplied = 0;
  /** PreVote phase: still a follower, asking whether it could win. */
  preCandidate = false;
  // Figure 2, "Volatile state on leaders".
  readonly nextIndex = new Map<NodeId, number>();
  readonly matchIndex = new Map<NodeId, number>();
  /** Peers sent entries (or a snapshot) not yet answered: new proposals wait for the answer instead of resending them. */
  private readonly inflight = new Map<NodeId, boolean>();

  private readonly peers: NodeId[];
  private readonly quorum: number;
  /** Strict self-checks of paper guarantees; off when a planted bug is on, so that its checker (not an assertion) catches it. */
  private readonly paranoid: boolean;
  private votes = new Set<NodeId>();
  /** Peers that answered this election's RequestVote (granted or not): no retry for them. */
  private responded = new Set<NodeId>();
  private lastAck = new Map<NodeId, Micros>();
  private lastLeaderContact = -Infinity;
  private round = 0;
  private pendingReads: PendingRead[] = [];
  private deferredReads: number[] = [];
  private snapshotData: JsonValue = null;
  private out: Ready = emptyReady();

  constructor(
    readonly opts: RaftOptions,
    /** Uniform integer in [lo, hi): the node's own seeded stream. */
    private readonly random: (lo: number, hi: number) => number,
  ) {
    assert(opts.servers.includes(opts.id), `${opts.id} is not one of the servers ${opts.servers.join(',')}`);
    assert(opts.electionTimeoutMin > opts.heartbeat, 'the election timeout must be longer than the heartbeat');
    assert(opts.electionTimeoutMax >= opts.electionTimeoutMin, 'electionTimeoutMax < electionTimeoutMin');
    this.peers = opts.servers.filter((s) => s !== opts.id);
    this.quorum = Math.floor(opts.servers.length / 2) + 1;
    this.paranoid = !Object.values(opts.bugs).some(Boolean);
  }

  get id(): NodeId {
    return this.opts.id;
  }

  /** Restart from disk alone: the persistent state of Figure 2 plus the latest snapshot (section 7). */
  restore(state: { term: number; votedFor: NodeId | null; snapshot: Snapshot | undefined; entries: Entry[] }): void {
    this.currentTerm = state.term;
    this.votedFor = state.votedFor;
    if (state.snapshot) {
      this.log.installSnapshot(state.snapshot.index, state.snapshot.term, state.snapshot.chain);
      this.snapshotData = state.snapshot.data;
      this.commitIndex = state.snapshot.index;
      this.lastApplied = state.snapshot.index;
    }
    for (const e of state.entries) this.log.append(e);
  }

  /** Start (or restart) as a follower with a fresh randomized election timeout. */
  start(): void {
    this.resetElectionTimer();
    this.out.changed = true;
  }

  /** Drain what the caller must do now. */
  ready(): Ready {
    const r = this.out;
    this.out = emptyReady();
    return r;
  }

  /** The leader's heartbeat round counter (each AppendEntries carries it; ReadIndex waits for a later round's acknowledgements). */
  get heartbeatRound(): number {
    return this.round;
  }

  isLeader(): boolean {
    return this.role === 'leader';
  }

  /** The latest snapshot's state machine data (null before the first snapshot). */
  get snapshot(): JsonValue {
    return this.snapshotData;
  }

  // ------------------------------------------------------------ inputs

  step(now: Micros, from: NodeId, msg: RaftMessage): void {
    switch (msg.type) {
      case 'vote-req':
        this.onVoteRequest(now, from, msg);
        break;
      case 'vote-resp':
        this.onVoteResponse(now, from, msg);
        break;
      case 'append-req':
        this.onAppendRequest(now, from, msg);
        break;
      case 'append-resp':
        this.onAppendResponse(now, from, msg);
        break;
      case 'snapshot-req':
        this.onSnapshotRequest(now, from, msg);
        break;
      case 'snapshot-resp':
        this.onSnapshotResponse(now, from, msg);
        break;
    }
    this.applyCommitted();
  }

  tick(now: Micros, timer: 'election' | 'heartbeat'): void {
    if (timer === 'heartbeat') {
      if (this.role === 'candidate' || this.preCandidate) return this.retryVoteRequests();
      if (this.role !== 'leader') return;
      // Figure 2, Rules for Servers, Leaders, rule 1: empty AppendEntries (heartbeats) during idle periods.
      this.round++;
      this.broadcastAppend();
      this.out.timers.push({ name: 'heartbeat', delay: this.opts.heartbeat });
      return;
    }
    if (this.role === 'leader') {
      this.checkQuorum(now);
      return;
    }
    // Figure 2, Rules for Servers, Followers, rule 2 and Candidates, rule 4: election timeout elapses, start an election.
    if (this.opts.preVote) this.campaignPre();
    else this.campaign();
    this.applyCommitted();
  }

  /** Section 8: a leader appends a client command to its log; returns its index, or undefined when not the leader. */
  propose(cmd: Command): number | undefined {
    if (this.role !== 'leader') return undefined;
    const index = this.appendLocal({ term: this.currentTerm, cmd });
    // Peers with entries in flight get this one with the next batch, when they answer (or at the next heartbeat).
    for (const p of this.peers) if (!this.inflight.get(p)) this.sendAppend(p);
    this.advanceCommit(); // a single-server cluster commits at once
    this.applyCommitted();
    return index;
  }

  /**
   * ReadIndex (thesis, section 6.4): remember the commit index, confirm leadership
   * with a heartbeat round acknowledged by a majority, then the read may be served
   * once the state machine has applied up to that index. Returns false when not the leader.
   */
  readIndex(id: number): boolean {
    if (this.role !== 'leader') return false;
    // Section 8: until an entry of its own term is committed, a new leader does not know the commit index.
    if (this.log.term(this.commitIndex) !== this.currentTerm) {
      this.deferredReads.push(id);
      return true;
    }
    this.startReadRound([id]);
    return true;
  }

  /** Section 7: the state machine has a snapshot covering entries up to `index`; discard them from the log. */
  compact(index: number, data: JsonValue): void {
    assert(index <= this.lastApplied, () => `snapshot at ${index} beyond lastApplied ${this.lastApplied}`);
    if (index <= this.log.snapshotIndex) return;
    this.log.compact(index);
    this.snapshotData = data;
    this.out.snapshot = { index, term: this.log.snapshotTerm, chain: this.log.snapshotChain, data, install: false };
    this.out.changed = true;
  }

  // ------------------------------------------------------------ elections (section 5.2)

  private resetElectionTimer(): void {
    this.out.timers.push({ name: 'election', delay: this.random(this.opts.electionTimeoutMin, this.opts.electionTimeoutMax + 1) });
  }

  /** Figure 2, Rules for Servers, All Servers, rule 2: a higher term makes any server a follower. */
  private becomeFollower(term: number, leader: NodeId | null): void {
    if (term > this.currentTerm) {
      this.currentTerm = term;
      this.votedFor = null;
      if (!this.opts.bugs.notPersistingTerm) this.out.hardState = true;
    }
    if (this.role === 'leader') {
      this.out.notes.push(`steps down in term ${this.currentTerm}`);
      // Figure 2, Followers, rule 2 needs a running election timer. With check-quorum the leader's
      // quorum timer is it; without, a leader had none (found by quorum-elects-leader: a deposed
      // leader waited for ever behind a stale candidate; scenarios/raft-stepdown-keeps-timer.ts).
      if (!this.opts.checkQuorum) this.resetElectionTimer();
    }
    this.role = 'follower';
    this.preCandidate = false;
    this.leaderId = leader;
    this.pendingReads = [];
    this.deferredReads = [];
    this.out.changed = true;
  }

  private campaignPre(): void {
    this.preCandidate = true;
    this.leaderId = null;
    this.votes = new Set([this.id]);
    this.responded = new Set();
    this.resetElectionTimer();
    this.out.timers.push({ name: 'heartbeat', delay: this.opts.heartbeat });
    if (this.votes.size >= this.quorum) return this.campaign();
    for (const p of this.peers) {
      this.send(p, { type: 'vote-req', term: this.currentTerm + 1, candidate: this.id, lastLogIndex: this.log.lastIndex(), lastLogTerm: this.log.lastTerm(), pre: true });
    }
  }

  /** Section 5.1: "servers retry RPCs if they do not receive a response in a timely manner". */
  private retryVoteRequests(): void {
    const pre = this.preCandidate;
    const term = pre ? this.currentTerm + 1 : this.currentTerm;
    for (const p of this.peers) {
      if (this.responded.has(p)) continue;
      this.send(p, { type: 'vote-req', term, candidate: this.id, lastLogIndex: this.log.lastIndex(), lastLogTerm: this.log.lastTerm(), pre });
    }
    this.out.timers.push({ name: 'heartbeat', delay: this.opts.heartbeat });
  }

  /** Figure 2, Rules for Servers, Candidates, rule 1: increment currentTerm, vote for self, reset the timer, send RequestVote. */
  private campaign(): void {
    this.preCandidate = false;
    this.role = 'candidate';
    this.currentTerm++;
    this.votedFor = this.id;
    this.leaderId = null;
    this.out.hardState = true;
    this.out.changed = true;
    this.votes = new Set([this.id]);
    this.responded = new Set();
    if (!this.opts.bugs.candidateNeverRetries) this.resetElectionTimer();
    this.out.timers.push({ name: 'heartbeat', delay: this.opts.heartbeat });
    if (this.votes.size >= this.quorum) return this.becomeLeader();
    for (const p of this.peers) {
      this.send(p, { type: 'vote-req', term: this.currentTerm, candidate: this.id, lastLogIndex: this.log.lastIndex(), lastLogTerm: this.log.lastTerm(), pre: false });
    }
  }

  /** Section 5.4.1: the candidate's log is at least as up-to-date as ours (last term, then length). */
  private candidateUpToDate(m: VoteRequest): boolean {
    if (this.opts.bugs.voteWithoutUpToDateCheck) return true;
    const lastTerm = this.log.lastTerm();
    return m.lastLogTerm > lastTerm || (m.lastLogTerm === lastTerm && m.lastLogIndex >= this.log.lastIndex());
  }

  private onVoteRequest(now: Micros, from: NodeId, m: VoteRequest): void {
    if (m.pre) {
      if (this.opts.bugs.preVoteDropsLowerTerm && m.term <= this.currentTerm) return; // the planted bug: no answer, so the asker never learns our term
      // PreVote: grant without changing any state when the real election could be granted,
      // and only if no leader was heard from within the minimum election timeout. A rejection
      // carries our term: an asker behind it adopts it (else a server with a higher term and a
      // stale log could block every election, the PreVote deadlock etcd-io/raft fixed).
      const leaderAlive = this.role === 'leader' || (this.leaderId !== null && now - this.lastLeaderContact < this.opts.electionTimeoutMin);
      const granted = m.term > this.currentTerm && !leaderAlive && this.candidateUpToDate(m);
      this.send(from, { type: 'vote-resp', term: granted ? m.term : this.currentTerm, granted, pre: true });
      return;
    }
    if (m.term > this.currentTerm) this.becomeFollower(m.term, null);
    // RequestVote RPC, receiver implementation, rule 1: reply false if term < currentTerm.
    // Rule 2: if votedFor is null or candidateId, and the candidate's log is at least as up-to-date, grant the vote.
    const granted = m.term === this.currentTerm && (this.votedFor === null || this.votedFor === m.candidate) && this.candidateUpToDate(m);
    if (granted) {
      if (this.votedFor !== m.candidate) {
        this.votedFor = m.candidate;
        this.out.hardState = true; // persisted (and fsynced) before the reply is sent
        this.out.changed = true;
      }
      // Rules for Servers, Followers, rule 2: granting a vote resets the election timer.
      this.resetElectionTimer();
    }
    this.send(from, { type: 'vote-resp', term: this.currentTerm, granted, pre: false });
  }

  private onVoteResponse(_now: Micros, from: NodeId, m: VoteResponse): void {
    if (m.pre) {
      if (!m.granted && m.term > this.currentTerm) return this.becomeFollower(m.term, null);
      if (!this.preCandidate || m.term !== this.currentTerm + 1) return;
      this.responded.add(from);
      if (!m.granted) return;
      this.votes.add(from);
      if (this.votes.size >= this.quorum) this.campaign();
      return;
    }
    if (m.term > this.currentTerm) return this.becomeFollower(m.term, null);
    // A candidate whose election timed out runs PreVote for the next term with `votes` holding that
    // round's pre-votes and its term unchanged: a late grant of its abandoned election must not be
    // added to them (a pre-vote is not a vote; etcd-io/raft counts only the response type of its
    // current role, stepCandidate's myVoteRespType). Found by leader-has-vote-quorum:
    // scenarios/raft-prevote-late-grant.json.
    if (this.role !== 'candidate' || this.preCandidate || m.term !== this.currentTerm) return;
    this.responded.add(from);
    if (!m.granted) return;
    this.votes.add(from);
    // Rules for Servers, Candidates, rule 2: votes from a majority make it leader.
    if (this.votes.size >= this.quorum - (this.opts.bugs.electionQuorumOffByOne ? 1 : 0)) this.becomeLeader();
  }

  private becomeLeader(): void {
    if (this.paranoid) assert(this.votedFor === this.id, `${this.id} leads term ${this.currentTerm} without voting for itself`);
    this.role = 'leader';
    this.preCandidate = false;
    this.leaderId = this.id;
    this.out.changed = true;
    this.out.notes.push(`becomes leader of term ${this.currentTerm}`);
    // Figure 2, volatile state on leaders, reinitialized after election.
    for (const p of this.peers) {
      this.nextIndex.set(p, this.log.lastIndex() + 1);
      this.matchIndex.set(p, 0);
      this.lastAck.set(p, -Infinity);
    }
    this.lastLeaderContact = -Infinity;
    // Section 8: a new leader commits a blank no-op entry of its term at the start of its term.
    this.appendLocal({ term: this.currentTerm, cmd: { kind: 'noop' } });
    this.round++;
    this.broadcastAppend();
    this.advanceCommit();
    this.out.timers.push({ name: 'heartbeat', delay: this.opts.heartbeat });
    if (this.opts.checkQuorum) this.out.timers.push({ name: 'election', delay: this.opts.electionTimeoutMax });
  }

  /** Thesis section 6.2: a leader that did not hear from a majority within an election timeout steps down. */
  private checkQuorum(now: Micros): void {
    if (!this.opts.checkQuorum) return;
    let active = 1;
    for (const p of this.peers) if (now - (this.lastAck.get(p) ?? -Infinity) <= this.opts.electionTimeoutMax) active++;
    if (active < this.quorum) {
      this.out.notes.push(`heard from ${active} of ${this.opts.servers.length} servers within an election timeout`);
      this.becomeFollower(this.currentTerm, null);
      this.resetElectionTimer();
      return;
    }
    this.out.timers.push({ name: 'election', delay: this.opts.electionTimeoutMax });
  }

  // ------------------------------------------------------------ log replication (section 5.3)

  private appendLocal(e: Entry): number {
    const index = this.log.append(e);
    this.markLogWritten(index);
    return index;
  }

  private markLogWritten(index: number): void {
    this.out.logFrom = this.out.logFrom === undefined ? index : Math.min(this.out.logFrom, index);
    this.out.changed = true;
  }

  private broadcastAppend(): void {
    for (const p of this.peers) this.sendAppend(p);
  }

  private sendAppend(p: NodeId): void {
    const next = getOrFail(this.nextIndex, p, 'nextIndex');
    this.inflight.set(p, next <= this.log.lastIndex());
    if (next <= this.log.snapshotIndex) {
      // Section 7: the entries the follower needs are compacted away; send the snapshot instead.
      const s: SnapshotRequest = {
        type: 'snapshot-req',
        term: this.currentTerm,
        leader: this.id,
        lastIncludedIndex: this.log.snapshotIndex,
        lastIncludedTerm: this.log.snapshotTerm,
        lastIncludedChain: this.log.snapshotChain,
        data: this.snapshotData,
        round: this.round,
      };
      this.send(p, s);
      return;
    }
    const prev = next - 1;
    const last = Math.min(this.log.lastIndex(), prev + this.opts.maxBatch);
    const m: AppendRequest = {
      type: 'append-req',
      term: this.currentTerm,
      leader: this.id,
      prevLogIndex: prev,
      prevLogTerm: this.log.termAt(prev),
      entries: last > prev ? this.log.slice(next, last) : [],
      leaderCommit: this.commitIndex,
      round: this.round,
    };
    this.send(p, m);
  }

  /** Shared start of AppendEntries and InstallSnapshot receivers: term rules and leader contact. Returns false to reject. */
  private acceptLeader(now: Micros, leader: NodeId, term: number): boolean {
    if (term < this.currentTerm) return false; // receiver rule 1: reply false if term < currentTerm
    if (term > this.currentTerm || this.role !== 'follower' || this.leaderId !== leader) {
      if (this.paranoid) assert(!(this.role === 'leader' && term === this.currentTerm), () => `${this.id} and ${leader} both lead term ${term}`);
      // Rules for Servers, Candidates, rule 3: AppendEntries from a new leader: convert to follower.
      this.becomeFollower(term, leader);
    }
    this.preCandidate = false;
    this.lastLeaderContact = now;
    this.resetElectionTimer();
    return true;
  }

  private onAppendRequest(now: Micros, from: NodeId, m: AppendRequest): void {
    if (!this.acceptLeader(now, m.leader, m.term)) return this.replyAppend(from, m, false, 0);

    let prev = m.prevLogIndex;
    let entries = m.entries;
    if (prev < this.log.snapshotIndex) {
      // Entries up to our snapshot are committed, hence identical to the leader's: skip them.
      const skip = Math.min(entries.length, this.log.snapshotIndex - prev);
      entries = entries.slice(skip);
      prev += skip;
      if (prev < this.log.snapshotIndex) return this.replyAppend(from, m, true, this.log.snapshotIndex);
    }
    // AppendEntries receiver, rule 2: reply false if the log has no entry at prevLogIndex whose term matches prevLogTerm,
    // with the conflicting term and its first index so the leader can skip a whole term (end of section 5.3).
    if (prev > this.log.lastIndex()) return this.replyAppend(from, m, false, 0, 0, this.log.lastIndex() + 1);
    const have = this.log.termAt(prev);
    if (have !== m.prevLogTerm) {
      let first = prev;
      while (first - 1 > this.log.snapshotIndex && this.log.term(first - 1) === have) first--;
      return this.replyAppend(from, m, false, 0, have, first);
    }
    // Rules 3 and 4: delete a conflicting entry and all that follow it; append entries not already in the log.
    for (let k = 0; k < entries.length; k++) {
      const index = prev + 1 + k;
      const e = atOrFail(entries, k, 'append-req entries');
      if (index <= this.log.lastIndex()) {
        if (this.log.term(index) === e.term) continue;
        if (this.paranoid) assert(index > this.commitIndex, () => `${this.id} would truncate committed entry ${index} (commitIndex ${this.commitIndex})`);
        if (this.opts.bugs.noTruncateOnConflict) {
          this.log.overwrite(index, e);
          this.markLogWritten(index);
          continue;
        }
        this.log.truncateFrom(index);
      }
      this.appendLocal(e);
    }
    const lastNew = prev + entries.length;
    if (this.opts.bugs.truncateOnMatchingAppend && entries.length > 0 && lastNew < this.log.lastIndex() && lastNew >= this.commitIndex) {
      // The planted bug: the entries after this (possibly stale) request's last one go, although none conflicted.
      this.log.truncateFrom(lastNew + 1);
      this.markLogWritten(lastNew + 1);
    }
    // Rule 5: if leaderCommit > commitIndex, set commitIndex = min(leaderCommit, index of last new entry).
    if (m.leaderCommit > this.commitIndex) {
      const c = Math.min(m.leaderCommit, lastNew);
      if (c > this.commitIndex) {
        this.commitIndex = c;
        this.out.changed = true;
      }
    }
    this.replyAppend(from, m, true, lastNew);
  }

  private replyAppend(to: NodeId, m: AppendRequest, success: boolean, matchIndex: number, conflictTerm = 0, conflictIndex = 0): void {
    this.send(to, { type: 'append-resp', term: this.currentTerm, success, matchIndex, conflictTerm, conflictIndex, round: m.round });
  }

  private onAppendResponse(now: Micros, from: NodeId, m: AppendResponse): void {
    if (m.term > this.currentTerm) return this.becomeFollower(m.term, null);
    // The planted bug: a success reply of this leader's earlier term is taken as one of the current term.
    if (this.opts.bugs.staleAppendReplyCounted && m.success && m.term < this.currentTerm) m = { ...m, term: this.currentTerm };
    if (this.role !== 'leader' || m.term !== this.currentTerm) return;
    this.lastAck.set(from, now);
    this.inflight.set(from, false);
    this.ackRound(from, m.round);
    const match = getOrFail(this.matchIndex, from, 'matchIndex');
    // Flow control (etcd raft, tracker/progress.go: MaybeUpdate and MaybeDecrTo; thesis section 10.2.1 on
    // pipelining): only an answer that moves the follower's progress releases the next AppendEntries. A
    // repeated, reordered or stale answer (a duplicated message, a late reply to an older heartbeat) changes
    // nothing and sends nothing; else every copied reply to a lagging follower sends one more batch, whose
    // copies are answered and copied again: the sends grow by a factor per round trip (a 50% duplication
    // burst over a one-entry-per-batch catch-up passed the engine's 5M queued events in 0.2 s). Entries a
    // stale answer did not release go with the next heartbeat, which carries them from nextIndex.
    if (m.success) {
      if (m.matchIndex <= match) return;
      this.matchIndex.set(from, m.matchIndex);
      this.advanceCommit();
      const next = Math.max(getOrFail(this.nextIndex, from, 'nextIndex'), m.matchIndex + 1);
      this.nextIndex.set(from, next);
      if (next <= this.log.lastIndex()) this.sendAppend(from);
      return;
    }
    // Figure 2, Rules for Servers, Leaders, rule 3.2: on a consistency failure, decrement nextIndex and retry,
    // skipping a whole conflicting term at a time (end of section 5.3).
    if (this.opts.bugs.leaderTruncatesOnConflict && m.conflictIndex > this.commitIndex && m.conflictIndex <= this.log.lastIndex()) {
      this.log.truncateFrom(m.conflictIndex);
      this.markLogWritten(m.conflictIndex);
    }
    let next = m.conflictIndex;
    if (m.conflictTerm > 0) {
      let i = this.log.lastIndex();
      while (i > this.log.snapshotIndex && this.log.termAt(i) > m.conflictTerm) i--;
      if (i > this.log.snapshotIndex && this.log.term(i) === m.conflictTerm) next = i + 1;
    }
    next = Math.max(1, match + 1, Math.min(next, this.log.lastIndex() + 1));
    // A rejection is genuine only when it lowers nextIndex (etcd's MaybeDecrTo: in probe state a rejection
    // of any other index than nextIndex - 1 is stale, and one at or below Match always is). The answer to the
    // probe at nextIndex - 1 always lowers it (its conflict hint is at most that index, by Log Matching); a
    // copy of it, or a rejection of an older probe, computes a nextIndex at or above the current one.
    if (next >= getOrFail(this.nextIndex, from, 'nextIndex')) return;
    this.nextIndex.set(from, next);
    this.sendAppend(from);
  }

  /** Figure 2, Rules for Servers, Leaders, last rule; section 5.4.2: count replicas only for entries of the current term. */
  private advanceCommit(): void {
    if (this.role !== 'leader') return;
    const matches = [this.log.lastIndex()];
    for (const p of this.peers) matches.push(getOrFail(this.matchIndex, p, 'matchIndex'));
    matches.sort((a, b) => b - a);
    const n = atOrFail(matches, this.quorum - 1, 'match indexes');
    if (n <= this.commitIndex) return;
    if (this.log.term(n) !== this.currentTerm && !this.opts.bugs.commitPreviousTermByCounting) return;
    this.commitIndex = n;
    this.out.changed = true;
    if (this.deferredReads.length > 0 && this.log.term(n) === this.currentTerm) {
      const ids = this.deferredReads;
      this.deferredReads = [];
      this.startReadRound(ids);
    }
  }

  // ------------------------------------------------------------ snapshots (section 7, Figure 13)

  private onSnapshotRequest(now: Micros, from: NodeId, m: SnapshotRequest): void {
    // Figure 13, InstallSnapshot receiver, rule 1: reply immediately if term < currentTerm.
    if (!this.acceptLeader(now, m.leader, m.term)) return this.replySnapshot(from, m, 0);
    // A snapshot within what we committed adds nothing: committed entries match the leader's (Leader Completeness).
    if (m.lastIncludedIndex <= this.commitIndex) return this.replySnapshot(from, m, m.lastIncludedIndex);
    // Rules 6-8: keep the log after the snapshot's last entry if we have it, else discard it; reset the state machine.
    const before = this.log.lastIndex();
    this.log.installSnapshot(m.lastIncludedIndex, m.lastIncludedTerm, m.lastIncludedChain);
    this.snapshotData = m.data;
    this.commitIndex = m.lastIncludedIndex;
    this.lastApplied = m.lastIncludedIndex;
    this.out.snapshot = { index: m.lastIncludedIndex, term: m.lastIncludedTerm, chain: m.lastIncludedChain, data: m.data, install: true };
    if (this.log.lastIndex() !== before) this.markLogWritten(this.log.lastIndex() + 1); // the log was discarded: its records go
    this.out.changed = true;
    this.replySnapshot(from, m, m.lastIncludedIndex);
  }

  private replySnapshot(to: NodeId, m: SnapshotRequest, matchIndex: number): void {
    this.send(to, { type: 'snapshot-resp', term: this.currentTerm, matchIndex, round: m.round });
  }

  private onSnapshotResponse(now: Micros, from: NodeId, m: SnapshotResponse): void {
    if (m.term > this.currentTerm) return this.becomeFollower(m.term, null);
    if (this.role !== 'leader' || m.term !== this.currentTerm) return;
    this.lastAck.set(from, now);
    this.inflight.set(from, false);
    this.ackRound(from, m.round);
    // Flow control as for AppendEntries answers: a copy or a stale answer releases nothing.
    if (m.matchIndex <= getOrFail(this.matchIndex, from, 'matchIndex')) return;
    this.matchIndex.set(from, m.matchIndex);
    this.advanceCommit();
    this.nextIndex.set(from, m.matchIndex + 1);
    if (m.matchIndex + 1 <= this.log.lastIndex()) this.sendAppend(from);
  }

  // ------------------------------------------------------------ ReadIndex

  private startReadRound(ids: number[]): void {
    this.round++;
    for (const id of ids) this.pendingReads.push({ id, index: this.commitIndex, round: this.round, acked: new Map() });
    this.ackRound(this.id, this.round);
    this.broadcastAppend();
  }

  private ackRound(from: NodeId, round: number): void {
    if (this.pendingReads.length === 0) return;
    const keep: PendingRead[] = [];
    for (const r of this.pendingReads) {
      if (round >= r.round && !r.acked.has(from)) r.acked.set(from, round);
      if (r.acked.size >= this.quorum) this.out.reads.push({ id: r.id, index: r.index, round: r.round, acks: [...r.acked].map(([server, at]) => ({ server, round: at })) });
      else keep.push(r);
    }
    this.pendingReads = keep;
  }

  // ------------------------------------------------------------ applying (Rules for Servers, All Servers, rule 1)

  private applyCommitted(): void {
    // If commitIndex > lastApplied: increment lastApplied, apply log[lastApplied] to the state machine.
    const upTo = this.opts.bugs.applyBeforeCommit ? this.log.lastIndex() : this.commitIndex;
    if (this.paranoid) {
      assert(this.commitIndex <= this.log.lastIndex(), () => `${this.id}: commitIndex ${this.commitIndex} beyond the log (${this.log.lastIndex()})`);
      assert(this.log.snapshotIndex <= this.commitIndex, () => `${this.id}: snapshot ${this.log.snapshotIndex} covers uncommitted entries (commitIndex ${this.commitIndex})`);
      assert(this.role !== 'leader' || this.votedFor === this.id, () => `${this.id} leads term ${this.currentTerm} but voted for ${this.votedFor}`);
    }
    while (this.lastApplied < upTo) {
      this.lastApplied++;
      this.out.apply.push({ index: this.lastApplied, entry: this.log.entry(this.lastApplied) });
    }
    if (this.paranoid) assert(this.lastApplied <= this.commitIndex, () => `${this.id}: applied ${this.lastApplied} beyond commitIndex ${this.commitIndex}`);
  }

  private send(to: NodeId, msg: RaftMessage): void {
    this.out.messages.push({ to, msg });
  }
}
