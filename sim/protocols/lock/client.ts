// A lock client: a process that repeatedly takes a lock, does some writes to
// the protected resource inside its critical section, and lets the lock go.
// It has only its own clock (which may be offset, drift, or stop while the
// process is paused) and follows one of two recipes:
//
// - 'fencing' (Chubby sessions + Kleppmann's fencing tokens): a session kept
//   alive by keep-alives, a FIFO wait for the lock, and the grant's token sent
//   with every write so the resource can refuse a stale holder.
// - 'redis' (SET lock value NX PX ttl; delete only if the value is still ours):
//   a fresh random value per attempt, no waiting (retry after a back-off), no
//   keep-alives, and no token: the resource cannot tell a stale writer.
//
// Either way the client believes it holds the lock until its local lease
// deadline: the local send time of the last request the server answered, plus
// the ttl, minus a safety margin. It checks that belief before each write, then
// does the work (a delay) and sends the write WITHOUT checking again: a pause
// between the check and the write is exactly the failure Kleppmann describes,
// and no amount of checking closes it; only fencing does.

import { assert, type Io, type Micros, type OpRef, type ProtocolNode } from '../../api/index.ts';
import type { LockMessage, ResourceAck } from './messages.ts';
import type { LockClientState, LockRecipe } from './state.ts';
import type { Grant, LockReply } from '../common/lock-table.ts';

export interface LockClientOptions {
  recipe: LockRecipe;
  server: string;
  resource: string;
  locks: readonly string[];
  ttl: Micros;
  keepAlive: Micros;
  margin: Micros;
  retry: Micros;
  writes: number;
  work: Micros;
  think: Micros;
  /** Delay before the first attempt (local clock). */
  startAfter: Micros;
  /** Stop after this many critical sections (0 = never). */
  cycles: number;
  /** PLANTED BUG: skip the release after a completed critical section. */
  neverRelease: boolean;
  /** PLANTED BUG: after the server forgot the session, keep using it (every later acquire gets no-session). */
  keepStaleSession?: boolean;
}

type Phase = 'idle' | 'acquiring' | 'holding' | 'releasing';

/**
 * The client's timers (local clock), one of each at most:
 * - `think`: idle time over, try to acquire; `retry`: retransmit the pending request or write;
 * - `keepalive`: renew the session (fencing recipe); `check`: check the lease, then work;
 * - `write`: the work is done, send the write (without checking the lease again).
 */
export type LockClientTimer = { name: 'think' } | { name: 'retry' } | { name: 'keepalive' } | { name: 'check' } | { name: 'write' };

type ClientIo = Io<LockMessage, LockClientTimer, LockClientState>;

/** Disk key of the client's incarnation (how many times the process has started), fsynced before it sends anything. */
export const INCARNATION_KEY = 'incarnation';
/**
 * Request numbers of one life: life k (from 0) numbers its requests from k * REQS_PER_LIFE + 1, so a
 * client's request numbers grow across its sessions and its restarts (2^32 per life, 2^21 lives
 * within Number.MAX_SAFE_INTEGER). The server and the resource rely on that to keep one entry
 * per client instead of one per session or tenure.
 */
export const REQS_PER_LIFE = 2 ** 32;

export class LockClient implements ProtocolNode<LockMessage, LockClientTimer, LockClientState> {
  phase: Phase = 'idle';
  lock = '';
  session = '';
  token: number | null = null;
  deadline: Micros | null = null;
  /** Critical sections completed (every write acknowledged). */
  completed = 0;
  /** The last request number used (see REQS_PER_LIFE); -1: the incarnation could not be read, the process does not run. */
  private req = 0;
  /** The order (request number) of the write in flight: retransmissions reuse it. */
  private writeOrder = 0;
  private readonly sentAt = new Map<number, Micros>();
  /** Local send time of the latest request the server answered while our session was alive. */
  private lastAck: Micros | null = null;
  private op: OpRef = -1;
  private tenure = '';
  private seq = 0;
  private inflightWrite = false;
  private sections = 0;
  /** Copies of the current acquire sent (retries). */
  private copies = 0;
  /** The session has not been opened at the server yet. */
  private fresh = false;
  /** First request id of the current acquire: replies to earlier requests answer earlier attempts. */
  private acquireFrom = 0;
  /** Per lock, the highest fencing token this client was granted. */
  private readonly lastToken = new Map<string, number>();
  /**
   * A late grant of an earlier attempt on the lock we are acquiring again, in the same session:
   * handed back only once the current attempt is over. The server answers a holder's acquire
   * with the same tenure, so handing it back at once could free the tenure the current attempt is
   * about to be granted (found by fuzzing with slow links: lock-slow-stale-grant).
   */
  private staleGrant: Grant | undefined = undefined;

  constructor(private readonly o: LockClientOptions) {}

  onStart(ctx: ClientIo): void {
    if (!this.newLife(ctx)) return;
    this.publish(ctx);
    ctx.setTimer({ name: 'think' }, this.o.startAfter + this.thinkTime(ctx));
  }

  onRecover(ctx: ClientIo): void {
    // A restarted process remembers nothing but its incarnation (on disk): its old session lapses
    // on the server by itself. Every field above is this instance's own: the engine makes a fresh
    // instance at each restart (sim/api/node.ts), test/lock/client-crash.test.ts checks it.
    ctx.log('restarted: any lock held before the crash is abandoned');
    this.onStart(ctx);
  }

  /**
   * Count this life on disk (write + fsync before anything is sent) and number its requests after
   * every earlier life's. A corrupt record leaves the process stopped (fail-stop, as the server
   * does): reusing an earlier life's numbers would let the server drop its requests as old copies.
   */
  private newLife(ctx: ClientIo): boolean {
    let lives: number;
    try {
      lives = ctx.read<number>(INCARNATION_KEY) ?? 0;
    } catch (err) {
      if (!(err instanceof Error && err.name === 'DiskCorruptionError')) throw err;
      ctx.log(`incarnation record on disk is corrupt (${err.message}): refusing to run`);
      this.req = -1;
      return false;
    }
    ctx.put(INCARNATION_KEY, lives + 1);
    ctx.fsync();
    this.req = lives * REQS_PER_LIFE;
    assert(Number.isSafeInteger(this.req + REQS_PER_LIFE), () => `lock client: incarnation ${lives} beyond the safe request numbers`);
    return true;
  }

  onTimer(ctx: ClientIo, timer: LockClientTimer): void {
    if (this.req < 0) return;
    switch (timer.name) {
      case 'think':
        if (this.phase === 'idle') this.startAcquire(ctx);
        return;
      case 'retry':
        this.retry(ctx);
        return;
      case 'keepalive':
        // The session is kept alive for its whole life, idle or not (Chubby 2.8), so it outlives think times.
        if (this.o.recipe === 'fencing' && this.session !== '') {
          this.request(ctx, { type: 'keepalive', session: this.session, ttl: this.o.ttl });
          ctx.setTimer({ name: 'keepalive' }, this.o.keepAlive);
        }
        return;
      case 'check':
        this.checkAndWork(ctx);
        return;
      case 'write':
        this.sendWrite(ctx);
        return;
    }
  }

  onMessage(ctx: ClientIo, _from: string, msg: LockMessage): void {
    switch (msg.type) {
      case 'lock-reply':
        if (msg.session === this.session) this.onReply(ctx, msg.req, msg.reply);
        return;
      case 'granted':
        // A pushed grant (we were a waiter) is new only if its token is: tokens only grow.
        if (msg.grant.session === this.session) this.onGrant(ctx, msg.grant, undefined, msg.grant.token > (this.lastToken.get(msg.grant.lock) ?? 0));
        return;
      case 'write-ack':
        this.onWriteAck(ctx, msg);
        return;
      default:
        return;
    }
  }

  // ------------------------------------------------------------ acquire

  private startAcquire(ctx: ClientIo): void {
    if (this.o.cycles > 0 && this.sections >= this.o.cycles) return;
    const [first] = this.o.locks;
    assert(first !== undefined, 'a lock client needs at least one lock to contend for');
    this.lock = this.o.locks.length === 1 ? first : ctx.rng.pick(this.o.locks);
    // Fencing: one session per life of the process (a new one after it expired). Redis: a fresh random value per attempt.
    if (this.o.recipe === 'redis' || this.session === '') {
      this.session = `${ctx.id}/${ctx.rng.int(0, 0xffffff).toString(16).padStart(6, '0')}`;
      this.fresh = true;
    }
    this.phase = 'acquiring';
    this.copies = 0;
    this.acquireFrom = this.req + 1;
    this.op = ctx.invoke({ process: ctx.id, f: 'acquire', key: this.lock });
    this.sendAcquire(ctx);
    if (this.o.recipe === 'fencing' && !ctx.timerArmed('keepalive')) ctx.setTimer({ name: 'keepalive' }, this.o.keepAlive);
    this.publish(ctx);
  }

  private sendAcquire(ctx: ClientIo): void {
    this.copies++;
    // Only a new session's first request opens it; a retry must not bring back a session that expired meanwhile.
    const open = this.copies === 1 && this.fresh;
    this.fresh = false;
    this.request(ctx, { type: 'acquire', session: this.session, lock: this.lock, ttl: this.o.ttl, wait: this.o.recipe === 'fencing', open });
  }

  private onReply(ctx: ClientIo, req: number, reply: LockReply): void {
    const sent = this.sentAt.get(req);
    this.sentAt.delete(req);
    if (reply.kind === 'no-session') return this.sessionLost(ctx);
    // An acquire or keep-alive the server answered renewed our lease from (at the latest) its send time.
    const renewed = reply.kind === 'granted' || reply.kind === 'queued' || reply.kind === 'alive';
    if (sent !== undefined && renewed && (this.lastAck === null || sent > this.lastAck)) this.lastAck = sent;
    switch (reply.kind) {
      case 'granted':
        return this.onGrant(ctx, reply.grant, sent, req >= this.acquireFrom);
      case 'busy':
        if (this.phase === 'acquiring' && reply.lock === this.lock) {
          // SET NX failed: somebody holds it. Definite only if this was our one copy of the request:
          // an earlier copy may still be on the wire and take effect later.
          ctx.complete(this.op, this.copies === 1 ? 'fail' : 'info');
          this.toIdle(ctx, this.o.retry);
        }
        return;
      case 'alive':
        if (this.phase === 'holding') this.extendDeadline();
        return;
      case 'released':
      case 'not-held':
        if (this.phase === 'releasing' && reply.lock === this.lock) {
          // not-held: the lease had already expired (the server recorded that release) or a retry raced the first one.
          ctx.complete(this.op, reply.kind === 'released' ? 'ok' : 'info');
          this.toIdle(ctx, this.thinkTime(ctx));
        }
        return;
      case 'queued':
        return;
    }
  }

  /**
   * `current`: the grant answers the acquire in progress. A late reply to a retry sent
   * before a server stall answers an attempt whose lock we may have held and released
   * since; taking it for the current one would make us believe we hold a lock that
   * another client now holds with a higher token (found by fuzzing: lock-server-pause).
   */
  private onGrant(ctx: ClientIo, grant: Grant, sent: Micros | undefined, current: boolean): void {
    if (this.phase !== 'acquiring' || grant.lock !== this.lock || !current) {
      if (this.phase === 'holding' && grant.lock === this.lock) return; // a retried acquire answered again
      if (this.phase === 'acquiring' && grant.lock === this.lock && grant.session === this.session) {
        // The current attempt's answer decides whether this tenure is ours now (see staleGrant).
        this.staleGrant = grant;
        return;
      }
      // A grant we no longer want (we gave up on it): hand it back, on the record.
      this.handBack(ctx, grant);
      return;
    }
    // Granted the tenure a stale grant named: it is ours now, nothing to hand back.
    if (this.staleGrant !== undefined && this.staleGrant.token === grant.token) this.staleGrant = undefined;
    else this.flushStaleGrant(ctx);
    if (this.o.recipe === 'redis' && sent !== undefined) this.lastAck = sent;
    this.lastToken.set(grant.lock, Math.max(grant.token, this.lastToken.get(grant.lock) ?? 0));
    this.phase = 'holding';
    this.token = grant.token;
    this.tenure = `${this.session}#${grant.token}`;
    this.seq = 0;
    this.extendDeadline();
    ctx.complete(this.op, 'ok', grant.token);
    ctx.cancelTimer('retry');
    this.sections++;
    this.publish(ctx);
    ctx.setTimer({ name: 'check' }, 0);
  }

  private extendDeadline(): void {
    if (this.lastAck !== null) this.deadline = this.lastAck + this.o.ttl - this.o.margin;
  }

  /** The server no longer knows our session: whatever we held or waited for is gone. */
  private sessionLost(ctx: ClientIo): void {
    ctx.log(`session ${this.session} expired at the server`);
    if (!this.o.keepStaleSession) this.session = '';
    this.lastAck = null;
    ctx.cancelTimer('keepalive');
    if (this.phase === 'idle') return;
    if (this.phase === 'acquiring' || this.phase === 'releasing') {
      ctx.complete(this.op, 'info'); // it may have been granted (or released) before it expired
      this.toIdle(ctx, this.thinkTime(ctx));
      return;
    }
    // Holding: stop writing; the server already recorded the expiry as our release.
    this.toIdle(ctx, this.thinkTime(ctx));
  }

  // ------------------------------------------------------------ critical section

  /** Check the lease, then do the work. The write goes out when the work is done, without another check. */
  private checkAndWork(ctx: ClientIo): void {
    if (this.phase !== 'holding' || this.inflightWrite) return;
    if (this.seq >= this.o.writes) {
      if (this.o.neverRelease) return this.toIdle(ctx, this.thinkTime(ctx)); // the bug: no release, session still kept alive
      return this.startRelease(ctx);
    }
    if (this.deadline === null || ctx.now() >= this.deadline) {
      ctx.log(`lease deadline passed on ${this.lock}: giving up the critical section`);
      return this.startRelease(ctx);
    }
    this.seq++;
    this.writeOrder = this.nextReq();
    this.inflightWrite = true;
    ctx.setTimer({ name: 'write' }, this.o.work);
  }

  private sendWrite(ctx: ClientIo): void {
    if (this.phase !== 'holding') return;
    ctx.send(this.o.resource, {
      type: 'write',
      lock: this.lock,
      client: ctx.id,
      tenure: this.tenure,
      token: this.o.recipe === 'fencing' ? this.token : null,
      seq: this.seq,
      order: this.writeOrder,
      value: `${ctx.id}:${this.token}:${this.seq}`,
    });
    ctx.setTimer({ name: 'retry' }, this.o.retry);
  }

  private onWriteAck(ctx: ClientIo, ack: ResourceAck): void {
    if (this.phase !== 'holding' || ack.tenure !== this.tenure || ack.seq !== this.seq || !this.inflightWrite) return;
    this.inflightWrite = false;
    ctx.cancelTimer('retry');
    if (!ack.ok) {
      // Fenced off: a newer holder wrote with a higher token, so our lock is gone.
      ctx.log(`write fenced off by the resource (token ${ack.token} < ${ack.highestToken}): lock lost`);
      return this.startRelease(ctx);
    }
    if (this.seq >= this.o.writes) this.completed++;
    ctx.setTimer({ name: 'check' }, 0);
  }

  // ------------------------------------------------------------ release

  private startRelease(ctx: ClientIo): void {
    this.phase = 'releasing';
    this.inflightWrite = false;
    this.op = ctx.invoke({ process: ctx.id, f: 'release', key: this.lock });
    this.sendRelease(ctx);
    this.publish(ctx);
  }

  private sendRelease(ctx: ClientIo): void {
    // Fencing: release exactly our grant (by token). Redis: delete only if the value is still ours (the session).
    this.request(ctx, { type: 'release', session: this.session, lock: this.lock, ...(this.o.recipe === 'fencing' && this.token !== null ? { token: this.token } : {}) });
  }

  private retry(ctx: ClientIo): void {
    if (this.phase === 'acquiring') this.sendAcquire(ctx);
    else if (this.phase === 'releasing') this.sendRelease(ctx);
    else if (this.phase === 'holding' && this.inflightWrite) return this.sendWrite(ctx);
  }

  /** Hand a grant we do not want back to the server, on the record. */
  private handBack(ctx: ClientIo, grant: Grant): void {
    ctx.send(this.o.server, { type: 'release', req: this.nextReq(), session: grant.session, lock: grant.lock, token: grant.token });
  }

  /** The current attempt is over without the stale grant's tenure: hand that tenure back now. */
  private flushStaleGrant(ctx: ClientIo): void {
    const g = this.staleGrant;
    if (g === undefined) return;
    this.staleGrant = undefined;
    this.handBack(ctx, g);
  }

  private toIdle(ctx: ClientIo, delay: Micros): void {
    if (this.phase === 'acquiring') this.flushStaleGrant(ctx);
    this.phase = 'idle';
    this.token = null;
    this.deadline = null;
    this.inflightWrite = false;
    ctx.cancelTimer('retry');
    if (this.o.recipe === 'redis') this.lastAck = null;
    this.publish(ctx);
    ctx.setTimer({ name: 'think' }, delay);
  }

  // ------------------------------------------------------------ plumbing

  private request(ctx: ClientIo, body: { type: 'acquire'; session: string; lock: string; ttl: Micros; wait: boolean; open: boolean } | { type: 'keepalive'; session: string; ttl: Micros } | { type: 'release'; session: string; lock: string; token?: number }): void {
    const req = this.nextReq();
    this.sentAt.set(req, ctx.now());
    // Keep only recent send times: an answer older than a lease is of no use.
    if (this.sentAt.size > 64) {
      const oldest = this.sentAt.keys().next();
      if (oldest.done !== true) this.sentAt.delete(oldest.value);
    }
    ctx.send(this.o.server, { ...body, req } as LockMessage);
    if (body.type !== 'keepalive') ctx.setTimer({ name: 'retry' }, this.o.retry);
  }

  private nextReq(): number {
    this.req++;
    assert(this.req % REQS_PER_LIFE !== 0, 'lock client: more than 2^32 requests in one life');
    return this.req;
  }

  /** Idle time before the next attempt: uniform in [0, think]. */
  private thinkTime(ctx: ClientIo): Micros {
    return ctx.rng.int(0, this.o.think + 1);
  }

  private publish(ctx: ClientIo): void {
    ctx.publish({ lock: this.lock, holding: this.phase === 'holding', token: this.token, deadline: this.deadline, recipe: this.o.recipe });
  }
}
