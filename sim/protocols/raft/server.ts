// A Raft server on the one node shape (sim/api/node.ts): a thin ProtocolNode
// around the pure RaftNode (node.ts). It turns messages and timers into steps,
// and carries out each Ready as commands in the order Raft needs: persist and
// fsync, then send, then apply committed entries to the replicated state
// machine and answer clients (section 8), then take a snapshot when the log grew
// long (section 7), then publish what changed.

import type { Io, JsonValue, NodeId, ProtocolNode, Rng } from '../../api/index.ts';
import { describeCommand, ReplicatedMachine, type RaftStateMachine, type StateMachineDefinition } from './machine.ts';
import { RaftNode, type RaftOptions } from './node.ts';
import { PUBLISHED_LOG_ENTRIES, PUBLISHED_READS, type RaftServerState, type ServedRead, type StateCheckpoint } from './state.ts';
import { RaftStorage } from './storage.ts';
import type { ClientReply, ClientRequest, Command, Entry, ServerMessage } from './types.ts';

export interface ServerOptions {
  raft: RaftOptions;
  /** The replicated state machine (kvService, lockService, or another protocol's). */
  machine: StateMachineDefinition;
  /** Take a snapshot once this many applied entries are not in one (0: never). */
  snapshotEvery: number;
  /** Serve read-only operations through the log ('log') or with ReadIndex ('readindex'). */
  reads: 'log' | 'readindex';
  /** A log to write to an empty disk before the first start (scenario set-ups such as Figure 7). */
  preload?: { term: number; votedFor: string | null; log: number[] };
}

/** A server's timers: the election timeout (a leader's check-quorum timer too) and the heartbeat (a candidate's vote retry too). */
export type RaftTimer = { name: 'election' } | { name: 'heartbeat' };
type ServerIo = Io<ServerMessage, RaftTimer, RaftServerState>;

interface Waiting {
  seq: number;
  from: NodeId;
}

interface WaitingRead {
  client: string;
  seq: number;
  from: NodeId;
  op: JsonValue;
  index: number;
  /** What the read-index rule is shown (state.ts ServedRead): the server's term, commitIndex and round when the read arrived. */
  term: number;
  commitAtReceipt: number;
  roundAtReceipt: number;
  /** Filled when a quorum confirmed the read (RaftNode's Ready.reads). */
  round: number;
  acks: { server: NodeId; round: number }[];
}

/** Most ReadIndex reads a server holds (one per client at a time: far more than any scenario has). */
export const MAX_PENDING_READS = 10_000;

/** The error Io.read throws on a bad checksum (sim/engine/disk.ts), told by name: protocols see only sim/api. */
function isDiskCorruption(err: unknown): err is Error & { key: string } {
  return err instanceof Error && err.name === 'DiskCorruptionError';
}

export class RaftServer implements ProtocolNode<ServerMessage, RaftTimer, RaftServerState> {
  raft!: RaftNode;
  machine!: RaftStateMachine;
  private readonly storage: RaftStorage;
  /** Published form of each entry, made once per entry (entries are immutable). */
  private readonly described = new WeakMap<Entry, { term: number; cmd: string }>();
  /** Client requests this server proposed, by client: answered when applied. */
  private readonly waiting = new Map<string, Waiting>();
  private readonly reads = new Map<number, WaitingRead>();
  private readonly confirmedReads: WaitingRead[] = [];
  private nextReadId = 1;
  /** Reads answered without the log since the last publish (published as `reads`). */
  private served: ServedRead[] = [];
  /** Snapshots taken or restored since the last publish (published as `checkpoints`). */
  private checkpoints: StateCheckpoint[] = [];
  /** Set when the disk failed its checksum: the server stays silent rather than forget a vote. */
  private halted = false;
  /** The random stream of the step being handled (RaftNode draws election timeouts from it); unset between steps. */
  private rng: Rng | undefined;
  /** Lowest log index written since the last publish (Infinity: none). */
  private pubFrom = Infinity;
  /** Terms of entries written since the last publish that a snapshot compacted before it (from `from`). */
  private carried: { from: number; terms: number[] } | undefined;

  constructor(private readonly opts: ServerOptions) {
    this.storage = new RaftStorage(opts.raft.bugs.notPersistingVotedFor);
  }

  // Each handler holds the step's random stream while it runs (RaftNode draws election timeouts from
  // it) and lets go of it at the end: nothing of a step stays in the node between steps.
  onStart(io: ServerIo): void {
    this.rng = io.rng;
    this.boot(io);
    this.rng = undefined;
  }

  onRecover(io: ServerIo): void {
    this.onStart(io);
  }

  onMessage(io: ServerIo, from: NodeId, msg: ServerMessage): void {
    if (this.halted) return;
    this.rng = io.rng;
    if (msg.type === 'client-req') this.onClientRequest(io, from, msg);
    else if (msg.type !== 'client-reply') this.raft.step(io.now(), from, msg);
    this.flush(io);
    this.rng = undefined;
  }

  onTimer(io: ServerIo, timer: RaftTimer): void {
    if (this.halted) return;
    this.rng = io.rng;
    this.raft.tick(io.now(), timer.name);
    this.flush(io);
    this.rng = undefined;
  }

  /** Start or restart from the disk alone. */
  private boot(io: ServerIo): void {
    this.raft = new RaftNode(this.opts.raft, (lo, hi) => this.rngInt(lo, hi));
    if (this.opts.preload && io.keys().length === 0) this.storage.preload(io, this.opts.preload);
    try {
      const state = this.storage.load(io);
      this.raft.restore(state);
      this.machine = ReplicatedMachine.restore(this.opts.machine, state.snapshot?.data ?? null);
      if (state.snapshot !== undefined && state.snapshot !== null) this.checkpointRestored(this.raft.log.snapshotIndex);
    } catch (err) {
      if (!isDiskCorruption(err)) throw err;
      this.halted = true;
      io.log(`disk record ${err.key} is corrupt: staying down rather than risk forgetting a vote or an entry`);
      return;
    }
    this.pubFrom = this.raft.log.snapshotIndex + 1; // the first publish carries the whole recovered log
    this.raft.start();
    this.flush(io);
  }

  private rngInt(lo: number, hi: number): number {
    if (this.rng === undefined) throw new Error('RaftServer: a random draw outside a handler');
    return this.rng.int(lo, hi);
  }

  /** Section 8: only the leader takes commands; others redirect to the leader they know of. */
  private onClientRequest(io: ServerIo, from: NodeId, m: ClientRequest): void {
    const answered = this.machine.answered(m.client, m.seq);
    if (answered !== undefined) {
      if (this.opts.raft.bugs.ignoreAnsweredRetries) return;
      return io.send(from, reply(m.seq, answered));
    }
    const def = this.opts.machine;
    const readOnly = def.readOnly?.(m.op) === true;
    if (readOnly && this.opts.raft.bugs.leaderReadsWithoutQuorum && this.raft.isLeader()) {
      const r = this.raft;
      this.recordServed({ term: r.currentTerm, commitAtReceipt: r.commitIndex, roundAtReceipt: r.heartbeatRound, readIndex: r.commitIndex, round: 0, acks: [], applied: r.lastApplied });
      return io.send(from, reply(m.seq, this.machine.query(m.op)));
    }
    if (readOnly && this.opts.reads === 'readindex') {
      const id = this.nextReadId++;
      const r = this.raft;
      const receipt = { term: r.currentTerm, commitAtReceipt: r.commitIndex, roundAtReceipt: r.heartbeatRound };
      if (!this.raft.readIndex(id)) return this.redirect(io, from, m.seq);
      if (this.reads.size >= MAX_PENDING_READS) throw new RangeError(`${io.id}: more than ${MAX_PENDING_READS} ReadIndex reads pending`);
      this.reads.set(id, { client: m.client, seq: m.seq, from, op: m.op, index: 0, ...receipt, round: 0, acks: [] });
      return;
    }
    // The leader stamps what every replica must agree on (the lock table: the leader's clock).
    const op = def.command ? def.command(m.op, m.client, io.now()) : m.op;
    const cmd: Command = { kind: 'client', client: m.client, seq: m.seq, op };
    if (this.raft.propose(cmd) === undefined) return this.redirect(io, from, m.seq);
    this.waiting.set(m.client, { seq: m.seq, from });
  }

  private redirect(io: ServerIo, to: NodeId, seq: number): void {
    io.send(to, { type: 'client-reply', seq, ok: false, leaderHint: this.raft.leaderId });
  }

  /** Carry out the node's Ready: persist (fsync), send, apply, answer, snapshot; repeat while it has more. */
  private flush(io: ServerIo): void {
    let changed = false;
    for (let round = 0; round < 4; round++) {
      const rd = this.raft.ready();
      this.storage.persist(io, this.raft, rd);
      if (rd.logFrom !== undefined && rd.logFrom < this.pubFrom) this.pubFrom = rd.logFrom;
      for (const t of rd.timers) io.setTimer({ name: t.name }, t.delay);
      for (const { to, msg } of rd.messages) io.send(to, msg);
      for (const note of rd.notes) io.log(note);
      if (rd.snapshot?.install) {
        const data = this.opts.raft.bugs.installDropsSessions ? withoutSessions(rd.snapshot.data) : rd.snapshot.data; // the planted bug
        this.machine = ReplicatedMachine.restore(this.opts.machine, data);
        this.checkpointRestored(this.raft.log.snapshotIndex);
      }
      for (const { entry } of rd.apply) this.applyEntry(io, entry);
      for (const r of rd.reads) {
        const w = this.reads.get(r.id);
        if (w === undefined) continue;
        this.reads.delete(r.id);
        w.index = r.index;
        w.round = r.round;
        w.acks = r.acks;
        this.confirmedReads.push(w);
      }
      this.serveReads(io);
      changed ||= rd.changed;
      const every = this.opts.snapshotEvery;
      if (every > 0 && this.raft.lastApplied - this.raft.log.snapshotIndex >= every) {
        this.carryUnpublished(this.raft.lastApplied);
        const { snapshot, digest } = this.machine.snapshotWithDigest();
        this.checkpoints.push({ index: this.raft.lastApplied, digest, restored: false });
        this.raft.compact(this.raft.lastApplied, snapshot);
        continue; // persist the snapshot before anything else happens
      }
      break;
    }
    if (!this.raft.isLeader() && this.reads.size > 0) this.reads.clear(); // clients retry elsewhere
    if (changed || this.served.length > 0 || this.checkpoints.length > 0) io.publish(this.published());
  }

  private applyEntry(io: ServerIo, entry: Entry): void {
    const result = this.machine.apply(entry.cmd);
    if (entry.cmd.kind !== 'client') return;
    const w = this.waiting.get(entry.cmd.client);
    if (w === undefined || w.seq !== entry.cmd.seq || result === undefined) return;
    this.waiting.delete(entry.cmd.client);
    io.send(w.from, reply(w.seq, result));
  }

  /** ReadIndex, last step: answer once the state machine has applied up to the read's index. */
  private serveReads(io: ServerIo): void {
    let k = 0;
    for (; k < this.confirmedReads.length; k++) {
      const r = this.confirmedReads[k];
      if (r === undefined || this.raft.lastApplied < r.index) break;
      io.send(r.from, reply(r.seq, this.machine.query(r.op)));
      this.recordServed({ term: r.term, commitAtReceipt: r.commitAtReceipt, roundAtReceipt: r.roundAtReceipt, readIndex: r.index, round: r.round, acks: r.acks, applied: this.raft.lastApplied });
    }
    if (k > 0) this.confirmedReads.splice(0, k);
  }

  /** Keep a served read for the next publish (the latest PUBLISHED_READS of them). */
  private recordServed(read: ServedRead): void {
    if (this.served.length >= PUBLISHED_READS) this.served.shift();
    this.served.push(read);
  }

  /**
   * Before compacting up to `index`: keep the terms of the entries written since the last publish
   * that the snapshot is about to drop (from the lowest of them to the end of the log), so the next
   * publish still carries every written entry.
   */
  private carryUnpublished(index: number): void {
    if (this.pubFrom > index) return;
    const log = this.raft.log;
    const from = Math.max(this.pubFrom, log.snapshotIndex + 1);
    const c = this.carried;
    const terms = c !== undefined && c.from <= from ? c.terms.slice(0, from - c.from) : [];
    const start = c !== undefined && c.from <= from ? c.from : from;
    for (let i = start + terms.length; i <= log.lastIndex(); i++) terms.push(log.entry(i).term);
    this.carried = { from: start, terms };
    this.pubFrom = Infinity;
  }

  /** The entries written since the last publish, as terms (see RaftServerState.entries); resets the record. */
  private takeWritten(): { logFrom: number; entries: number[] } {
    const log = this.raft.log;
    const last = log.lastIndex();
    // From `cut` on, terms are read from the log as it is now; before it, from what a compaction carried.
    const cut = Math.max(Math.min(this.pubFrom, last + 1), log.snapshotIndex + 1);
    const c = this.carried;
    let logFrom = cut;
    let entries: number[] = [];
    if (c !== undefined && c.from < cut) {
      logFrom = c.from;
      entries = c.terms.slice(0, cut - c.from);
    }
    for (let i = logFrom + entries.length; i <= last; i++) entries.push(log.entry(i).term);
    this.pubFrom = Infinity;
    this.carried = undefined;
    return { logFrom, entries };
  }

  /** Record the restored state machine's digest at a snapshot point, for the next publish (at most a few per step). */
  private checkpointRestored(index: number): void {
    this.checkpoints.push({ index, digest: this.machine.stateDigest(), restored: true });
  }

  /** The snapshot points since the last publish, as the optional `checkpoints` field (undefined when none); resets the record. */
  private takeCheckpoints(): StateCheckpoint[] | undefined {
    if (this.checkpoints.length === 0) return undefined;
    const checkpoints = this.checkpoints;
    this.checkpoints = [];
    return checkpoints;
  }

  /** The reads served since the last publish, as the optional `reads` field (undefined when none); resets the record. */
  private takeServed(): ServedRead[] | undefined {
    if (this.served.length === 0) return undefined;
    const reads = this.served;
    this.served = [];
    return reads;
  }

  private describe(e: Entry): { term: number; cmd: string } {
    let v = this.described.get(e);
    if (v === undefined) {
      v = { term: e.term, cmd: describeCommand(this.opts.machine, e.cmd) };
      this.described.set(e, v);
    }
    return v;
  }

  /** The published log tail, kept up to date incrementally (rebuilt when the log was cut or compacted). */
  private pub: { first: number; changes: number; snapshotIndex: number; log: { term: number; cmd: string }[] } = { first: 1, changes: 0, snapshotIndex: 0, log: [] };
  /**
   * The copy of `pub.log` last published (never changed once published: it may be frozen and shared),
   * or undefined when `pub.log` changed since: a publish that changed no entry (a commit, a vote, a
   * role) shares the previous array instead of copying 64 entries.
   */
  private pubLog: RaftServerState['log'] | undefined;

  private publishedLog(): { start: number; log: RaftServerState['log'] } {
    const l = this.raft.log;
    const last = l.lastIndex();
    const start = Math.max(l.snapshotIndex + 1, last - PUBLISHED_LOG_ENTRIES + 1);
    const p = this.pub;
    if (p.changes !== l.changes.length || p.snapshotIndex !== l.snapshotIndex || p.first + p.log.length - 1 > last || start < p.first) {
      this.pub = { first: start, changes: l.changes.length, snapshotIndex: l.snapshotIndex, log: l.slice(start, last).map((e) => this.describe(e)) };
      this.pubLog = undefined;
    } else {
      for (let i = p.first + p.log.length; i <= last; i++) {
        p.log.push(this.describe(l.entry(i)));
        this.pubLog = undefined;
      }
      if (start > p.first) {
        p.log.splice(0, start - p.first);
        p.first = start;
        this.pubLog = undefined;
      }
    }
    return { start, log: (this.pubLog ??= this.pub.log.slice()) };
  }

  /**
   * The state to publish now (also drains the record of entries written since the last publish).
   * Every publish has one object shape, its optional fields (matchIndex, reads, checkpoints) set to
   * undefined when absent (JSON, copies and traces drop them, as they were absent before): the
   * checkers that read every published state then read fields of one shape (monomorphic loads), and
   * no spread builds a throwaway object per publish.
   */
  published(): RaftServerState {
    const r = this.raft;
    const { start, log } = this.publishedLog();
    const { logFrom, entries } = this.takeWritten();
    return {
      role: r.role,
      term: r.currentTerm,
      votedFor: r.votedFor,
      leader: r.leaderId,
      commitIndex: r.commitIndex,
      lastApplied: r.lastApplied,
      appliedDigest: this.machine.digest,
      matchIndex: r.role === 'leader' ? Object.fromEntries(r.matchIndex) : undefined,
      snapshotIndex: r.log.snapshotIndex,
      logStart: start,
      log,
      lastIndex: r.log.lastIndex(),
      snapshotTerm: r.log.snapshotTerm,
      logFrom,
      entries,
      reads: this.takeServed(),
      checkpoints: this.takeCheckpoints(),
    };
  }
}

/** The planted bug installDropsSessions: a snapshot's machine data with an empty session table. */
function withoutSessions(data: JsonValue): JsonValue {
  return data !== null && typeof data === 'object' && !Array.isArray(data) ? { ...data, sessions: {} } : data;
}

function reply(seq: number, result: JsonValue): ClientReply {
  return { type: 'client-reply', seq, ok: true, result };
}
