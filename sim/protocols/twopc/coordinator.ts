// The two-phase commit coordinator (transaction manager), presumed-abort
// variant (Mohan, Lindsay & Obermarck 1986). A sans-IO node (sim/api/node.ts):
// one method per rule, each reading and acting only through the step's `Io`.
// Its log on the node's disk:
//   dec/<id>  { decision: 'commit' | 'abort', participants, client, ended }
// The commit record is forced before anyone hears of the decision; abort and
// end records are written lazily. No record means abort, so the coordinator
// can forget an aborted transaction at once and needs no acks for it.

import { assert, type Io, type Micros, type NodeId, type ProtocolNode } from '../../api/index.ts';
import { splitTransfer, type Op, type Transfer } from './accounts.ts';
import { MAX_OPEN_TRANSACTIONS, type TwoPcBugs } from './config.ts';
import type { TwoPcMessage, TxId } from './messages.ts';
import { readStable } from './stable.ts';
import { PUBLISHED_RECENT, type CoordinatorState, type CoordinatorTxState } from './state.ts';

/**
 * The coordinator's typed timers (identity: name + key = transaction id).
 * - `vote`: the vote timeout of a transaction still in its work or vote phase (`voteTimeout`).
 * - `retry`: re-send work / prepare to the participants that have not answered (`retryInterval`).
 * - `resend`: re-send a commit decision not yet acknowledged by every participant (`resendInterval`).
 * - `flush`: (planted bug commitBeforeLog only) the lazy group commit of decision records (`lazyFlush`).
 */
export type CoordinatorTimer = { name: 'vote'; key: TxId } | { name: 'retry'; key: TxId } | { name: 'resend'; key: TxId } | { name: 'flush' };

/** The coordinator's window on one step. */
export type CoordinatorIo = Io<TwoPcMessage, CoordinatorTimer, CoordinatorState>;

export interface CoordinatorOptions {
  accountsPerShard: number;
  voteTimeout: Micros;
  retryInterval: Micros;
  resendInterval: Micros;
  /** Bugs: the commit record is flushed this long after the decision is sent. */
  lazyFlush: Micros;
  /** Most open transactions (config maxOpenTransactions; default MAX_OPEN_TRANSACTIONS): a begin beyond it is refused. */
  maxOpen?: number;
  /** Clients of the cluster: at most one transfer in flight each, so maxOpen >= clients (a config rule). */
  clients?: number;
  bugs: TwoPcBugs;
}

export type DecisionRecord = {
  decision: 'commit' | 'abort';
  participants: NodeId[];
  client: NodeId;
  /** End record: every participant acknowledged the commit. */
  ended: boolean;
};

export interface CoordinatorTx {
  id: TxId;
  state: CoordinatorTxState;
  /** Before the vote: waiting for the participants to stage their work. */
  phase: 'work' | 'vote' | 'decided';
  client: NodeId;
  participants: NodeId[];
  ops: Map<NodeId, Op[]>;
  workAcks: Set<NodeId>;
  votes: Map<NodeId, boolean | null>;
  acks: Set<NodeId>;
  decision?: 'commit' | 'abort';
}

export class Coordinator implements ProtocolNode<TwoPcMessage, CoordinatorTimer, CoordinatorState> {
  readonly txs = new Map<TxId, CoordinatorTx>();
  private readonly finished: TxId[] = [];
  /**
   * Incarnation, bumped durably at every recovery and carried by work
   * messages: a duplicate begin that arrives after a restart starts a new
   * attempt, and a participant still holding the old attempt refuses it.
   */
  epoch = 0;
  dirty = true;

  /** The bound on open transactions (options.maxOpen). */
  private readonly maxOpen: number;

  constructor(private readonly opts: CoordinatorOptions) {
    this.maxOpen = opts.maxOpen ?? MAX_OPEN_TRANSACTIONS;
    assert(Number.isInteger(this.maxOpen) && this.maxOpen >= Math.max(1, opts.clients ?? 0), () => `coordinator: maxOpen ${this.maxOpen} below the ${opts.clients ?? 0} clients`);
  }

  /** Transactions open now: in the table and not done (the done ones kept are at most PUBLISHED_RECENT). */
  private openCount(): number {
    return this.txs.size - this.finished.length;
  }

  // ---------------------------------------------------------------- the node's inputs

  onStart(io: CoordinatorIo): void {
    this.start(io);
    this.publish(io);
  }

  onRecover(io: CoordinatorIo): void {
    this.recover(io);
    this.publish(io);
  }

  onMessage(io: CoordinatorIo, from: NodeId, msg: TwoPcMessage): void {
    switch (msg.type) {
      case 'begin':
        this.onBegin(io, from, msg.tx, msg.transfer);
        break;
      case 'work-ack':
        this.onWorkAck(io, from, msg.tx, msg.ok, msg.reason);
        break;
      case 'vote':
        this.onVote(io, from, msg.tx, msg.yes, msg.reason);
        break;
      case 'ack':
        this.onAck(io, from, msg.tx);
        break;
      case 'query':
        this.onQuery(io, from, msg.tx);
        break;
      default:
        io.log(`ignored ${msg.type} from ${from}`);
    }
    this.publish(io);
  }

  onTimer(io: CoordinatorIo, timer: CoordinatorTimer): void {
    switch (timer.name) {
      case 'flush':
        this.onFlush(io);
        break;
      case 'vote':
        this.onVoteTimeout(io, timer.key);
        break;
      case 'resend':
        this.onResend(io, timer.key);
        break;
      case 'retry':
        this.onRetry(io, timer.key);
        break;
    }
    this.publish(io);
  }

  /** Publish the state if a handler changed what it shows. */
  private publish(io: CoordinatorIo): void {
    if (!this.dirty) return;
    this.dirty = false;
    io.publish(this.snapshot());
  }

  // ---------------------------------------------------------------- rules

  /**
   * Recovery (BHG §7.4, 2PC recovery; presumed abort as in R*): every commit record without an end record is a decision some
   * participants may not have heard; re-send it until all acknowledge.
   * Transactions without a record were not committed: they are aborted.
   */
  start(io: CoordinatorIo): void {
    io.put('meta/epoch', 0);
    io.fsync();
  }

  recover(io: CoordinatorIo): void {
    this.epoch = (readEpoch(io) ?? 0) + 1;
    io.put('meta/epoch', this.epoch);
    io.fsync();
    for (const key of io.keys('dec/')) {
      const rec = readStable<DecisionRecord>(io, key);
      if (rec === undefined || rec.decision !== 'commit' || rec.ended) continue;
      const id = key.slice(4);
      const tx: CoordinatorTx = {
        id,
        state: 'committing',
        phase: 'decided',
        client: rec.client,
        participants: rec.participants,
        ops: new Map(),
        workAcks: new Set(),
        votes: new Map(rec.participants.map((p) => [p, true])),
        acks: new Set(),
        decision: 'commit',
      };
      this.txs.set(id, tx);
      io.log(`recovery: re-sending commit of ${id}`);
      this.sendDecision(io, tx);
      io.send(tx.client, { type: 'outcome', tx: id, commit: true, reason: 'committed (re-sent after coordinator recovery)' });
    }
    this.dirty = true;
  }


  /** A client starts a transaction: ship each participant its part of the work. No log record yet (presumed abort). */
  onBegin(io: CoordinatorIo, client: NodeId, id: TxId, transfer: Transfer): void {
    if (this.txs.has(id) || readStable<DecisionRecord>(io, `dec/${id}`) !== undefined) return; // duplicate begin
    // The bound on the table (TigerBeetle: every table that grows has one): refuse, do not grow. No record: presumed abort.
    if (this.openCount() >= this.maxOpen) {
      io.send(client, { type: 'outcome', tx: id, commit: false, reason: `coordinator busy: ${this.openCount()} open transactions (maxOpenTransactions)` });
      return;
    }
    const ops = splitTransfer(transfer, this.opts.accountsPerShard);
    const participants = [...ops.keys()];
    const tx: CoordinatorTx = {
      id,
      state: 'preparing',
      phase: 'work',
      client,
      participants,
      ops,
      workAcks: new Set(),
      votes: new Map(participants.map((p) => [p, null])),
      acks: new Set(),
    };
    this.txs.set(id, tx);
    assert(this.openCount() <= this.maxOpen, () => `coordinator: ${this.openCount()} open transactions, bound ${this.maxOpen}`);
    this.dirty = true;
    for (const [p, pops] of ops) io.send(p, { type: 'work', tx: id, epoch: this.epoch, ops: pops, participants });
    io.setTimer({ name: 'vote', key: id }, this.opts.voteTimeout);
    io.setTimer({ name: 'retry', key: id }, this.opts.retryInterval);
  }

  /** Links lose messages: ask again whoever has not answered the current phase (participants answer duplicates alike). */
  onRetry(io: CoordinatorIo, id: TxId): void {
    const tx = this.txs.get(id);
    if (tx === undefined || tx.phase === 'decided') return;
    for (const p of tx.participants) {
      if (tx.phase === 'work' && !tx.workAcks.has(p)) io.send(p, { type: 'work', tx: id, epoch: this.epoch, ops: tx.ops.get(p) ?? [], participants: tx.participants });
      if (tx.phase === 'vote' && tx.votes.get(p) === null) io.send(p, { type: 'prepare', tx: id });
    }
    io.setTimer({ name: 'retry', key: id }, this.opts.retryInterval);
  }

  onWorkAck(io: CoordinatorIo, from: NodeId, id: TxId, ok: boolean, reason: string | undefined): void {
    const tx = this.txs.get(id);
    if (tx === undefined || tx.phase !== 'work' || !tx.votes.has(from)) return;
    if (!ok) {
      this.decide(io, tx, 'abort', `${from} could not do the work: ${reason ?? 'no reason'}`);
      return;
    }
    tx.workAcks.add(from);
    if (tx.workAcks.size < tx.participants.length) return;
    // Phase 1, coordinator (Gray's 2PC): ask every participant to prepare.
    tx.phase = 'vote';
    for (const p of tx.participants) io.send(p, { type: 'prepare', tx: id });
    io.setTimer({ name: 'vote', key: id }, this.opts.voteTimeout);
    io.setTimer({ name: 'retry', key: id }, this.opts.retryInterval);
  }

  /**
   * Phase 1 -> 2, coordinator (BHG §7.4, 2PC; condition AC3 of §7.3): any no
   * vote decides abort; yes votes from every participant decide commit.
   */
  onVote(io: CoordinatorIo, from: NodeId, id: TxId, yes: boolean, reason: string | undefined): void {
    const tx = this.txs.get(id);
    if (tx === undefined || tx.phase !== 'vote' || !tx.votes.has(from)) {
      // A late yes for a transaction we no longer know: under presumed abort it aborted.
      if (yes && tx === undefined && readStable<DecisionRecord>(io, `dec/${id}`)?.decision !== 'commit') io.send(from, { type: 'decision', tx: id, commit: false });
      return;
    }
    tx.votes.set(from, yes);
    this.dirty = true;
    if (!yes) {
      this.decide(io, tx, 'abort', `${from} voted no: ${reason ?? 'no reason'}`);
      return;
    }
    for (const v of tx.votes.values()) if (v !== true) return;
    this.decide(io, tx, 'commit', 'every participant voted yes');
  }

  /** Vote timer: a participant that does not answer is a no (BHG §7.4, the coordinator's timeout while waiting for votes). */
  onVoteTimeout(io: CoordinatorIo, id: TxId): void {
    const tx = this.txs.get(id);
    if (tx === undefined || tx.phase === 'decided') return;
    if (this.opts.bugs.presumeYesOnTimeout && tx.phase === 'vote' && [...tx.votes.values()].every((v) => v !== false)) {
      this.decide(io, tx, 'commit', 'vote timeout (missing votes counted as yes)');
      return;
    }
    this.decide(io, tx, 'abort', `timeout in the ${tx.phase} phase`);
  }

  /**
   * The decision (BHG §7.4, 2PC; Gray 1978): force the commit record, then
   * tell the participants and the client. An abort record is not forced
   * (presumed abort) and needs no acknowledgement: the transaction is
   * forgotten at once.
   */
  private decide(io: CoordinatorIo, tx: CoordinatorTx, decision: 'commit' | 'abort', why: string): void {
    assert(tx.phase !== 'decided', () => `${io.id}: ${tx.id} decided twice`);
    tx.phase = 'decided';
    tx.decision = decision;
    io.cancelTimer('vote', tx.id);
    io.cancelTimer('retry', tx.id);
    io.log(`decide ${decision} ${tx.id}: ${why}`);
    const rec: DecisionRecord = { decision, participants: tx.participants, client: tx.client, ended: false };
    if (decision === 'commit') {
      if (this.opts.bugs.commitBeforeLog) {
        // The planted bug: tell everyone first, write the record through a lazy group commit.
        tx.state = 'committing';
        this.sendDecision(io, tx);
        io.put(`dec/${tx.id}`, rec);
        if (!io.timerArmed('flush')) io.setTimer({ name: 'flush' }, this.opts.lazyFlush);
      } else {
        io.put(`dec/${tx.id}`, rec);
        io.fsync();
        tx.state = 'committing';
        this.sendDecision(io, tx);
      }
    } else {
      io.put(`dec/${tx.id}`, rec);
      tx.state = 'aborting';
      for (const p of tx.participants) io.send(p, { type: 'decision', tx: tx.id, commit: false });
      this.done(tx);
    }
    io.send(tx.client, { type: 'outcome', tx: tx.id, commit: decision === 'commit', reason: why });
    this.dirty = true;
  }

  /** Phase 2: send the commit to every participant that has not acknowledged it, and keep re-sending. */
  private sendDecision(io: CoordinatorIo, tx: CoordinatorTx): void {
    for (const p of tx.participants) if (!tx.acks.has(p)) io.send(p, { type: 'decision', tx: tx.id, commit: true });
    io.setTimer({ name: 'resend', key: tx.id }, this.opts.resendInterval);
  }

  onResend(io: CoordinatorIo, id: TxId): void {
    const tx = this.txs.get(id);
    if (tx?.state !== 'committing') return;
    this.sendDecision(io, tx);
  }

  /** Every participant has the commit: write the end record (lazily) and forget the transaction. */
  onAck(io: CoordinatorIo, from: NodeId, id: TxId): void {
    const tx = this.txs.get(id);
    if (tx?.state !== 'committing' || !tx.votes.has(from)) return;
    tx.acks.add(from);
    if (tx.acks.size < tx.participants.length) return;
    io.cancelTimer('resend', id);
    const rec: DecisionRecord = { decision: 'commit', participants: tx.participants, client: tx.client, ended: true };
    io.put(`dec/${id}`, rec);
    this.done(tx);
  }

  /**
   * Termination protocol, coordinator side: answer an in-doubt participant.
   * Still collecting votes: say nothing yet. Otherwise the log decides; no
   * commit record means abort (the presumption).
   */
  onQuery(io: CoordinatorIo, from: NodeId, id: TxId): void {
    const tx = this.txs.get(id);
    if (tx !== undefined && tx.phase !== 'decided' && !this.opts.bugs.answerQueryWhileVoting) return;
    let commit: boolean;
    if (tx?.decision !== undefined) commit = tx.decision === 'commit';
    else commit = readStable<DecisionRecord>(io, `dec/${id}`)?.decision === 'commit';
    io.send(from, { type: 'decision', tx: id, commit });
  }

  onFlush(io: CoordinatorIo): void {
    io.fsync();
  }

  private done(tx: CoordinatorTx): void {
    tx.state = 'done';
    this.finished.push(tx.id);
    this.dirty = true;
    // Forget old finished transactions: their log records (or the presumption) answer for them.
    while (this.finished.length > PUBLISHED_RECENT) {
      const old = this.finished.shift();
      if (old !== undefined) this.txs.delete(old);
    }
  }

  snapshot(): CoordinatorState {
    const txs: CoordinatorState['txs'] = {};
    for (const tx of this.txs.values()) {
      const votes: Record<string, 'yes' | 'no' | null> = {};
      for (const [p, v] of tx.votes) votes[p] = v === null ? null : v ? 'yes' : 'no';
      txs[tx.id] = { state: tx.state, votes };
    }
    return { txs };
  }
}

function readEpoch(io: CoordinatorIo): number | undefined {
  try {
    return io.read<number>('meta/epoch');
  } catch (err) {
    if (err instanceof Error && err.name === 'DiskCorruptionError') return undefined;
    throw err;
  }
}
