// The lock table: a pure, deterministic state machine for a lock service with
// sessions, leases, FIFO waiters and fencing tokens. It knows nothing of the
// engine, the network or the disk; the lock server node (server.ts) and the
// Raft-replicated lock service drive it with commands and act on its results.
//
// API (stable; the Raft lock service replicates exactly this):
//
//   const t = new LockTable(options?)            // or LockTable.restore(snapshot, options?)
//   const r: LockResult = t.apply(command)       // deterministic: same commands, same results
//   r.reply                                      // the answer to the command's sender (null for a tick)
//   r.grants                                     // waiters that were granted a lock as a side effect
//   r.expired                                    // sessions that expired
//   r.freed                                      // locks those expiries took from their holders
//   t.nextExpiry()                               // earliest expiresAt of a live session: when to tick
//   t.time()                                     // the table's clock: the largest `now` it was given
//   t.state()                                    // the published shape (LockServerState, below)
//   t.snapshot() / LockTable.restore(snapshot)   // plain JSON, round-trips exactly
//
// Commands (every one carries `now`, the caller's clock in µs; the table never
// reads a clock and never lets its own time go backwards: it uses the maximum
// `now` it has seen, so a replica fed a leader's timestamps stays monotonic):
//
//   { op: 'acquire',   session, lock, ttl, wait, now, open? }
//                                                        open (unless open === false) or renew `session` with
//                                                        lease `ttl`, then take `lock` if free; else queue (wait)
//                                                        or answer busy. With open: false an unknown session
//                                                        gets no-session: a retried request can confirm what the
//                                                        first copy did but never resurrect an expired session.
//   { op: 'keepalive', session, ttl, now }              extend a live session (and the leases of its locks)
//   { op: 'release',   session, lock, token?, now }     free `lock` if `session` holds it (with `token`, if given);
//                                                        also leaves the queue if the session was waiting
//   { op: 'tick',      now }                            expire sessions whose lease ran out
//
// Semantics, after Chubby (Burrows, OSDI 2006, section 2.8 "Sessions and
// KeepAlives") and Kleppmann's fencing tokens ("How to do distributed locking", 2016):
// - A session lives until now >= expiresAt; keep-alives move expiresAt to now + ttl.
//   Every lock a session holds carries the session's lease; when the session
//   expires its locks are freed and it leaves every queue.
// - A Redis-style client (SET key value NX PX ttl; delete only if the value is
//   still ours) is a session named by its random value that acquires with wait=false
//   and never sends keep-alives: its lease is exactly the ttl of its SET.
// - Every grant takes the next value of one global token counter, so tokens
//   strictly increase per lock and overall, and the counter is part of the
//   snapshot: a server that persists the snapshot before sending a grant never
//   reuses a token across a crash.
// - Waiters are served first come, first served when the lock frees.
// - Acquire by the current holder is idempotent (a retried request gets the same token).
// - Sessions are never deleted except by expiry: an idle session lingers until its lease runs out.

import { assert, type Micros } from '../../api/index.ts';

/** The lock table's published shape: the lock server publishes it (sim/protocols/lock), and Raft's replicated lock service too. */
export type LockServerState = {
  locks: Record<string, { holder: string | null; token: number; expiresAt: Micros; waiters: string[] }>;
  nextToken: number;
};

export type LockCommand =
  | { op: 'acquire'; session: string; lock: string; ttl: Micros; wait: boolean; now: Micros; open?: boolean }
  | { op: 'keepalive'; session: string; ttl: Micros; now: Micros }
  | { op: 'release'; session: string; lock: string; token?: number; now: Micros }
  | { op: 'tick'; now: Micros };

/** A lock handed to a session: `token` is its fencing token, valid until `expiresAt` (table time) unless renewed. */
export interface Grant {
  lock: string;
  session: string;
  token: number;
  expiresAt: Micros;
}

export type LockReply =
  | { kind: 'granted'; grant: Grant }
  | { kind: 'queued'; lock: string; position: number; expiresAt: Micros }
  | { kind: 'busy'; lock: string; holder: string }
  | { kind: 'alive'; expiresAt: Micros; held: { lock: string; token: number }[] }
  | { kind: 'released'; lock: string; token: number }
  | { kind: 'not-held'; lock: string }
  | { kind: 'no-session'; session: string };

export interface LockResult {
  reply: LockReply | null;
  grants: Grant[];
  expired: string[];
  /** Locks freed because their holder's session expired (before any hand-over in `grants`). */
  freed: { lock: string; session: string; token: number }[];
}

export interface LockTableOptions {
  /**
   * PLANTED BUG (0 = correct): treat leases as expired this many µs before
   * they really are, so the table grants a lock while the previous holder's
   * lease is still running on the table's own clock.
   */
  expireEarlyBy?: Micros;
  /**
   * Most distinct lock names the table may hold (the lock protocol's config `locks`; default:
   * unbounded, for Raft's replicated lock service). An entry beyond it is an AssertionFailure:
   * TigerBeetle's discipline, every table that grows has a bound, asserted.
   */
  maxLocks?: number;
}

type Session = {
  expiresAt: Micros;
};

type LockEntry = {
  holder: string | null;
  token: number;
  waiters: string[];
};

/** Plain-JSON image of a table. Object keys are kept in insertion order, which is deterministic. */
export type LockTableSnapshot = {
  now: Micros;
  nextToken: number;
  sessions: Record<string, Session>;
  locks: Record<string, LockEntry>;
};

export class LockTable {
  private now: Micros = 0;
  private nextToken = 1;
  private readonly sessions = new Map<string, Session>();
  private readonly locks = new Map<string, LockEntry>();
  private readonly expireEarlyBy: Micros;
  private readonly maxLocks: number;

  constructor(options: LockTableOptions = {}) {
    this.expireEarlyBy = options.expireEarlyBy ?? 0;
    this.maxLocks = options.maxLocks ?? Number.POSITIVE_INFINITY;
    assert(this.maxLocks >= 1, () => `lock table: maxLocks must be at least 1, got ${this.maxLocks}`);
  }

  static restore(s: LockTableSnapshot, options: LockTableOptions = {}): LockTable {
    const t = new LockTable(options);
    t.now = s.now;
    t.nextToken = s.nextToken;
    for (const [id, sess] of Object.entries(s.sessions)) t.sessions.set(id, { expiresAt: sess.expiresAt });
    for (const [name, l] of Object.entries(s.locks)) t.locks.set(name, { holder: l.holder, token: l.token, waiters: [...l.waiters] });
    assert(t.locks.size <= t.maxLocks, () => `lock table: restored ${t.locks.size} locks, more than the ${t.maxLocks} it may hold`);
    t.checkInvariants();
    return t;
  }

  snapshot(): LockTableSnapshot {
    const sessions: Record<string, Session> = {};
    for (const [id, s] of this.sessions) sessions[id] = { expiresAt: s.expiresAt };
    const locks: Record<string, LockEntry> = {};
    for (const [name, l] of this.locks) locks[name] = { holder: l.holder, token: l.token, waiters: [...l.waiters] };
    return { now: this.now, nextToken: this.nextToken, sessions, locks };
  }

  apply(cmd: LockCommand): LockResult {
    assert(Number.isInteger(cmd.now), () => `lock table: now must be integer µs, got ${cmd.now}`);
    this.now = Math.max(this.now, cmd.now);
    const res: LockResult = { reply: null, grants: [], expired: [], freed: [] };
    this.expire(res);
    switch (cmd.op) {
      case 'acquire':
        res.reply = cmd.open === false && !this.sessions.has(cmd.session) ? { kind: 'no-session', session: cmd.session } : this.acquire(cmd.session, cmd.lock, cmd.ttl, cmd.wait);
        break;
      case 'keepalive':
        res.reply = this.keepalive(cmd.session, cmd.ttl);
        break;
      case 'release':
        res.reply = this.release(cmd.session, cmd.lock, cmd.token, res);
        break;
      case 'tick':
        break;
    }
    this.checkInvariants();
    return res;
  }

  /** The earliest time a live session's lease runs out (a tick at or after it changes the table), or undefined. */
  nextExpiry(): Micros | undefined {
    let min: Micros | undefined;
    for (const s of this.sessions.values()) {
      const at = s.expiresAt - this.expireEarlyBy;
      if (min === undefined || at < min) min = at;
    }
    return min;
  }

  /** The table's time: the largest `now` it has been given. */
  time(): Micros {
    return this.now;
  }

  holder(lock: string): string | null {
    return this.locks.get(lock)?.holder ?? null;
  }

  tokenCounter(): number {
    return this.nextToken;
  }

  /** The published shape: per lock its holder, last token, lease expiry (table time) and queue. */
  state(): LockServerState {
    const locks: LockServerState['locks'] = {};
    for (const [name, l] of this.locks) {
      const expiresAt = l.holder === null ? 0 : (this.sessions.get(l.holder)?.expiresAt ?? 0);
      locks[name] = { holder: l.holder, token: l.token, expiresAt, waiters: [...l.waiters] };
    }
    return { locks, nextToken: this.nextToken };
  }

  // ------------------------------------------------------------ rules

  private acquire(session: string, lock: string, ttl: Micros, wait: boolean): LockReply {
    assert(ttl > 0, `lock table: acquire ttl must be positive, got ${ttl}`);
    // Chubby 2.8: any request from a session is also a keep-alive for it.
    const sess = this.touch(session, ttl);
    const entry = this.entry(lock);
    if (entry.holder === session) return { kind: 'granted', grant: this.grantOf(lock, entry) };
    if (entry.holder === null) return { kind: 'granted', grant: this.grant(lock, entry, session) };
    if (!wait) return { kind: 'busy', lock, holder: entry.holder };
    if (!entry.waiters.includes(session)) entry.waiters.push(session);
    // Waiters are distinct live sessions (expire() drops dead ones): never more than the sessions.
    assert(entry.waiters.length <= this.sessions.size, () => `lock table: ${entry.waiters.length} waiters on ${lock}, more than the ${this.sessions.size} sessions`);
    return { kind: 'queued', lock, position: entry.waiters.indexOf(session), expiresAt: sess.expiresAt };
  }

  private keepalive(session: string, ttl: Micros): LockReply {
    if (!this.sessions.has(session)) return { kind: 'no-session', session };
    const sess = this.touch(session, ttl);
    const held: { lock: string; token: number }[] = [];
    for (const [name, l] of this.locks) if (l.holder === session) held.push({ lock: name, token: l.token });
    return { kind: 'alive', expiresAt: sess.expiresAt, held };
  }

  private release(session: string, lock: string, token: number | undefined, res: LockResult): LockReply {
    const entry = this.locks.get(lock);
    if (entry === undefined) return { kind: 'not-held', lock };
    const w = entry.waiters.indexOf(session);
    if (w >= 0) entry.waiters.splice(w, 1);
    // Release only what we hold: the compare-value delete of the Redis recipe, and the token check of the fenced one.
    if (entry.holder !== session || (token !== undefined && token !== entry.token)) return { kind: 'not-held', lock };
    const released = entry.token;
    entry.holder = null;
    this.handOver(lock, entry, res);
    return { kind: 'released', lock, token: released };
  }

  /** Expire every session whose lease ran out, free its locks, drop it from queues, and serve the next waiters. */
  private expire(res: LockResult): void {
    const dead: string[] = [];
    for (const [id, s] of this.sessions) if (this.now >= s.expiresAt - this.expireEarlyBy) dead.push(id);
    if (dead.length === 0) return;
    for (const id of dead) this.sessions.delete(id);
    res.expired.push(...dead);
    for (const [name, l] of this.locks) {
      l.waiters = l.waiters.filter((w) => this.sessions.has(w));
      if (l.holder !== null && !this.sessions.has(l.holder)) {
        res.freed.push({ lock: name, session: l.holder, token: l.token });
        l.holder = null;
        this.handOver(name, l, res);
      }
    }
  }

  /** FIFO hand-over: the first waiter whose session is alive gets the lock. */
  private handOver(lock: string, entry: LockEntry, res: LockResult): void {
    assert(entry.holder === null, `lock table: hand-over of ${lock} while held`);
    while (entry.waiters.length > 0) {
      const next = entry.waiters.shift();
      if (next === undefined || !this.sessions.has(next)) continue;
      res.grants.push(this.grant(lock, entry, next));
      return;
    }
  }

  private grant(lock: string, entry: LockEntry, session: string): Grant {
    assert(entry.holder === null, `lock table: grant of ${lock} to ${session} while ${entry.holder} holds it`);
    const token = this.nextToken++;
    assert(token > entry.token, `lock table: token ${token} for ${lock} not above ${entry.token}`);
    entry.holder = session;
    entry.token = token;
    return this.grantOf(lock, entry);
  }

  private grantOf(lock: string, entry: LockEntry): Grant {
    const session = entry.holder;
    assert(session !== null, `lock table: grant of ${lock}, which nobody holds`);
    const s = this.sessions.get(session);
    assert(s !== undefined, () => `lock table: ${lock} held by ${session}, a session the table does not know`);
    return { lock, session, token: entry.token, expiresAt: s.expiresAt };
  }

  private touch(session: string, ttl: Micros): Session {
    const expiresAt = this.now + ttl;
    const s = this.sessions.get(session);
    if (s === undefined) {
      const fresh = { expiresAt };
      this.sessions.set(session, fresh);
      return fresh;
    }
    s.expiresAt = Math.max(s.expiresAt, expiresAt);
    return s;
  }

  private entry(lock: string): LockEntry {
    let e = this.locks.get(lock);
    if (e === undefined) {
      assert(this.locks.size < this.maxLocks, () => `lock table: a lock ${JSON.stringify(lock)} beyond the ${this.maxLocks} it may hold`);
      e = { holder: null, token: 0, waiters: [] };
      this.locks.set(lock, e);
    }
    return e;
  }

  private checkInvariants(): void {
    for (const [name, l] of this.locks) {
      assert(l.token < this.nextToken, () => `lock table: ${name} has token ${l.token} >= counter ${this.nextToken}`);
      assert(l.holder === null || this.sessions.has(l.holder), () => `lock table: ${name} held by dead session ${l.holder}`);
      assert(l.holder !== null || l.waiters.length === 0, () => `lock table: ${name} is free but has waiters`);
      assert(l.holder === null || !l.waiters.includes(l.holder), () => `lock table: holder of ${name} also waits for it`);
      assert(new Set(l.waiters).size === l.waiters.length, () => `lock table: duplicate waiter on ${name}`);
    }
  }
}
