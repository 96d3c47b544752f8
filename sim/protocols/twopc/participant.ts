// A two-phase commit participant (resource manager) owning one shard of
// accounts. A sans-IO node (sim/api/node.ts): one method per rule, each reading
// and acting only through the step's `Io`. Write-ahead log on the node's disk:
//   acct/<name>  committed balance of an account
//   tx/<id>      { state: 'prepared' | 'committed' | 'aborted', ops, participants, coordinator }
// Prepared and committed records are forced (fsync) before the participant
// tells anyone. An abort the participant learns from others is not forced
// (presumed abort: a participant with no prepared record never voted yes, so
// "no record" already means abort). A UNILATERAL abort (before voting) is
// forced: the decision is final (TCommit: an aborted RM never prepares; BHG
// §7.3, AC2), and without its record a restarted participant would accept a
// retried work request for the same transaction and could vote yes on it.

import { assert, getOrFail, type Io, type Micros, type NodeId, type ProtocolNode } from '../../api/index.ts';
import { sumDelta, type Op } from './accounts.ts';
import type { TwoPcBugs } from './config.ts';
import type { PeerAnswer, TwoPcMessage, TxId } from './messages.ts';
import { readStable } from './stable.ts';
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

type LogRecord = {
  state: 'prepared' | 'committed' | 'aborted';
  ops: Op[];
  participants: NodeId[];
  coordinator: NodeId;
  epoch: number;
  /** Local time of the yes vote, so that the in-doubt interval survives a restart. */
  preparedAt?: Micros;
};

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

/**
 * The participant's typed timers (identity: name + key = transaction id).
 * - `work`: an unvoted transaction's work timeout (`workTimeout`): abort it alone.
 * - `in-doubt`: an in-doubt transaction's query interval (`queryInterval`): ask for the outcome again.
 */
export type ParticipantTimer = { name: 'work'; key: TxId } | { name: 'in-doubt'; key: TxId };

/** The participant's window on one step. */
export type ParticipantIo = Io<TwoPcMessage, ParticipantTimer, ParticipantState>;

/**
 * How many resolved transactions a participant keeps in memory (TigerBeetle's discipline: every
 * table that grows with the workload has a bound, asserted). Older ones are looked up in the log
 * (`tx/<id>`, which has every resolved transaction's record) when a late message names them, so
 * forgetting them changes no answer. Unresolved (working or prepared) transactions are bounded by
 * the shard's accounts: each holds the exclusive lock of at least one (asserted).
 */
export const RESOLVED_IN_MEMORY = 4 * PUBLISHED_RECENT;

export class Participant implements ProtocolNode<TwoPcMessage, ParticipantTimer, ParticipantState> {
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

  constructor(private readonly opts: ParticipantOptions) {}

  // ---------------------------------------------------------------- the node's inputs

  onStart(io: ParticipantIo): void {
    this.start(io);
    this.publish(io);
  }

  onRecover(io: ParticipantIo): void {
    this.recover(io);
    this.publish(io);
  }

  onMessage(io: ParticipantIo, from: NodeId, msg: TwoPcMessage): void {
    switch (msg.type) {
      case 'work':
        this.onWork(io, from, msg.tx, msg.epoch, msg.ops, msg.participants);
        break;
      case 'prepare':
        this.onPrepare(io, from, msg.tx);
        break;
      case 'decision':
        this.onDecision(io, msg.tx, msg.commit, from === this.lookup(io, msg.tx)?.coordinator ? 'coordinator' : from);
        break;
      case 'peer-query':
        this.onPeerQuery(io, from, msg.tx);
        break;
      case 'peer-answer':
        this.onPeerAnswer(io, from, msg);
        break;
      default:
        io.log(`ignored ${msg.type} from ${from}`);
    }
    this.publish(io);
  }

  onTimer(io: ParticipantIo, timer: ParticipantTimer): void {
    if (timer.name === 'work') this.onWorkTimeout(io, timer.key);
    else this.onInDoubtTimeout(io, timer.key);
    this.publish(io);
  }

  /** Publish the state if a handler changed what it shows. */
  private publish(io: ParticipantIo): void {
    if (!this.dirty) return;
    this.dirty = false;
    io.publish(this.snapshot());
  }

  // ---------------------------------------------------------------- start and recovery

  /** First start: the shard's accounts are created with their initial balance, durably. */
  start(io: ParticipantIo): void {
    for (const a of this.opts.accounts) {
      this.balances.set(a, this.opts.initialBalance);
      io.put(`acct/${a}`, this.opts.initialBalance);
    }
    io.fsync();
    this.dirty = true;
  }

  /**
   * Recovery from the log (BHG §7.4, 2PC recovery of a participant):
   * committed balances come back from acct/ records; a transaction with a
   * prepared record and no outcome is in doubt: re-acquire its locks and ask the
   * coordinator. Unvoted (working) transactions were volatile: they are gone,
   * and a later prepare for them gets a no.
   */
  recover(io: ParticipantIo): void {
    for (const a of this.opts.accounts) {
      const v = readStable<number>(io, `acct/${a}`);
      this.balances.set(a, v ?? this.opts.initialBalance);
    }
    for (const key of io.keys('tx/')) {
      const rec = readStable<LogRecord>(io, key);
      if (rec === undefined) continue;
      const id = key.slice(3);
      const tx: ParticipantTx = { id, state: rec.state, ops: rec.ops, participants: rec.participants, coordinator: rec.coordinator, epoch: rec.epoch, queries: 0 };
      this.txs.set(id, tx);
      if (rec.state !== 'prepared') {
        this.remember(id);
        continue;
      }
      this.active.add(id);
      this.checkActiveBound(io);
      for (const op of rec.ops) {
        const holder = this.locks.get(op.account);
        assert(holder === undefined, () => `${io.id}: recovery: ${op.account} locked by both ${holder} and ${id}`);
        this.locks.set(op.account, id);
      }
      this.enterDoubt(io, tx, 'recovered prepared from the log', rec.preparedAt);
      if (this.opts.bugs.noQueryAfterRecovery) {
        io.cancelTimer('in-doubt', id); // the planted bug: nobody will ask
        continue;
      }
      io.send(tx.coordinator, { type: 'query', tx: id });
      tx.queries++;
    }
    this.dirty = true;
  }

  // ---------------------------------------------------------------- messages

  /**
   * Execution phase: the operations run under strict two-phase locking
   * (BHG ch. 3) before the commit protocol starts. Locks are taken without waiting: a conflict
   * aborts the transaction here, so there are no deadlocks to detect.
   */
  onWork(io: ParticipantIo, from: NodeId, id: TxId, epoch: number, ops: Op[], participants: NodeId[]): void {
    const known = this.lookup(io, id);
    if (known !== undefined) {
      // A duplicate of the same attempt gets the same answer; a new attempt
      // (the coordinator restarted in between) of a transaction we hold is refused.
      const same = known.epoch === epoch && (known.state === 'working' || known.state === 'prepared');
      if (known.state !== 'committed') io.send(from, { type: 'work-ack', tx: id, ok: same, ...(same ? {} : { reason: `already ${known.state}` }) });
      return;
    }
    const tx: ParticipantTx = { id, state: 'working', ops, participants, coordinator: from, epoch, queries: 0 };
    assert(ops.length > 0, () => `${io.id}: work for ${id} has no operation on this shard`);
    this.txs.set(id, tx);
    this.active.add(id);
    this.dirty = true;
    for (const op of ops) {
      assert(this.balances.has(op.account), () => `${io.id}: ${id} writes ${op.account}, which is not on this shard`);
      const holder = this.locks.get(op.account);
      if (holder !== undefined && holder !== id) {
        this.abortAlone(io, tx, `${op.account} is locked by ${holder}`);
        io.send(from, { type: 'work-ack', tx: id, ok: false, reason: `lock conflict on ${op.account}` });
        return;
      }
    }
    for (const op of ops) this.locks.set(op.account, id);
    this.checkActiveBound(io);
    io.setTimer({ name: 'work', key: id }, this.opts.workTimeout);
    io.send(from, { type: 'work-ack', tx: id, ok: true });
  }

  /**
   * Phase 1, participant (Gray's 2PC; BHG §7.4): vote no
   * and abort if the work cannot commit (insufficient funds); otherwise force
   * the prepared record to the log, then vote yes. From here the participant
   * is in doubt and must not decide alone.
   */
  onPrepare(io: ParticipantIo, from: NodeId, id: TxId): void {
    const tx = this.lookup(io, id);
    if (tx === undefined) {
      // No work staged (never received, or lost in a crash): it cannot commit here.
      io.send(from, { type: 'vote', tx: id, yes: false, reason: 'unknown transaction' });
      return;
    }
    if (tx.state === 'prepared' || tx.state === 'committed') {
      io.send(from, { type: 'vote', tx: id, yes: true }); // duplicate prepare
      return;
    }
    if (tx.state === 'aborted') {
      io.send(from, { type: 'vote', tx: id, yes: false, reason: 'already aborted' });
      return;
    }
    const short = tx.ops.find((op) => (this.balances.get(op.account) ?? 0) + op.delta < 0);
    if (short !== undefined) {
      this.abortAlone(io, tx, `insufficient funds in ${short.account}`);
      io.send(from, { type: 'vote', tx: id, yes: false, reason: `insufficient funds in ${short.account}` });
      return;
    }
    tx.inDoubtSince = io.now();
    io.put(`tx/${id}`, this.record(tx, 'prepared'));
    if (!this.opts.bugs.voteYesWithoutLog) io.fsync();
    io.cancelTimer('work', id);
    tx.state = 'prepared';
    this.enterDoubt(io, tx, 'voted yes', tx.inDoubtSince);
    this.dirty = true;
    io.send(from, { type: 'vote', tx: id, yes: true });
  }

  /**
   * Phase 2, participant (BHG §7.4; presumed abort): on commit, force the
   * commit record with the new balances, release the locks and acknowledge; on
   * abort, write the abort record lazily and release the locks (presumed abort:
   * no acknowledgement).
   */
  onDecision(io: ParticipantIo, id: TxId, commit: boolean, via: string): void {
    const tx = this.lookup(io, id);
    if (!commit) {
      if (tx === undefined || tx.state === 'aborted') return;
      if (tx.state === 'committed') {
        io.log(`abort of ${id} received after it committed here`);
        return;
      }
      this.finish(io, tx, 'aborted', via);
      return;
    }
    if (tx === undefined || tx.state === 'working' || tx.state === 'aborted') {
      // We never voted yes (or have no record that we did): by presumed abort
      // the transaction is aborted here. The atomicity checker judges the clash.
      io.log(`commit of ${id} from ${via}, but this participant has no prepared record: aborted here`);
      const t = tx ?? { id, state: 'working' as const, ops: [], participants: [], coordinator: via, epoch: -1, queries: 0 };
      if (tx === undefined) this.txs.set(id, t);
      if (t.state !== 'aborted') this.finish(io, t, 'aborted', via);
      return;
    }
    if (tx.state === 'committed') {
      if (this.opts.bugs.nonIdempotentCommit) this.apply(io, tx);
      io.send(tx.coordinator, { type: 'ack', tx: id });
      return;
    }
    this.finish(io, tx, 'committed', via);
    io.send(tx.coordinator, { type: 'ack', tx: id });
  }

  /** A working transaction has waited too long for prepare: abort it alone (TCommit: RMChooseToAbort). */
  onWorkTimeout(io: ParticipantIo, id: TxId): void {
    const tx = this.lookup(io, id);
    if (tx?.state !== 'working') return;
    this.abortAlone(io, tx, 'no prepare before the work timeout');
  }

  /**
   * Termination protocol (BHG §7.4, timeout actions): an in-doubt participant cannot decide. It
   * asks the coordinator again and, with the cooperative termination protocol,
   * also the other participants, any of which may know the outcome.
   */
  onInDoubtTimeout(io: ParticipantIo, id: TxId): void {
    const tx = this.lookup(io, id);
    if (tx?.state !== 'prepared') return;
    if (this.opts.bugs.inDoubtDecidesAlone) {
      this.finish(io, tx, 'aborted', 'own timeout');
      return;
    }
    tx.queries++;
    io.send(tx.coordinator, { type: 'query', tx: id });
    if (this.opts.cooperative && tx.queries > this.opts.cooperativeAfter) {
      for (const p of tx.participants) if (p !== io.id) io.send(p, { type: 'peer-query', tx: id });
    }
    io.setTimer({ name: 'in-doubt', key: id }, this.opts.queryInterval);
  }

  /**
   * Cooperative termination protocol, the asked participant (BHG §7.4): tell
   * the outcome if known. One that has not voted yet may abort now and say
   * so: it has given up its right to vote yes, so the coordinator cannot
   * commit. Like every unilateral abort its record is forced, so a restart cannot take it back.
   * A prepared participant is uncertain too.
   */
  onPeerQuery(io: ParticipantIo, from: NodeId, id: TxId): void {
    const tx = this.lookup(io, id);
    let outcome: PeerAnswer['outcome'];
    if (tx === undefined || tx.state === 'working') {
      const t = tx ?? { id, state: 'working' as const, ops: [], participants: [], coordinator: '', epoch: -1, queries: 0 };
      if (tx === undefined) this.txs.set(id, t);
      this.abortAlone(io, t, `${from} asked during cooperative termination`);
      outcome = 'abort';
    } else if (tx.state === 'prepared') outcome = this.opts.bugs.preparedPeerAnswersAbort ? 'abort' : 'uncertain'; // the planted bug: a guess
    else outcome = tx.state === 'committed' ? 'commit' : 'abort';
    io.send(from, { type: 'peer-answer', tx: id, outcome });
  }

  onPeerAnswer(io: ParticipantIo, from: NodeId, msg: PeerAnswer): void {
    if (msg.outcome === 'uncertain' || this.opts.bugs.ignorePeerOutcome) return;
    this.onDecision(io, msg.tx, msg.outcome === 'commit', `peer ${from}`);
  }

  // ---------------------------------------------------------------- state changes

  private enterDoubt(io: ParticipantIo, tx: ParticipantTx, why: string, since: Micros | undefined): void {
    tx.inDoubtSince = since ?? io.now();
    tx.queries = 0;
    io.log(`in doubt: ${tx.id} (${why})`);
    io.setTimer({ name: 'in-doubt', key: tx.id }, this.opts.queryInterval);
  }

  /**
   * Unilateral abort of a transaction that has not voted yes (BHG §7.3: a process
   * that votes no may decide abort at once). The decision is final (AC2; in
   * TCommit an aborted RM has no way back to prepared), so its record is forced:
   * nobody may have heard of it (the abort can happen while the coordinator is
   * unreachable), and after a crash the participant must still refuse a retried
   * work request for this transaction instead of running it again and voting yes.
   */
  private abortAlone(io: ParticipantIo, tx: ParticipantTx, why: string): void {
    assert(tx.state === 'working', () => `${io.id}: ${tx.id} aborted alone in state ${tx.state}`);
    io.log(`abort ${tx.id} alone: ${why}`);
    this.finish(io, tx, 'aborted', 'self');
    io.fsync();
  }

  private finish(io: ParticipantIo, tx: ParticipantTx, outcome: 'committed' | 'aborted', via: string): void {
    const wasInDoubt = tx.state === 'prepared';
    if (outcome === 'committed') {
      assert(tx.state === 'prepared', () => `${io.id}: commit of ${tx.id} in state ${tx.state}`);
      this.apply(io, tx);
      io.put(`tx/${tx.id}`, this.record(tx, 'committed'));
      io.fsync();
    } else {
      io.put(`tx/${tx.id}`, this.record(tx, 'aborted'));
    }
    tx.state = outcome;
    if (outcome === 'committed' || !this.opts.bugs.keepLocksOnAbort) this.releaseLocks(tx.id);
    io.cancelTimer('work', tx.id);
    io.cancelTimer('in-doubt', tx.id);
    if (wasInDoubt && tx.inDoubtSince !== undefined) {
      const waited = io.now() - tx.inDoubtSince;
      io.log(`resolved ${tx.id}: ${outcome} via ${via} after ${(waited / 1000).toFixed(3)} ms in doubt`);
    }
    delete tx.inDoubtSince;
    this.active.delete(tx.id);
    this.remember(tx.id);
    this.dirty = true;
  }

  /** A transaction just resolved (or recovered resolved): keep the latest RESOLVED_IN_MEMORY of them in memory, forget older ones (the log keeps them). */
  private remember(id: TxId): void {
    this.resolved.push(id);
    if (this.resolved.length > RESOLVED_IN_MEMORY) {
      for (const old of this.resolved.splice(0, this.resolved.length - PUBLISHED_RECENT)) if (!this.active.has(old)) this.txs.delete(old);
    }
    assert(this.txs.size <= this.active.size + RESOLVED_IN_MEMORY, () => `transaction table: ${this.txs.size} entries, bound ${this.active.size} active + ${RESOLVED_IN_MEMORY} resolved`);
  }

  /**
   * The transaction `id` as this participant knows it: in memory, else (resolved and forgotten) read
   * back from its log record, as the same resolved transaction (not kept: a resolved transaction is
   * only read, never changed, and the published state lists only the ones resolved last).
   */
  private lookup(io: ParticipantIo, id: TxId): ParticipantTx | undefined {
    const known = this.txs.get(id);
    if (known !== undefined) return known;
    const rec = readStable<LogRecord>(io, `tx/${id}`);
    // Unresolved (prepared) transactions are always in memory (recover() loads them): a prepared record here is not ours to act on.
    if (rec === undefined || rec.state === 'prepared') return undefined;
    return { id, state: rec.state, ops: rec.ops, participants: rec.participants, coordinator: rec.coordinator, epoch: rec.epoch, queries: 0 };
  }

  private apply(io: ParticipantIo, tx: ParticipantTx): void {
    for (const op of tx.ops) {
      const v = (this.balances.get(op.account) ?? 0) + op.delta;
      this.balances.set(op.account, v);
      io.put(`acct/${op.account}`, v);
    }
    this.dirty = true;
  }

  /** Unresolved transactions hold the locks of distinct accounts: never more of them than the shard has accounts. */
  private checkActiveBound(io: ParticipantIo): void {
    assert(this.active.size <= this.opts.accounts.length, () => `${io.id}: ${this.active.size} unresolved transactions, more than the shard's ${this.opts.accounts.length} accounts`);
  }

  private releaseLocks(id: TxId): void {
    for (const op of this.txs.get(id)?.ops ?? []) if (this.locks.get(op.account) === id) this.locks.delete(op.account);
  }

  private record(tx: ParticipantTx, state: LogRecord['state']): LogRecord {
    const rec: LogRecord = { state, ops: tx.ops, participants: tx.participants, coordinator: tx.coordinator, epoch: tx.epoch };
    if (state === 'prepared' && tx.inDoubtSince !== undefined) rec.preparedAt = tx.inDoubtSince;
    return rec;
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
      const tx = getOrFail(this.txs, id, 'active transactions');
      assert(tx.state === 'working' || tx.state === 'prepared', () => `${id} is active in state ${tx.state}`);
      txs[id] = tx.state;
      if (tx.state === 'prepared') inDoubt.push(id);
    }
    for (const id of this.resolved.slice(-PUBLISHED_RECENT)) {
      const tx = this.txs.get(id);
      if (tx !== undefined && (tx.state === 'committed' || tx.state === 'aborted')) txs[id] = tx.state;
    }
    const locks: Record<string, TxId> = {};
    for (const [account, tx] of this.locks) locks[account] = tx;
    return { txs, inDoubt, balance: this.totalBalance(), locks };
  }

  /** Net money this transaction moves on this shard. */
  static delta(tx: ParticipantTx): number {
    return sumDelta(tx.ops);
  }
}
