// The engine adapter of a Raft server: a thin NodeBehaviour around the pure
// RaftNode (node.ts). It turns messages and timers into steps, and carries out
// each Ready in the order Raft needs: persist and fsync, then send, then apply
// committed entries to the replicated state machine and answer clients
// (section 8), then take a snapshot when the log grew long (section 7).

import { DiskCorruptionError } from '../../engine/disk.ts';
import type { JsonValue, NodeBehaviour, NodeContext, NodeId } from '../../engine/types.ts';
import { describeCommand, ReplicatedMachine, type ServiceKind } from './machine.ts';
import { RaftNode, type RaftOptions } from './node.ts';
import { PUBLISHED_LOG_ENTRIES, type RaftServerState } from './state.ts';
import { RaftStorage } from './storage.ts';
import type { ClientReply, ClientRequest, Command, Entry, ServerMessage } from './types.ts';

export interface ServerOptions {
  raft: RaftOptions;
  service: ServiceKind;
  /** Take a snapshot once this many applied entries are not in one (0: never). */
  snapshotEvery: number;
  /** Serve gets through the log ('log') or with ReadIndex ('readindex'). */
  reads: 'log' | 'readindex';
  /** A log to write to an empty disk before the first start (scenario set-ups such as Figure 7). */
  preload?: { term: number; votedFor: string | null; log: number[] };
}

interface Waiting {
  seq: number;
  from: NodeId;
}

interface WaitingRead {
  client: string;
  seq: number;
  from: NodeId;
  key: string;
  index: number;
}

/** Published form of each entry, made once (entries are immutable). */
const described = new WeakMap<Entry, { term: number; cmd: string }>();
function describe(e: Entry): { term: number; cmd: string } {
  let v = described.get(e);
  if (v === undefined) {
    v = { term: e.term, cmd: describeCommand(e.cmd) };
    described.set(e, v);
  }
  return v;
}

export class RaftServer implements NodeBehaviour<ServerMessage> {
  raft!: RaftNode;
  machine!: ReplicatedMachine;
  private storage!: RaftStorage;
  /** Client requests this server proposed, by client: answered when applied. */
  private readonly waiting = new Map<string, Waiting>();
  private readonly reads = new Map<number, WaitingRead>();
  private readonly confirmedReads: WaitingRead[] = [];
  private nextReadId = 1;
  /** Set when the disk failed its checksum: the server stays silent rather than forget a vote. */
  private halted = false;

  constructor(private readonly opts: ServerOptions) {}

  onStart(ctx: NodeContext<ServerMessage>): void {
    this.boot(ctx);
  }

  onRecover(ctx: NodeContext<ServerMessage>): void {
    this.boot(ctx);
  }

  /** Start or restart from the disk alone. */
  private boot(ctx: NodeContext<ServerMessage>): void {
    this.storage = new RaftStorage(ctx.disk, this.opts.raft.bugs.notPersistingVotedFor);
    this.raft = new RaftNode(this.opts.raft, (lo, hi) => ctx.rng.int(lo, hi));
    if (this.opts.preload && ctx.disk.keys().length === 0) this.storage.preload(this.opts.preload);
    try {
      const state = this.storage.load();
      this.raft.restore(state);
      this.machine = ReplicatedMachine.restore(this.opts.service, state.snapshot?.data ?? null);
    } catch (err) {
      if (!(err instanceof DiskCorruptionError)) throw err;
      this.halted = true;
      ctx.log(`disk record ${err.key} is corrupt: staying down rather than risk forgetting a vote or an entry`);
      return;
    }
    this.raft.start();
    this.flush(ctx);
  }

  onMessage(ctx: NodeContext<ServerMessage>, from: NodeId, msg: ServerMessage): void {
    if (this.halted) return;
    if (msg.type === 'client-req') this.onClientRequest(ctx, from, msg);
    else if (msg.type !== 'client-reply') this.raft.step(ctx.now(), from, msg);
    this.flush(ctx);
  }

  onTimer(ctx: NodeContext<ServerMessage>, name: string): void {
    if (this.halted) return;
    this.raft.tick(ctx.now(), name as 'election' | 'heartbeat');
    this.flush(ctx);
  }

  /** Section 8: only the leader takes commands; others redirect to the leader they know of. */
  private onClientRequest(ctx: NodeContext<ServerMessage>, from: NodeId, m: ClientRequest): void {
    const answered = this.machine.answered(m.client, m.seq);
    if (answered !== undefined) {
      if (this.opts.raft.bugs.ignoreAnsweredRetries) return;
      return this.reply(ctx, from, { type: 'client-reply', seq: m.seq, ok: true, result: answered });
    }
    const op = m.op as { f: string; key?: string };
    if (op.f === 'get' && this.opts.raft.bugs.leaderReadsWithoutQuorum && this.raft.isLeader() && this.opts.service === 'kv') {
      return this.reply(ctx, from, { type: 'client-reply', seq: m.seq, ok: true, result: this.machine.read(op.key as string) });
    }
    if (op.f === 'get' && this.opts.reads === 'readindex') {
      const id = this.nextReadId++;
      if (!this.raft.readIndex(id)) return this.redirect(ctx, from, m.seq);
      this.reads.set(id, { client: m.client, seq: m.seq, from, key: op.key as string, index: 0 });
      return;
    }
    // The lock table needs the time of the command; the leader stamps its own clock so every replica applies the same command.
    const payload: JsonValue = this.opts.service === 'lock' ? { ...(m.op as Record<string, JsonValue>), session: m.client, now: ctx.now() } : m.op;
    const cmd: Command = { kind: 'client', client: m.client, seq: m.seq, op: payload };
    if (this.raft.propose(cmd) === undefined) return this.redirect(ctx, from, m.seq);
    this.waiting.set(m.client, { seq: m.seq, from });
  }

  private redirect(ctx: NodeContext<ServerMessage>, to: NodeId, seq: number): void {
    this.reply(ctx, to, { type: 'client-reply', seq, ok: false, leaderHint: this.raft.leaderId });
  }

  private reply(ctx: NodeContext<ServerMessage>, to: NodeId, m: ClientReply): void {
    ctx.send(to, m);
  }

  /** Carry out the node's Ready: persist (fsync), send, apply, answer, snapshot; repeat while it has more. */
  private flush(ctx: NodeContext<ServerMessage>): void {
    let changed = false;
    for (let round = 0; round < 4; round++) {
      const rd = this.raft.ready();
      this.storage.persist(this.raft, rd);
      for (const t of rd.timers) ctx.setTimer(t.name, t.delay);
      for (const { to, msg } of rd.messages) ctx.send(to, msg);
      for (const note of rd.notes) ctx.log(note);
      if (rd.snapshot?.install) this.machine = ReplicatedMachine.restore(this.opts.service, rd.snapshot.data);
      for (const { entry } of rd.apply) this.applyEntry(ctx, entry);
      for (const r of rd.reads) {
        const w = this.reads.get(r.id);
        if (w === undefined) continue;
        this.reads.delete(r.id);
        w.index = r.index;
        this.confirmedReads.push(w);
      }
      this.serveReads(ctx);
      changed ||= rd.changed;
      const every = this.opts.snapshotEvery;
      if (every > 0 && this.raft.lastApplied - this.raft.log.snapshotIndex >= every) {
        this.raft.compact(this.raft.lastApplied, this.machine.snapshot());
        continue; // persist the snapshot before anything else happens
      }
      break;
    }
    if (!this.raft.isLeader() && this.reads.size > 0) this.reads.clear(); // clients retry elsewhere
    if (changed) ctx.publish(this.published() as unknown as JsonValue);
  }

  private applyEntry(ctx: NodeContext<ServerMessage>, entry: Entry): void {
    const result = this.machine.apply(entry.cmd);
    if (entry.cmd.kind !== 'client') return;
    const w = this.waiting.get(entry.cmd.client);
    if (w === undefined || w.seq !== entry.cmd.seq || result === undefined) return;
    this.waiting.delete(entry.cmd.client);
    this.reply(ctx, w.from, { type: 'client-reply', seq: w.seq, ok: true, result });
  }

  /** ReadIndex, last step: answer once the state machine has applied up to the read's index. */
  private serveReads(ctx: NodeContext<ServerMessage>): void {
    if (this.confirmedReads.length === 0) return;
    let k = 0;
    for (; k < this.confirmedReads.length; k++) {
      const r = this.confirmedReads[k] as WaitingRead;
      if (this.raft.lastApplied < r.index) break;
      this.reply(ctx, r.from, { type: 'client-reply', seq: r.seq, ok: true, result: this.machine.read(r.key) });
    }
    this.confirmedReads.splice(0, k);
  }

  /** The published log tail, kept up to date incrementally (rebuilt when the log was cut or compacted). */
  private pub: { first: number; changes: number; snapshotIndex: number; log: { term: number; cmd: string }[] } = { first: 1, changes: 0, snapshotIndex: 0, log: [] };

  private publishedLog(): { start: number; log: RaftServerState['log'] } {
    const l = this.raft.log;
    const last = l.lastIndex();
    const start = Math.max(l.snapshotIndex + 1, last - PUBLISHED_LOG_ENTRIES + 1);
    const p = this.pub;
    if (p.changes !== l.changes.length || p.snapshotIndex !== l.snapshotIndex || p.first + p.log.length - 1 > last || start < p.first) {
      this.pub = { first: start, changes: l.changes.length, snapshotIndex: l.snapshotIndex, log: l.slice(start, last).map(describe) };
    } else {
      for (let i = p.first + p.log.length; i <= last; i++) p.log.push(describe(l.entry(i)));
      if (start > p.first) {
        p.log.splice(0, start - p.first);
        p.first = start;
      }
    }
    return { start, log: this.pub.log.slice() };
  }

  published(): RaftServerState {
    const r = this.raft;
    const { start, log } = this.publishedLog();
    return {
      role: r.role,
      term: r.currentTerm,
      votedFor: r.votedFor,
      leader: r.leaderId,
      commitIndex: r.commitIndex,
      lastApplied: r.lastApplied,
      snapshotIndex: r.log.snapshotIndex,
      logStart: start,
      log,
    };
  }
}
