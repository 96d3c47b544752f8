// A client running ZooKeeper's lock recipe ("ZooKeeper Recipes and Solutions",
// Locks), with a session kept alive by pings:
//   1. create an ephemeral sequential znode /lock/lock-<session>-; the name carries
//      the session id so that, if the reply is lost, the retry first lists /lock and
//      finds the znode it may already have made (the recipe's "recoverable errors")
//   2. list /lock (no watch); lowest sequence number: the lock is ours
//   3. else exists(predecessor, watch): only the next lower znode is watched, so a
//      release wakes one waiter (no herd effect); on the watch event, go to 2
//   4. release: delete our znode.
// The fencing token is our znode's zxid (czxid: the Raft log index of its create,
// durable and never reused). The client trusts its session until the last
// acknowledged ping's send time plus the session timeout (minus `margin`); before
// the work for each write it checks that the work fits, then writes unchecked.
// The service is replicated on Raft: requests are Raft client requests (client =
// the session, one sequence number per request) sent to the server believed to
// lead; a redirection names the leader (or the next server is tried after a
// back-off), a request timeout resends it, same sequence number, to the next
// server (a create excepted: see req-timeout). Pings go to the leader too.

import { atOrFail, type Io, type JsonValue, type NodeId, type OpRef, type ProtocolNode, type Timer } from '../../api/index.ts';
import type { ClientOp, ZkMessage } from './messages.ts';
import type { TreeResult } from './tree.ts';
import { LOCK_DIR } from './server.ts';
import type { ZkClientPhase, ZkClientState } from './state.ts';

export interface ZkClientOptions {
  /** The coordination servers (Raft), tried in turn until one leads. */
  servers: readonly NodeId[];
  resource: NodeId;
  sessionTimeout: number;
  requestTimeout: number;
  writes: number;
  work: number;
  think: number;
  margin: number;
  startAfter: number;
  /** PLANTED BUG: wait with a child watch on /lock (every change wakes every waiter). */
  watchParent: boolean;
  /** PLANTED BUG: on any watch event take the lock without listing again. */
  noRecheck: boolean;
  /** PLANTED BUG: retry a create whose reply was lost without looking for the znode it may have made. */
  createWithoutId: boolean;
}

type Purpose = 'create' | 'find' | 'list' | 'watch' | 'watch-parent' | 'delete';
type ZkTimer = Timer & { name: 'connect-retry' | 'ping' | 'req-timeout' | 'resend' | 'work' | 'write-retry' | 'next' };
type ClientIo = Io<ZkMessage, ZkTimer, JsonValue>;

const seqOf = (name: string): number => Number(name.slice(-10));
const bySeq = (a: string, b: string): number => seqOf(a) - seqOf(b);

export class ZkLockClient implements ProtocolNode<ZkMessage, ZkTimer, JsonValue> {
  private phase: ZkClientPhase = 'connecting';
  private session: string | null = null;
  private lastAck = 0;
  private req = 0;
  private pending: { req: number; op: ClientOp; purpose: Purpose } | null = null;
  private node: string | null = null;
  private watching: string | null = null;
  private token: number | null = null;
  private seq = 0;
  private acquired = 0;
  private acquireOp: OpRef | null = null;
  /** The release in flight (recorded in the history, so a trace's acquires and releases are a lock history `faultline check` can judge). */
  private releaseOp: OpRef | null = null;
  /** The zxid of our znode's create (the fencing token), once listed. */
  private czxid: number | null = null;
  /** Index in `servers` of the server believed to lead. */
  private target = 0;
  /** The Raft client id of the current connect attempt (its retries reuse it: one session per attempt). */
  private connectKey: string | null = null;
  /** Whether the last ping got an answer (a pong or a redirection); if not, the next ping tries the next server. */
  private pingAnswered = true;
  private pinged: NodeId | null = null;

  constructor(private readonly o: ZkClientOptions) {}

  onStart(io: ClientIo): void {
    this.target = io.rng.int(0, this.o.servers.length);
    io.setTimer({ name: 'connect-retry' }, this.o.startAfter);
    this.publish(io);
  }

  onMessage(io: ClientIo, _from: NodeId, msg: ZkMessage): void {
    switch (msg.type) {
      case 'client-reply':
        if (!msg.ok) return this.redirected(io, msg.leaderHint ?? null, msg.seq);
        if (this.session === null) {
          const r = msg.result as TreeResult | undefined;
          if (this.phase !== 'connecting' || msg.seq !== 0 || r?.ok !== true || r.session === undefined) return;
          this.session = r.session;
          this.connectKey = null;
          this.lastAck = io.now();
          io.cancelTimer('connect-retry');
          io.cancelTimer('resend');
          io.setTimer({ name: 'ping' }, Math.max(1, Math.floor(this.o.sessionTimeout / 3)));
          this.startRound(io);
          return;
        }
        if (this.pending?.req === msg.seq) this.onResponse(io, msg.result as never);
        return;
      case 'not-leader':
        this.pingAnswered = true;
        this.follow(msg.leaderHint);
        return;
      case 'pong':
        this.pingAnswered = true;
        if (msg.session === this.session) this.lastAck = Math.max(this.lastAck, msg.sent);
        return;
      case 'expired':
        if (msg.session === this.session) this.sessionLost(io, 'the server expired our session');
        return;
      case 'watch':
        if (msg.event.session !== this.session || this.phase !== 'waiting') return;
        if (this.o.noRecheck) return this.hold(io);
        this.list(io);
        return;
      case 'write-ack':
        if (this.phase !== 'holding' || msg.tenure !== this.tenure || msg.seq !== this.seq) return;
        io.cancelTimer('write-retry');
        if (!msg.ok) {
          io.log(`write ${msg.seq} rejected by the resource (token ${msg.token} fenced off)`);
          this.release(io);
        } else if (this.seq >= this.o.writes) this.release(io);
        else this.prepare(io);
        return;
      default:
    }
  }

  onTimer(io: ClientIo, timer: ZkTimer): void {
    switch (timer.name) {
      case 'connect-retry':
        this.rotate();
        this.connect(io);
        return;
      case 'resend':
        if (this.session === null) return this.connect(io);
        if (this.pending !== null) this.sendRequest(io);
        return;
      case 'ping':
        if (this.session === null) return;
        if (io.now() - this.lastAck > this.o.sessionTimeout) return this.sessionLost(io, 'no answer from the server within the session timeout');
        // The server we pinged last is silent (down, or cut off): try the next.
        if (!this.pingAnswered && this.leader === this.pinged) this.rotate();
        this.pingAnswered = false;
        this.pinged = this.leader;
        io.send(this.leader, { type: 'ping', session: this.session, sent: io.now() });
        io.setTimer({ name: 'ping' }, Math.max(1, Math.floor(this.o.sessionTimeout / 3)));
        // ZooKeeper delivers watch events reliably over the session's connection; here a
        // notification can be lost, so a waiter re-arms its watch with each ping (setting a
        // watch that is already set is a no-op on the server).
        if (this.phase === 'waiting' && this.pending === null && this.watching !== null) {
          if (this.o.watchParent) this.request(io, { op: 'children', path: LOCK_DIR, watch: true }, 'watch-parent');
          else this.request(io, { op: 'exists', path: `${LOCK_DIR}/${this.watching}`, watch: true }, 'watch');
        }
        return;
      case 'req-timeout': {
        const p = this.pending;
        if (!p) return;
        this.rotate();
        // A create whose answer is late may or may not have happened: the recipe's recovery (find
        // our znode by its session-stamped name, or the planted bug's blind create). Any other
        // request is resent as is, under the same sequence number: the service's session table
        // applies it once, and the answer to any of its copies is taken, however slow the network.
        if (p.purpose === 'create') return this.create(io, true);
        this.sendRequest(io);
        return;
      }
      case 'work':
        if (this.phase === 'holding') this.write(io);
        return;
      case 'write-retry':
        if (this.phase !== 'holding') return;
        if (!this.valid(io, 0)) return this.release(io);
        this.send(io);
        return;
      case 'next':
        if (this.session !== null && this.phase === 'idle') this.startRound(io);
        return;
    }
  }

  private get tenure(): string {
    return `${this.session}/${this.node}`;
  }

  private get leader(): NodeId {
    return atOrFail(this.o.servers, this.target, 'servers');
  }

  private rotate(): void {
    this.target = (this.target + 1) % this.o.servers.length;
  }

  /** Go to the server named as leader (none named: the next one). */
  private follow(hint: NodeId | null): void {
    const i = hint === null ? -1 : this.o.servers.indexOf(hint);
    if (i >= 0) this.target = i;
    else this.rotate();
  }

  /** A server that does not lead turned the request away: send it again to the leader it named, after a short back-off. */
  private redirected(io: ClientIo, hint: NodeId | null, seq: number): void {
    const ours = this.session === null ? this.phase === 'connecting' && seq === 0 : this.pending?.req === seq;
    if (!ours) return;
    this.follow(hint);
    io.setTimer({ name: 'resend' }, Math.max(1, Math.floor(this.o.requestTimeout / 4)));
  }

  /** Open a session: the create-session entry, retried under one Raft client id (`<client>@<local time>`) so a retry opens no second session. */
  private connect(io: ClientIo): void {
    this.phase = 'connecting';
    this.session = null;
    this.connectKey ??= `${io.id}@${io.now()}`;
    io.send(this.leader, { type: 'client-req', client: this.connectKey, seq: 0, op: { op: 'create-session', client: io.id } });
    io.setTimer({ name: 'connect-retry' }, this.o.requestTimeout);
    this.publish(io);
  }

  private sessionLost(io: ClientIo, why: string): void {
    io.log(`session ${this.session} lost: ${why}`);
    for (const t of ['ping', 'req-timeout', 'resend', 'work', 'write-retry', 'next']) io.cancelTimer(t);
    if (this.acquireOp !== null) io.complete(this.acquireOp, 'info');
    this.acquireOp = null;
    if (this.releaseOp !== null) io.complete(this.releaseOp, 'info');
    this.releaseOp = null;
    this.pending = null;
    this.node = null;
    this.watching = null;
    this.token = null;
    this.czxid = null;
    this.connectKey = null;
    this.connect(io);
  }

  private request(io: ClientIo, op: ClientOp, purpose: Purpose): void {
    if (this.session === null) return;
    this.pending = { req: ++this.req, op, purpose };
    io.cancelTimer('resend');
    this.sendRequest(io);
  }

  private sendRequest(io: ClientIo): void {
    if (this.session === null || this.pending === null) return;
    io.send(this.leader, { type: 'client-req', client: this.session, seq: this.pending.req, op: this.pending.op as unknown as JsonValue });
    io.setTimer({ name: 'req-timeout' }, this.o.requestTimeout);
  }

  /** Step 1. */
  private startRound(io: ClientIo): void {
    this.acquireOp = io.invoke({ process: io.id, f: 'acquire', key: 'lock' });
    this.create(io, false);
  }

  private create(io: ClientIo, retry: boolean): void {
    this.phase = 'creating';
    this.publish(io);
    if (retry && !this.o.createWithoutId) return this.request(io, { op: 'children', path: LOCK_DIR, watch: false }, 'find');
    this.request(io, { op: 'create', path: `${LOCK_DIR}/lock-${this.session}-`, data: io.id, ephemeral: true, sequential: true }, 'create');
  }

  /** Step 2. */
  private list(io: ClientIo): void {
    this.phase = 'listing';
    this.watching = null;
    this.request(io, { op: 'children', path: LOCK_DIR, watch: false }, 'list');
  }

  private onResponse(io: ClientIo, r: TreeResult | null): void {
    const p = this.pending as { purpose: Purpose };
    if (r === null) return; // an answer to an older request of ours (Raft's session table): wait for ours
    this.pending = null;
    io.cancelTimer('req-timeout');
    io.cancelTimer('resend');
    if (!r.ok && r.error === 'SESSIONEXPIRED') return this.sessionLost(io, 'the service closed our session');
    switch (p.purpose) {
      case 'create':
        if (!r.ok || r.path === undefined) return this.create(io, true);
        this.node = r.path.slice(LOCK_DIR.length + 1);
        this.czxid = r.zxid ?? null;
        return this.list(io);
      case 'find': {
        const mine = (r.ok ? (r.children ?? []) : []).find((c) => c.startsWith(`lock-${this.session}-`));
        if (mine === undefined) return this.create(io, false);
        this.node = mine;
        this.czxid = null;
        return this.list(io);
      }
      case 'list':
      case 'watch-parent': {
        const children = r.ok ? (r.children ?? []) : [];
        const queue = [...children].sort(bySeq);
        const i = this.node === null ? -1 : queue.indexOf(this.node);
        if (i >= 0 && r.ok) this.czxid = r.czxids?.[children.indexOf(this.node as string)] ?? null;
        if (i < 0) {
          io.log(`our znode ${this.node} is gone: starting over`);
          return this.create(io, false);
        }
        if (i === 0) return this.hold(io);
        const pred = atOrFail(queue, i - 1, 'lock queue');
        this.phase = 'waiting';
        this.watching = this.o.watchParent ? LOCK_DIR : pred;
        this.publish(io);
        // Step 3: watch only the predecessor (the bug: the whole directory).
        if (this.o.watchParent) {
          if (p.purpose === 'list') this.request(io, { op: 'children', path: LOCK_DIR, watch: true }, 'watch-parent');
          return;
        }
        this.request(io, { op: 'exists', path: `${LOCK_DIR}/${pred}`, watch: true }, 'watch');
        return;
      }
      case 'watch':
        if (!r.ok || !r.exists) return this.list(io);
        return;
      case 'delete':
        if (this.releaseOp !== null) io.complete(this.releaseOp, 'ok');
        this.releaseOp = null;
        this.node = null;
        this.czxid = null;
        this.phase = 'idle';
        this.publish(io);
        io.setTimer({ name: 'next' }, io.rng.int(1, this.o.think + 2));
        return;
    }
  }

  private hold(io: ClientIo): void {
    if (this.node === null) return;
    if (this.czxid === null) return this.list(io); // the token is not known yet: list to learn it
    this.phase = 'holding';
    this.watching = null;
    // The fencing token: our znode's zxid (a Raft log index: from 1, the resource starts at 0).
    this.token = this.czxid;
    this.seq = 0;
    this.acquired++;
    if (this.acquireOp !== null) io.complete(this.acquireOp, 'ok');
    this.acquireOp = null;
    this.publish(io);
    this.prepare(io);
  }

  /** Trust the session until the last acknowledged ping's send time plus the timeout, minus margin. */
  private valid(io: ClientIo, ahead: number): boolean {
    return io.now() + ahead + this.o.margin < this.lastAck + this.o.sessionTimeout;
  }

  private prepare(io: ClientIo): void {
    if (!this.valid(io, this.o.work)) {
      io.log('session may expire before the next write: releasing');
      return this.release(io);
    }
    io.setTimer({ name: 'work' }, this.o.work);
  }

  private write(io: ClientIo): void {
    this.seq++;
    this.send(io);
  }

  private send(io: ClientIo): void {
    io.send(this.o.resource, { type: 'write', client: io.id, tenure: this.tenure, token: this.token as number, seq: this.seq });
    io.setTimer({ name: 'write-retry' }, this.o.requestTimeout);
  }

  /** Step 4. */
  private release(io: ClientIo): void {
    io.cancelTimer('work');
    io.cancelTimer('write-retry');
    this.phase = 'releasing';
    this.token = null;
    if (this.releaseOp === null) this.releaseOp = io.invoke({ process: io.id, f: 'release', key: 'lock' });
    this.publish(io);
    this.request(io, { op: 'delete', path: `${LOCK_DIR}/${this.node}` }, 'delete');
  }

  private publish(io: ClientIo): void {
    const s: ZkClientState = { phase: this.phase, session: this.session, node: this.node, watching: this.watching, token: this.token, acquired: this.acquired };
    io.publish(s as unknown as JsonValue);
  }
}
