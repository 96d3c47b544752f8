// The lock server node, a sans-IO ProtocolNode (sim/api/node.ts) around the
// lock table (sim/protocols/common/lock-table.ts). It feeds each request to the table with its own clock reading,
// makes the table durable (write + fsync) BEFORE any answer leaves, so a grant's
// fencing token can never be handed out again after a crash, and keeps a timer
// at the next lease expiry so waiters are served when a holder goes silent.
//
// Lease expiries are recorded in the client history as a release by the holder
// (the convention of lockModel in sim/check/linearizability/models.ts): the
// service took the lock back on the holder's behalf.

import { assert, type Io, type Micros, type ProtocolNode } from '../../api/index.ts';
import { type LockMessage, type LockRequest, sessionOwner } from './messages.ts';
import type { LockServerState } from './state.ts';
import { type LockCommand, type LockResult, LockTable, type LockTableOptions, type LockTableSnapshot } from '../common/lock-table.ts';

export const TABLE_KEY = 'lock-table';

/** The server's one timer: the next lease expiry (a tick of the table), on the local clock. */
export type LockServerTimer = { name: 'expire' };

type ServerIo = Io<LockMessage, LockServerTimer, LockServerState>;

export interface LockServerOptions {
  /** PLANTED BUG: write the table but never fsync it, so a crash forgets grants and the token counter. */
  skipFsync: boolean;
  /** PLANTED BUG: leases end this many µs early on the server's own clock (0 = correct). */
  expireEarlyBy: Micros;
  /** The lock names clients use (config `locks`): the table's bound (LockTableOptions.maxLocks). */
  maxLocks?: number;
  /** The clients (config `clients`): with maxLocks, the bound of the late-duplicate table (clients x locks). */
  maxClients?: number;
}

export class LockServer implements ProtocolNode<LockMessage, LockServerTimer, LockServerState> {
  table!: LockTable;
  /** Set when the durable table could not be read: the server refuses to serve rather than reuse tokens. */
  broken = false;
  /**
   * Highest acquire/release request number seen per client and lock: an older copy arriving later
   * is dropped. One entry per client and lock, not per session (a Redis-recipe client opens a
   * session per attempt, so a per-session table grew with the workload): a client numbers its
   * requests upwards across its sessions and, through the incarnation it keeps on disk, across its
   * restarts (client.ts, REQS_PER_LIFE), so "older than the newest seen from this client on this
   * lock" still recognises every late copy however late the network delivers it, and also drops a
   * late copy of an earlier session's request, which the per-session table let through. Bound:
   * maxClients x maxLocks, asserted.
   */
  private readonly lastReq = new Map<string, number>();

  constructor(private readonly opts: LockServerOptions) {}

  private tableOptions(): LockTableOptions {
    return { expireEarlyBy: this.opts.expireEarlyBy, ...(this.opts.maxLocks !== undefined ? { maxLocks: this.opts.maxLocks } : {}) };
  }

  /** The fencing token counter held now (read only: the recovery oracle compares it, protocol.ts); undefined before start or when broken. */
  durableParts(): { nextToken: number } | undefined {
    return this.broken || (this.table as LockTable | undefined) === undefined ? undefined : { nextToken: this.table.tokenCounter() };
  }

  onStart(ctx: ServerIo): void {
    this.table = new LockTable(this.tableOptions());
    this.persist(ctx);
    ctx.publish(this.table.state());
  }

  onRecover(ctx: ServerIo): void {
    let snap: LockTableSnapshot | undefined;
    try {
      snap = ctx.read<LockTableSnapshot>(TABLE_KEY);
    } catch (err) {
      if (!(err instanceof Error && err.name === 'DiskCorruptionError')) throw err;
      // Fail-stop: without the table and the token counter we cannot know which tokens are used, and
      // starting afresh would reuse them. A single server stays down; a replicated one recovers from peers.
      this.broken = true;
      ctx.log(`lock table on disk is corrupt (${err.message}): refusing to serve`);
      return;
    }
    this.table = snap ? LockTable.restore(snap, this.tableOptions()) : new LockTable(this.tableOptions());
    ctx.log(snap ? `recovered lock table, next token ${this.table.tokenCounter()}` : 'recovered with an empty lock table');
    // Time passed while we were down: expire what ran out, then serve waiters.
    this.run(ctx, { op: 'tick', now: ctx.now() }, undefined);
  }

  onMessage(ctx: ServerIo, from: string, msg: LockMessage): void {
    if (this.broken) return;
    if (msg.type !== 'acquire' && msg.type !== 'keepalive' && msg.type !== 'release') return;
    // A delayed or duplicated acquire or release must not act after a newer one on the same lock (an old
    // acquire would re-take a released lock). Keep-alives are exempt: one arriving late only lengthens the
    // lease, which errs on the safe side, and they race with the lock requests sent next to them.
    if (msg.type !== 'keepalive') {
      const key = `${sessionOwner(msg.session)} ${msg.lock}`;
      if ((this.lastReq.get(key) ?? 0) >= msg.req) return;
      this.lastReq.set(key, msg.req);
      const bound = (this.opts.maxClients ?? Number.POSITIVE_INFINITY) * (this.opts.maxLocks ?? Number.POSITIVE_INFINITY);
      assert(this.lastReq.size <= bound, () => `lock server: ${this.lastReq.size} request-number entries, bound ${this.opts.maxClients} clients x ${this.opts.maxLocks} locks`);
    }
    const now = ctx.now();
    let cmd: LockCommand;
    switch (msg.type) {
      case 'acquire':
        cmd = { op: 'acquire', session: msg.session, lock: msg.lock, ttl: msg.ttl, wait: msg.wait, open: msg.open, now };
        break;
      case 'keepalive':
        cmd = { op: 'keepalive', session: msg.session, ttl: msg.ttl, now };
        break;
      case 'release':
        cmd = { op: 'release', session: msg.session, lock: msg.lock, now, ...(msg.token !== undefined ? { token: msg.token } : {}) };
        break;
    }
    this.run(ctx, cmd, { to: from, req: msg });
  }

  onTimer(ctx: ServerIo, timer: LockServerTimer): void {
    if (!this.broken && timer.name === 'expire') this.run(ctx, { op: 'tick', now: ctx.now() }, undefined);
  }

  private run(ctx: ServerIo, cmd: LockCommand, from: { to: string; req: LockRequest } | undefined): void {
    const res = this.table.apply(cmd);
    // Every request moves a session's lease; a tick changes the table only when something expired.
    const changed = cmd.op !== 'tick' || res.expired.length > 0;
    // Durable before visible: nothing below may leave the node until the table is on disk.
    if (changed) this.persist(ctx);
    this.recordExpiries(ctx, res);
    // The table's time, not ctx.now(): it never goes backwards, even if the node's clock is set back.
    const serverTime = this.table.time();
    if (from && res.reply) ctx.send(from.to, { type: 'lock-reply', req: from.req.req, session: from.req.session, reply: res.reply, serverTime });
    for (const grant of res.grants) ctx.send(sessionOwner(grant.session), { type: 'granted', grant, serverTime });
    if (changed) ctx.publish(this.table.state());
    this.armExpiry(ctx);
  }

  private persist(ctx: ServerIo): void {
    ctx.put(TABLE_KEY, this.table.snapshot());
    if (!this.opts.skipFsync) ctx.fsync();
  }

  private recordExpiries(ctx: ServerIo, res: LockResult): void {
    for (const f of res.freed) {
      const op = ctx.invoke({ process: sessionOwner(f.session), f: 'release', key: f.lock, value: 'lease-expired' });
      ctx.complete(op, 'ok', f.token);
      ctx.log(`lease of ${f.session} on ${f.lock} (token ${f.token}) expired`);
    }
  }

  private armExpiry(ctx: ServerIo): void {
    const at = this.table.nextExpiry();
    if (at === undefined) ctx.cancelTimer('expire');
    // Measured from the local clock, which may lag the table's time after the clock was set back:
    // the tick must come when the local clock reaches `at`, or it would find nothing to expire.
    else ctx.setTimer({ name: 'expire' }, Math.max(1, at - ctx.now()));
  }
}
