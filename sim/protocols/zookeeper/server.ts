// A coordination server: a Raft server (sim/protocols/raft/server.ts) replicating
// the data tree (service.ts), plus what ZooKeeper's leader does beside the log:
//   - sessions' clocks: the leader hears each session's pings and, when one has been
//     silent for `sessionTimeout` on its clock, proposes `close-session` as a log entry
//     (expiry is then replicated and deterministic: the session's ephemeral znodes vanish
//     when that entry applies, on every server). A new leader gives every session a fresh
//     timeout, as a new ZooKeeper leader does.
//   - watch notifications: watches fire on every server as entries apply; the leader sends
//     them to the watching session's client.
// Requests are Raft client requests (client = the session, seq per session): a follower
// redirects them, the leader proposes them. Raft's published state is published as is,
// with the lock queue, the open sessions and the zxid added.

import { assert, type Io, type JsonValue, type NodeId, type ProtocolNode, type Rng, type Timer } from '../../api/index.ts';
import { RaftServer, type RaftTimer, type ServerOptions as RaftServerOptions } from '../raft/public.ts';
import type { RaftServerState } from '../raft/public.ts';
import type { ClientRequest, ServerMessage } from '../raft/public.ts';
import type { ZkMessage } from './messages.ts';
import { LOCK_DIR, zkTreeService } from './service.ts';
import type { ZkServerState } from './state.ts';
import type { DataTree, WatchEvent } from './tree.ts';

export { LOCK_DIR };

export interface ZkServerOptions {
  raft: Omit<RaftServerOptions, 'machine'>;
  sessionTimeout: number;
  /** How often the leader looks for expired sessions. */
  tick: number;
}

type ZkTimer = RaftTimer | { name: 'session-tick' };
type ServerIo = Io<ZkMessage, Timer, JsonValue>;
type RaftIo = Io<ServerMessage, RaftTimer, RaftServerState>;

/** The session id's last part is the zxid (log index) of the entry that opened it (tree.ts). */
const openedAt = (session: string): number => Number(session.slice(session.lastIndexOf('.') + 1));

/** The Io the inner Raft server sees: the node's own, with publishes kept for merging and replies to this node (its own proposals) dropped. */
class InnerIo implements RaftIo {
  published: RaftServerState | undefined;
  constructor(private readonly io: ServerIo) {}
  get id(): NodeId { return this.io.id; }
  get nodes(): readonly NodeId[] { return this.io.nodes; }
  get rng(): Rng { return this.io.rng; }
  now(): number { return this.io.now(); }
  read<V extends JsonValue = JsonValue>(key: string): V | undefined { return this.io.read<V>(key); }
  keys(prefix?: string): string[] { return this.io.keys(prefix); }
  timerArmed(name: string, key?: string): boolean { return this.io.timerArmed(name, key); }
  send(to: NodeId, msg: ServerMessage): void { if (to !== this.io.id) this.io.send(to, msg); }
  broadcast(msg: ServerMessage, to?: readonly NodeId[]): void { for (const n of to ?? this.io.nodes) if (n !== this.io.id) this.io.send(n, msg); }
  setTimer(timer: RaftTimer, delay: number): void { this.io.setTimer(timer, delay); }
  cancelTimer(name: string, key?: string): void { this.io.cancelTimer(name, key); }
  put(key: string, value: JsonValue): void { this.io.put(key, value); }
  delete(key: string): void { this.io.delete(key); }
  fsync(): void { this.io.fsync(); }
  invoke(call: Parameters<ServerIo['invoke']>[0]): number { return this.io.invoke(call); }
  complete(ref: number, outcome: Parameters<ServerIo['complete']>[1], value?: JsonValue): void { this.io.complete(ref, outcome, value); }
  /**
   * Several inner steps in one node step (the leader proposing several session closes) publish
   * several times: keep the last state, with every entry written since the node's last publish
   * (each publish carries the entries written since the previous one, from `logFrom` to the end
   * of the log; Raft's checkers rebuild the logs from them).
   */
  publish(state: RaftServerState): void {
    const p = this.published;
    if (p !== undefined && p.logFrom < state.logFrom) {
      state = { ...state, logFrom: p.logFrom, entries: [...p.entries.slice(0, state.logFrom - p.logFrom), ...state.entries] };
    }
    this.published = state;
  }
  log(text: string): void { this.io.log(text); }
}

export class ZkServer implements ProtocolNode<ZkMessage, Timer, JsonValue> {
  private readonly raft: RaftServer;
  private tree!: DataTree;
  private fired: WatchEvent[] = [];
  /**
   * Leader only: when each open session was last heard from (local clock); cleared when leadership
   * is lost. Bound: the open sessions of the tree. An entry is only made for a session open at the
   * time, and every session tick drops those of sessions closed since (asserted there); before,
   * every session ever opened under one leader stayed, so the table grew with client restarts.
   */
  private readonly heard = new Map<string, number>();
  /** Leader only: when close-session was last proposed for an open session (same bound, same pruning). */
  private readonly closing = new Map<string, number>();
  /** The term this server leads in (-1: not leading). */
  private leading = -1;

  constructor(private readonly o: ZkServerOptions) {
    const machine = zkTreeService({ tree: (t) => void (this.tree = t), fired: (e) => void this.fired.push(e) });
    this.raft = new RaftServer({ ...o.raft, machine });
  }

  onStart(io: ServerIo): void {
    this.inner(io, (r) => this.raft.onStart(r));
    io.setTimer({ name: 'session-tick' }, this.o.tick);
  }

  onRecover(io: ServerIo): void {
    this.inner(io, (r) => this.raft.onRecover(r));
    io.setTimer({ name: 'session-tick' }, this.o.tick);
  }

  onMessage(io: ServerIo, from: NodeId, msg: ZkMessage): void {
    switch (msg.type) {
      case 'ping':
        return this.onPing(io, from, msg.session, msg.sent);
      case 'pong':
      case 'not-leader':
      case 'expired':
      case 'watch':
      case 'write':
      case 'write-ack':
        return;
      case 'client-req':
        // A request is a sign of life of its session too (ZooKeeper: any traffic on the session).
        if (this.isLeader() && this.tree.sessionClient(msg.client) !== undefined) this.heard.set(msg.client, io.now());
        this.inner(io, (r) => this.raft.onMessage(r, from, msg));
        return;
      default:
        this.inner(io, (r) => this.raft.onMessage(r, from, msg));
    }
  }

  onTimer(io: ServerIo, timer: Timer): void {
    const t = timer as ZkTimer;
    if (t.name !== 'session-tick') return this.inner(io, (r) => this.raft.onTimer(r, t));
    io.setTimer({ name: 'session-tick' }, this.o.tick);
    if (!this.isLeader()) return;
    this.inner(io, (r) => this.expireSessions(r));
  }

  private isLeader(): boolean {
    return this.raft.raft !== undefined && this.raft.raft.isLeader();
  }

  /** Only the leader keeps sessions alive; others point to it. */
  private onPing(io: ServerIo, from: NodeId, session: string, sent: number): void {
    if (!this.isLeader()) return io.send(from, { type: 'not-leader', leaderHint: this.raft.raft?.leaderId ?? null });
    if (this.tree.sessionClient(session) !== undefined) {
      this.heard.set(session, io.now());
      return io.send(from, { type: 'pong', session, sent });
    }
    // Closed (or never opened) once applied past the entry that would have opened it; else not applied yet.
    if (openedAt(session) <= this.raft.raft.lastApplied) io.send(from, { type: 'expired', session });
  }

  /** The leader's session clock: propose close-session for every session silent longer than the timeout. */
  private expireSessions(r: InnerIo): void {
    const now = r.now();
    const open = this.tree.sessionIds();
    const isOpen = new Set(open);
    for (const table of [this.heard, this.closing]) for (const s of table.keys()) if (!isOpen.has(s)) table.delete(s);
    assert(this.heard.size <= open.length && this.closing.size <= open.length, () => `zookeeper leader: session tables (${this.heard.size} heard, ${this.closing.size} closing) beyond the ${open.length} open sessions`);
    for (const s of open) {
      const heard = this.heard.get(s);
      if (heard === undefined) {
        this.heard.set(s, now); // a new session, or a new leader: a fresh timeout
        continue;
      }
      if (now - heard <= this.o.sessionTimeout) continue;
      const last = this.closing.get(s);
      if (last !== undefined && now - last < this.o.sessionTimeout) continue;
      this.closing.set(s, now);
      r.log(`session ${s} expired: proposing close-session`);
      // Proposed as the session's own closing request: (close:<s>, 1) is applied once however often proposed.
      const req: ClientRequest = { type: 'client-req', client: `close:${s}`, seq: 1, op: { op: 'close-session', session: s } };
      this.raft.onMessage(r, r.id, req);
    }
  }

  /** Run one inner Raft step, then what follows it: leadership bookkeeping, watch notifications, the merged publish. */
  private inner(io: ServerIo, f: (r: InnerIo) => void): void {
    const r = new InnerIo(io);
    const zxid = this.tree?.lastZxid;
    const sessions = this.tree?.sessionIds().length;
    f(r);
    const term = this.isLeader() ? this.raft.raft.currentTerm : -1;
    if (term !== this.leading) {
      this.leading = term;
      this.heard.clear();
      this.closing.clear();
    }
    const fired = this.fired;
    this.fired = [];
    if (term >= 0) {
      for (const e of fired) {
        const client = this.tree.sessionClient(e.session);
        if (client !== undefined) io.send(client, { type: 'watch', event: e, zxid: e.zxid });
      }
    }
    if (r.published !== undefined || this.tree.lastZxid !== zxid || this.tree.sessionIds().length !== sessions) {
      io.publish({ ...(r.published ?? this.raft.published()), ...this.zkState() } as unknown as JsonValue);
    }
  }

  private zkState(): ZkServerState {
    const t = this.tree;
    const queue = t.children(LOCK_DIR).sort((a, b) => Number(a.slice(-10)) - Number(b.slice(-10))).map((name) => ({ name, owner: t.get(`${LOCK_DIR}/${name}`)?.owner ?? null }));
    return { sessions: t.sessionIds(), queue, zxid: t.lastZxid };
  }
}
