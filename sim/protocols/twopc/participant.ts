// A two-phase commit participant (resource manager) owning one shard of
// accounts. Pure state machine: one method per rule, acting only through
// TwoPcIo. Write-ahead log on the node's disk:
//   acct/<name>  committed balance of an account
//   tx/<id>      { state: 'prepared' | 'committed' | 'aborted', ops, participants, coordinator }
// Prepared and committed records are forced (fsync) before the participant
// tells anyone; abort records are not (presumed abort: a participant with no
// prepared record never voted yes, so "no record" already means abort).

import { assert } from '../../engine/assert.ts';
import type { JsonValue, Micros, NodeId } from '../../engine/types.ts';
import { sumDelta, type Op } from './accounts.ts';
import type { TwoPcBugs } from './config.ts';
import { readStable, type TwoPcIo } from './io.ts';
import type { PeerAnswer, TwoPcMessage, TxId } from './messages.ts';
import { PUBLISHED_RECENT, type ParticipantState, type ParticipantTxState } from './state.ts';

export interface ParticipantOptions {
  accounts: readonly string[];
  initialBalance: number;
  workTimeout: Micros;
  queryInterval: Micros;
  cooperative: boolean;
  cooperativeAfter: number;
  bugs: TwoPcBugs;
}

interface LogRecord {
  state: 'prepared' | 'committed' | 'aborted';
  ops: Op[];
  participants: NodeId[];
  coordinator: NodeId;
  epoch: number;
  /** Local time of the yes vote, so that the in-doubt interval survives a restart. */
  preparedAt?: Micros;
}

export interface ParticipantTx {
  id: TxId;
  state: ParticipantTxState;
  ops: Op[];
  participants: NodeId[];
  coordinator: NodeId;
  /** Coordinator incarnation that started the work. */
  epoch: number;
  /** Local time the participant entered the in-doubt state (voted yes, or recovered prepared). */
  inDoubtSince?: Micros;
  /** Outcome queries sent since entering doubt. */
  queries: number;
}

export const timerWork = (tx: TxId): string => `work:${tx}`;
export const timerInDoubt = (tx: TxId): string => `in-doubt:${tx}`;

export class Participant {
  readonly balances = new Map<string, number>();
  readonly txs = new Map<TxId, ParticipantTx>();
  /** Lock table: account -> transaction holding its exclusive lock (strict two-phase locking). */
  readonly locks = new Map<string, TxId>();
  /** Working and prepared transactions, in the order they arrived (the published state lists them). */
  private readonly active = new Set<TxId>();
  /** Resolved transactions, oldest first (for the published state). */
  private readonly resolved: TxId[] = [];
  /** Set when something the published state shows has changed. */
  dirty = true;

  constructor(
    private readonly io: TwoPcIo,
    private readonly opts: ParticipantOptions,
  ) {}

  // ---------------------------------------------------------------- start and recovery

  /** First start: the shard's accounts are created with their initial balance, durably. */
  start(): void {
    for (const a of this.opts.accounts) {
      this.balances.set(a, this.opts.initialBalance);
      this.io.disk.put(`acct/${a}`, this.opts.initialBalance);
    }
    this.io.disk.fsync();
    this.dirty = true;
  }

  /**
   * Recovery from the log (BHG §7.4, 2PC recovery of a participant):
   * committed balances come back from acct/ records; a transaction with a
   * prepared record and no outcome is in doubt: re-acquire its locks and ask the
   * coordinator. Unvoted (working) transactions were volatile: they are gone,
   * and a later prepare for them gets a no.
   */
  recover(): void {
    for (const a of this.opts.accounts) {
      const v = this.read<number>(`acct/${a}`);
      this.balances.set(a, v ?? this.opts.initialBalance);
    }
    for (const key of this.io.disk.keys('tx/')) {
      const rec = this.read<LogRecord>(key);
      if (rec === undefined) continue;
      const id = key.slice(3);
      const tx: ParticipantTx = { id, state: rec.state, ops: rec.ops, participants: rec.participants, coordinator: rec.coordinator, epoch: rec.epoch, queries: 0 };
      this.txs.set(id, tx);
      if (rec.state !== 'prepared') {
        this.resolved.push(id);
        continue;
      }
      this.active.add(id);
      for (const op of rec.ops) {
        const holder = this.locks.get(op.account);
        assert(holder === undefined, () => `${this.io.id}: recovery: ${op.account} locked by both ${holder} and ${id}`);
        this.locks.set(op.account, id);
      }
      this.enterDoubt(tx, 'recovered prepared from the log', rec.preparedAt);
      if (this.opts.bugs.noQueryAfterRecovery) {
        this.io.cancelTimer(timerInDoubt(id)); // the planted bug: nobody will ask
        continue;
      }
      this.io.send(tx.coordinator, { type: 'query', tx: id });
      tx.queries++;
    }
    this.dirty = true;
  }

  private read<T>(key: string): T | undefined {
    return readStable<T>(this.io, key);
  }

  // ---------------------------------------------------------------- messages

  onMessage(from: NodeId, msg: TwoPcMessage): void {
    switch (msg.type) {
      case 'work':
        this.onWork(from, msg.tx, msg.epoch, msg.ops, msg.participants);
        return;
      case 'prepare':
        this.onPrepare(from, msg.tx);
        return;
      case 'decision':
        this.onDecision(msg.tx, msg.commit, from === this.txs.get(msg.tx)?.coordinator ? 'coordinator' : from);
        return;
      case 'peer-query':
        this.onPeerQuery(from, msg.tx);
        return;
      case 'peer-answer':
        this.onPeerAnswer(from, msg);
        return;
      default:
        this.io.log(`ignored ${msg.type} from ${from}`);
    }
  }

  /**
   * Execution phase: the operations run under strict two-phase locking
   * (BHG ch. 3) before the commit protocol starts. Locks are taken without waiting: a conflict
   * aborts the transaction here, so there are no deadlocks to detect.
   */
  onWork(from: NodeId, id: TxId, epoch: number, ops: Op[], participants: NodeId[]): void {
    const known = this.txs.get(id);
    if (known !== undefined) {
      // A duplicate of the same attempt gets the same answer; a new attempt
      // (the coordinator restarted in between) of a transaction we hold is refused.
      const same = known.epoch === epoch && (known.state === 'working' || known.state === 'prepared');
      if (known.state !== 'committed') this.io.send(from, { type: 'work-ack', tx: id, ok: same, ...(same ? {} : { reason: `already ${known.state}` }) });
      return;
    }
    const tx: ParticipantTx = { id, state: 'working', ops, participants, coordinator: from, epoch, queries: 0 };
    this.txs.set(id, tx);
    this.active.add(id);
    this.dirty = true;
    for (const op of ops) {
      assert(this.balances.has(op.account), () => `${this.io.id}: ${id} writes ${op.account}, which is not on this shard`);
      const holder = this.locks.get(op.account);
      if (holder !== undefined && holder !== id) {
        this.abortAlone(tx, `${op.account} is locked by ${holder}`);
        this.io.send(from, { type: 'work-ack', tx: id, ok: false, reason: `lock conflict on ${op.account}` });
        return;
      }
    }
    for (const op of ops) this.locks.set(op.account, id);
    this.io.setTimer(timerWork(id), this.opts.workTimeout);
    this.io.send(from, { type: 'work-ack', tx: id, ok: true });
  }

  /**
   * Phase 1, participant (Gray's 2PC; BHG §7.4): vote no
   * and abort if the work cannot commit (insufficient funds); otherwise force
   * the prepared record to the log, then vote yes. From here the participant
   * is in doubt and must not decide alone.
   */
  onPrepare(from: NodeId, id: TxId): void {
    const tx = this.txs.get(id);
    if (tx === undefined) {
      // No work staged (never received, or lost in a crash): it cannot commit here.
      this.io.send(from, { type: 'vote', tx: id, yes: false, reason: 'unknown transaction' });
      return;
    }
    if (tx.state === 'prepared' || tx.state === 'committed') {
      this.io.send(from, { type: 'vote', tx: id, yes: true }); // duplicate prepare
      return;
    }
    if (tx.state === 'aborted') {
      this.io.send(from, { type: 'vote', tx: id, yes: false, reason: 'already aborted' });
      return;
    }
    const short = tx.ops.find((op) => (this.balances.get(op.account) ?? 0) + op.delta < 0);
    if (short !== undefined) {
      this.abortAlone(tx, `insufficient funds in ${short.account}`);
      this.io.send(from, { type: 'vote', tx: id, yes: false, reason: `insufficient funds in ${short.account}` });
      return;
    }
    tx.inDoubtSince = this.io.now();
    this.io.disk.put(`tx/${id}`, this.record(tx, 'prepared'));
    if (!this.opts.bugs.voteYesWithoutLog) this.io.disk.fsync();
    this.io.cancelTimer(timerWork(id));
    tx.state = 'prepared';
    this.enterDoubt(tx, 'voted yes', tx.inDoubtSince);
    this.dirty = true;
    this.io.send(from, { type: 'vote', tx: id, yes: true });
  }

  /**
   * Phase 2, participant (BHG §7.4; presumed abort): on commit, force the
   * commit record with the new balances, release the locks and acknowledge; on
   * abort, write the abort record lazily and release the locks (presumed abort:
   * no acknowledgement).
   */
  onDecision(id: TxId, commit: boolean, via: string): void {
    const tx = this.txs.get(id);
    if (!commit) {
      if (tx === undefined || tx.state === 'aborted') return;
      if (tx.state === 'committed') {
        this.io.log(`abort of ${id} received after it committed here`);
        return;
      }
      this.finish(tx, 'aborted', via);
      return;
    }
    if (tx === undefined || tx.state === 'working' || tx.state === 'aborted') {
      // We never voted yes (or have no record that we did): by presumed abort
      // the transaction is aborted here. The atomicity checker judges the clash.
      this.io.log(`commit of ${id} from ${via}, but this participant has no prepared record: aborted here`);
      const t = tx ?? { id, state: 'working' as const, ops: [], participants: [], coordinator: via, epoch: -1, queries: 0 };
      if (tx === undefined) this.txs.set(id, t);
      if (t.state !== 'aborted') this.finish(t, 'aborted', via);
      return;
    }
    if (tx.state === 'committed') {
      if (this.opts.bugs.nonIdempotentCommit) this.apply(tx);
      this.io.send(tx.coordinator, { type: 'ack', tx: id });
      return;
    }
    this.finish(tx, 'committed', via);
    this.io.send(tx.coordinator, { type: 'ack', tx: id });
  }

  /** A working transaction has waited too long for prepare: abort it alone (TCommit: RMChooseToAbort). */
  onWorkTimeout(id: TxId): void {
    const tx = this.txs.get(id);
    if (tx?.state !== 'working') return;
    this.abortAlone(tx, 'no prepare before the work timeout');
  }

  /**
   * Termination protocol (BHG §7.4, timeout actions): an in-doubt participant cannot decide. It
   * asks the coordinator again and, with the cooperative termination protocol,
   * also the other participants, any of which may know the outcome.
   */
  onInDoubtTimeout(id: TxId): void {
    const tx = this.txs.get(id);
    if (tx?.state !== 'prepared') return;
    if (this.opts.bugs.inDoubtDecidesAlone) {
      this.finish(tx, 'aborted', 'own timeout');
      return;
    }
    tx.queries++;
    this.io.send(tx.coordinator, { type: 'query', tx: id });
    if (this.opts.cooperative && tx.queries > this.opts.cooperativeAfter) {
      for (const p of tx.participants) if (p !== this.io.id) this.io.send(p, { type: 'peer-query', tx: id });
    }
    this.io.setTimer(timerInDoubt(id), this.opts.queryInterval);
  }

  /**
   * Cooperative termination protocol, the asked participant (BHG §7.4): tell
   * the outcome if known. One that has not voted yet may abort now and say
   * so: it has given up its right to vote yes, so the coordinator cannot
   * commit. It forces that abort record so a restart cannot take it back.
   * A prepared participant is uncertain too.
   */
  onPeerQuery(from: NodeId, id: TxId): void {
    const tx = this.txs.get(id);
    let outcome: PeerAnswer['outcome'];
    if (tx === undefined || tx.state === 'working') {
      const t = tx ?? { id, state: 'working' as const, ops: [], participants: [], coordinator: '', epoch: -1, queries: 0 };
      if (tx === undefined) this.txs.set(id, t);
      this.abortAlone(t, `${from} asked during cooperative termination`);
      this.io.disk.fsync();
      outcome = 'abort';
    } else if (tx.state === 'prepared') outcome = 'uncertain';
    else outcome = tx.state === 'committed' ? 'commit' : 'abort';
    this.io.send(from, { type: 'peer-answer', tx: id, outcome });
  }

  onPeerAnswer(from: NodeId, msg: PeerAnswer): void {
    if (msg.outcome === 'uncertain') return;
    this.onDecision(msg.tx, msg.outcome === 'commit', `peer ${from}`);
  }

  // ---------------------------------------------------------------- state changes

  private enterDoubt(tx: ParticipantTx, why: string, since: Micros | undefined): void {
    tx.inDoubtSince = since ?? this.io.now();
    tx.queries = 0;
    this.io.log(`in doubt: ${tx.id} (${why})`);
    this.io.setTimer(timerInDoubt(tx.id), this.opts.queryInterval);
  }

  /** Unilateral abort of a transaction that has not voted yes (BHG §7.3: a process that votes no may decide abort at once). */
  private abortAlone(tx: ParticipantTx, why: string): void {
    assert(tx.state === 'working', () => `${this.io.id}: ${tx.id} aborted alone in state ${tx.state}`);
    this.io.log(`abort ${tx.id} alone: ${why}`);
    this.finish(tx, 'aborted', 'self');
    // Forced: forgotten in a crash, the abort would let a retried `work` of the same attempt run
    // again and commit, reversing this participant's decision (AC2). Found by a triggered fault;
    // scenarios/twopc-forgotten-unilateral-abort.json keeps the case.
    this.io.disk.fsync();
  }

  private finish(tx: ParticipantTx, outcome: 'committed' | 'aborted', via: string): void {
    const wasInDoubt = tx.state === 'prepared';
    if (outcome === 'committed') {
      assert(tx.state === 'prepared', () => `${this.io.id}: commit of ${tx.id} in state ${tx.state}`);
      this.apply(tx);
      this.io.disk.put(`tx/${tx.id}`, this.record(tx, 'committed'));
      this.io.disk.fsync();
    } else {
      this.io.disk.put(`tx/${tx.id}`, this.record(tx, 'aborted'));
    }
    tx.state = outcome;
    if (outcome === 'committed' || !this.opts.bugs.keepLocksOnAbort) this.releaseLocks(tx.id);
    this.io.cancelTimer(timerWork(tx.id));
    this.io.cancelTimer(timerInDoubt(tx.id));
    if (wasInDoubt && tx.inDoubtSince !== undefined) {
      const waited = this.io.now() - tx.inDoubtSince;
      this.io.log(`resolved ${tx.id}: ${outcome} via ${via} after ${(waited / 1000).toFixed(3)} ms in doubt`);
    }
    delete tx.inDoubtSince;
    this.active.delete(tx.id);
    this.resolved.push(tx.id);
    if (this.resolved.length > 4 * PUBLISHED_RECENT) this.resolved.splice(0, this.resolved.length - PUBLISHED_RECENT);
    this.dirty = true;
  }

  private apply(tx: ParticipantTx): void {
    for (const op of tx.ops) {
      const v = (this.balances.get(op.account) ?? 0) + op.delta;
      this.balances.set(op.account, v);
      this.io.disk.put(`acct/${op.account}`, v);
    }
  }

  private releaseLocks(id: TxId): void {
    for (const op of this.txs.get(id)?.ops ?? []) if (this.locks.get(op.account) === id) this.locks.delete(op.account);
  }

  private record(tx: ParticipantTx, state: LogRecord['state']): JsonValue {
    const rec: LogRecord = { state, ops: tx.ops, participants: tx.participants, coordinator: tx.coordinator, epoch: tx.epoch };
    if (state === 'prepared' && tx.inDoubtSince !== undefined) rec.preparedAt = tx.inDoubtSince;
    return rec as unknown as JsonValue;
  }

  // ---------------------------------------------------------------- published state

  totalBalance(): number {
    let s = 0;
    for (const v of this.balances.values()) s += v;
    return s;
  }

  snapshot(): ParticipantState {
    const txs: Record<string, ParticipantTxState> = {};
    const inDoubt: string[] = [];
    for (const id of this.active) {
      const tx = this.txs.get(id) as ParticipantTx;
      assert(tx.state === 'working' || tx.state === 'prepared', () => `${this.io.id}: ${id} is active in state ${tx.state}`);
      txs[id] = tx.state;
      if (tx.state === 'prepared') inDoubt.push(id);
    }
    for (const id of this.resolved.slice(-PUBLISHED_RECENT)) {
      const tx = this.txs.get(id);
      if (tx !== undefined && (tx.state === 'committed' || tx.state === 'aborted')) txs[id] = tx.state;
    }
    return { txs, inDoubt, balance: this.totalBalance() };
  }

  /** Net money this transaction moves on this shard. */
  static delta(tx: ParticipantTx): number {
    return sumDelta(tx.ops);
  }
}
