// A Redlock client (redis.io, "Distributed Locks with Redis", "The Redlock
// algorithm"); with one master it is the single-instance recipe of the same page.
//   1. Take the current time T1 (local clock).
//   2. Try SET key <random value> NX PX ttl on the N masters sequentially, each with a
//      small request timeout (a master that does not answer in time is skipped).
//   3. elapsed = now - T1. The lock is acquired iff a majority (N/2 + 1) answered OK
//      and the validity time ttl - elapsed - drift is positive, where
//      drift = ttl * driftFactor + 2 ms (the page's clock drift allowance).
//   4. The lock is valid until T1 + ttl - drift: now + validity.
//   5. If not acquired, unlock every master (even those that did not answer).
// Release is the compare-and-delete script on every master. Between the lease
// check and each write there is work to do (Kleppmann, "How to do distributed
// locking", 2016: the check and the use are not atomic): before starting the work
// for a write the client checks that the work and the write's trip (`margin`, the
// network's one-way bound) fit before its deadline; a pause inside the work is
// exactly the critique's unsafe window.
// With `fencing`, the client takes as its token the highest per-master SET count of
// its majority: the natural attempt at a Redlock fencing token, which the checker
// token-order shows is not one (counters are per master and volatile).

import { assert, formatDuration, type Io, type JsonValue, type NodeId, type OpRef, type ProtocolNode, type Timer } from '../../api/index.ts';
import type { RedlockMessage } from './messages.ts';
import type { ClientPhase, RedlockClientState } from './state.ts';

export const LOCK_KEY = 'lock';
/** The constant part of Redlock's clock drift allowance: 2 ms. */
export const DRIFT_CONSTANT = 2_000;

export interface ClientOptions {
  masters: readonly NodeId[];
  resource: NodeId;
  ttl: number;
  requestTimeout: number;
  driftFactor: number;
  retryDelay: number;
  writes: number;
  work: number;
  think: number;
  margin: number;
  retry: number;
  startAfter: number;
  cycles: number;
  fencing: boolean;
  /** PLANTED BUG: release with a plain DEL instead of compare-and-delete. */
  plainDelete: boolean;
  /** PLANTED BUG: SET NX without PX, then PEXPIRE as a second command once the SET succeeded. */
  setThenExpire: boolean;
  /** PLANTED BUG: validity = ttl - drift, forgetting the time the acquisition took. */
  ignoreElapsed: boolean;
}

type ClientTimer = Timer & { name: 'next' | 'acquire-timeout' | 'work' | 'write-retry' };
type ClientIo = Io<RedlockMessage, ClientTimer, JsonValue>;

/** Redlock's validity time (step 3), µs: negative means the lock was not acquired in time. */
export function validityTime(ttl: number, elapsed: number, driftFactor: number): number {
  return ttl - elapsed - (Math.floor(ttl * driftFactor) + DRIFT_CONSTANT);
}

export class RedlockClient implements ProtocolNode<RedlockMessage, ClientTimer, JsonValue> {
  private phase: ClientPhase = 'idle';
  private value: string | null = null;
  private t1 = 0;
  /** Index of the master being asked (sequential acquisition). */
  private asking = 0;
  private readonly replied = new Set<NodeId>();
  private oks: NodeId[] = [];
  private sets: number[] = [];
  private deadline: number | null = null;
  private token: number | null = null;
  private seq = 0;
  private acquired = 0;
  private sections = 0;
  /** The acquisition in progress, as a client operation in the history. */
  private acquireOp: OpRef | null = null;

  constructor(private readonly o: ClientOptions) {}

  private get quorum(): number {
    return Math.floor(this.o.masters.length / 2) + 1;
  }

  onStart(io: ClientIo): void {
    io.setTimer({ name: 'next' }, this.o.startAfter);
    this.publish(io);
  }

  onMessage(io: ClientIo, from: NodeId, msg: RedlockMessage): void {
    if (msg.type === 'set-reply') {
      // The naive two-command client sends its PEXPIRE as soon as the SET is acknowledged.
      if (this.o.setThenExpire && msg.ok) io.send(from, { type: 'pexpire', key: msg.key, px: this.o.ttl });
      if (this.phase !== 'acquiring' || msg.value !== this.value || from !== this.o.masters[this.asking] || this.replied.has(from)) return;
      this.replied.add(from);
      if (msg.ok) {
        this.oks.push(from);
        this.sets.push(msg.sets);
        // One reply per master and attempt (`replied`), so at most one entry per master.
        assert(this.sets.length <= this.o.masters.length, () => `redlock client: ${this.sets.length} SET replies for ${this.o.masters.length} masters`);
      }
      this.asking++;
      this.askNext(io);
      return;
    }
    if (msg.type === 'write-ack') {
      if (this.phase !== 'holding' || msg.tenure !== this.value || msg.seq !== this.seq) return;
      io.cancelTimer('write-retry');
      if (!msg.ok) {
        io.log(`write ${msg.seq} rejected by the resource (token ${String(msg.token)} fenced off): lost the lock`);
        this.release(io);
      } else if (this.seq >= this.o.writes) this.release(io);
      else this.prepare(io);
    }
  }

  onTimer(io: ClientIo, timer: ClientTimer): void {
    switch (timer.name) {
      case 'next':
        this.acquire(io);
        return;
      case 'acquire-timeout':
        // This master did not answer in time: go on to the next one.
        if (this.phase !== 'acquiring') return;
        this.asking++;
        this.askNext(io);
        return;
      case 'work':
        if (this.phase === 'holding') this.write(io);
        return;
      case 'write-retry':
        if (this.phase === 'holding') this.write(io, true);
        return;
    }
  }

  /** Steps 1 and 2. */
  private acquire(io: ClientIo): void {
    if (this.o.cycles > 0 && this.sections >= this.o.cycles) return;
    this.phase = 'acquiring';
    this.value = `${io.id}:${io.rng.int(0, 2 ** 31).toString(36)}`;
    this.t1 = io.now();
    this.replied.clear();
    this.oks = [];
    this.sets = [];
    this.asking = 0;
    this.acquireOp = io.invoke({ process: io.id, f: 'acquire', key: LOCK_KEY });
    this.publish(io);
    this.askNext(io);
  }

  private askNext(io: ClientIo): void {
    const m = this.o.masters[this.asking];
    if (m === undefined) return this.decide(io);
    io.send(m, { type: 'set', key: LOCK_KEY, value: this.value as string, px: this.o.setThenExpire ? null : this.o.ttl });
    io.setTimer({ name: 'acquire-timeout' }, this.o.requestTimeout);
  }

  /** Steps 3 to 5. */
  private decide(io: ClientIo): void {
    io.cancelTimer('acquire-timeout');
    const elapsed = io.now() - this.t1;
    const validity = validityTime(this.o.ttl, this.o.ignoreElapsed ? 0 : elapsed, this.o.driftFactor);
    if (this.oks.length >= this.quorum && validity > 0) {
      this.phase = 'holding';
      this.deadline = io.now() + validity;
      this.token = this.o.fencing ? Math.max(...this.sets) : null;
      this.seq = 0;
      this.acquired++;
      this.sections++;
      io.log(`acquired on ${this.oks.length}/${this.o.masters.length} masters, elapsed ${formatDuration(elapsed)}, validity ${formatDuration(validity)}`);
      if (this.acquireOp !== null) io.complete(this.acquireOp, 'ok', this.token);
      this.acquireOp = null;
      this.publish(io);
      this.prepare(io);
      return;
    }
    io.log(`not acquired: ${this.oks.length}/${this.o.masters.length} masters, validity ${formatDuration(validity)}`);
    // Not acquired: the client unlocks everywhere, so the acquisition did not take effect.
    if (this.acquireOp !== null) io.complete(this.acquireOp, 'fail');
    this.acquireOp = null;
    this.unlockAll(io);
    this.phase = 'idle';
    this.value = null;
    this.publish(io);
    io.setTimer({ name: 'next' }, io.rng.int(1, this.o.retryDelay + 1));
  }

  /** The lease check, then the work for the next write (the write leaves when the work is done, unchecked). */
  private prepare(io: ClientIo): void {
    if (!this.fits(io, this.o.work)) {
      io.log('lease too short for the next write: giving the lock up');
      this.release(io);
      return;
    }
    io.setTimer({ name: 'work' }, this.o.work);
  }

  private fits(io: ClientIo, ahead: number): boolean {
    return this.deadline !== null && io.now() + ahead + this.o.margin < this.deadline;
  }

  private write(io: ClientIo, again = false): void {
    if (again && !this.fits(io, 0)) {
      io.log('lease too short to retransmit the write: giving the lock up');
      this.release(io);
      return;
    }
    if (!again) this.seq++;
    io.send(this.o.resource, { type: 'write', client: io.id, tenure: this.value as string, token: this.token, seq: this.seq });
    io.setTimer({ name: 'write-retry' }, this.o.retry);
  }

  private unlockAll(io: ClientIo): void {
    if (this.value === null) return;
    for (const m of this.o.masters) io.send(m, { type: 'unlock', key: LOCK_KEY, value: this.value, plain: this.o.plainDelete });
  }

  private release(io: ClientIo): void {
    io.cancelTimer('work');
    io.cancelTimer('write-retry');
    // The unlocks go to every master unanswered (fire and forget): the release's outcome is unknown.
    const op = io.invoke({ process: io.id, f: 'release', key: LOCK_KEY });
    this.unlockAll(io);
    io.complete(op, 'info');
    this.phase = 'idle';
    this.value = null;
    this.deadline = null;
    this.token = null;
    this.publish(io);
    io.setTimer({ name: 'next' }, io.rng.int(1, this.o.think + 2));
  }

  private publish(io: ClientIo): void {
    const s: RedlockClientState = {
      phase: this.phase,
      value: this.value,
      masters: this.phase === 'holding' ? [...this.oks] : [],
      deadline: this.deadline,
      token: this.token,
      acquired: this.acquired,
    };
    io.publish(s as unknown as JsonValue);
  }
}
