// The two-phase commit coordinator (transaction manager), presumed-abort
// variant (Mohan, Lindsay & Obermarck 1986). Pure state machine: one method per
// rule, acting only through TwoPcIo. Its log on the node's disk:
//   dec/<id>  { decision: 'commit' | 'abort', participants, client, ended }
// The commit record is forced before anyone hears of the decision; abort and
// end records are written lazily. No record means abort, so the coordinator
// can forget an aborted transaction at once and needs no acks for it.

import { assert } from '../../engine/assert.ts';
import { DiskCorruptionError } from '../../engine/disk.ts';
import type { JsonValue, Micros, NodeId } from '../../engine/types.ts';
import { splitTransfer, type Op, type Transfer } from './accounts.ts';
import type { TwoPcBugs } from './config.ts';
import { readStable, type TwoPcIo } from './io.ts';
import type { TwoPcMessage, TxId } from './messages.ts';
import { PUBLISHED_RECENT, type CoordinatorState, type CoordinatorTxState } from './state.ts';

export interface CoordinatorOptions {
  accountsPerShard: number;
  voteTimeout: Micros;
  retryInterval: Micros;
  resendInterval: Micros;
  /** Bugs: the commit record is flushed this long after the decision is sent. */
  lazyFlush: Micros;
  bugs: TwoPcBugs;
}

export interface DecisionRecord {
  decision: 'commit' | 'abort';
  participants: NodeId[];
  client: NodeId;
  /** End record: every participant acknowledged the commit. */
  ended: boolean;
}

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

export const timerVote = (tx: TxId): string => `vote:${tx}`;
export const timerResend = (tx: TxId): string => `resend:${tx}`;
export const timerRetry = (tx: TxId): string => `retry:${tx}`;
export const TIMER_FLUSH = 'flush';

export class Coordinator {
  readonly txs = new Map<TxId, CoordinatorTx>();
  private readonly finished: TxId[] = [];
  /**
   * Incarnation, bumped durably at every recovery and carried by work
   * messages: a duplicate begin that arrives after a restart starts a new
   * attempt, and a participant still holding the old attempt refuses it.
   */
  epoch = 0;
  dirty = true;

  constructor(
    private readonly io: TwoPcIo,
    private readonly opts: CoordinatorOptions,
  ) {}

  /**
   * Recovery (BHG §7.4, 2PC recovery; presumed abort as in R*): every commit record without an end record is a decision some
   * participants may not have heard; re-send it until all acknowledge.
   * Transactions without a record were not committed: they are aborted.
   */
  start(): void {
    this.io.disk.put('meta/epoch', 0);
    this.io.disk.fsync();
  }

  recover(): void {
    this.epoch = (this.readEpoch() ?? 0) + 1;
    this.io.disk.put('meta/epoch', this.epoch);
    this.io.disk.fsync();
    for (const key of this.io.disk.keys('dec/')) {
      const rec = this.read(key);
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
      this.io.log(`recovery: re-sending commit of ${id}`);
      this.sendDecision(tx);
      this.io.send(tx.client, { type: 'outcome', tx: id, commit: true, reason: 'committed (re-sent after coordinator recovery)' });
    }
    this.dirty = true;
  }

  private readEpoch(): number | undefined {
    try {
      return this.io.disk.get<number>('meta/epoch');
    } catch (err) {
      if (err instanceof DiskCorruptionError) return undefined;
      throw err;
    }
  }

  private read(key: string): DecisionRecord | undefined {
    return readStable<DecisionRecord>(this.io, key);
  }

  onMessage(from: NodeId, msg: TwoPcMessage): void {
    switch (msg.type) {
      case 'begin':
        this.onBegin(from, msg.tx, msg.transfer);
        return;
      case 'work-ack':
        this.onWorkAck(from, msg.tx, msg.ok, msg.reason);
        return;
      case 'vote':
        this.onVote(from, msg.tx, msg.yes, msg.reason);
        return;
      case 'ack':
        this.onAck(from, msg.tx);
        return;
      case 'query':
        this.onQuery(from, msg.tx);
        return;
      default:
        this.io.log(`ignored ${msg.type} from ${from}`);
    }
  }

  /** A client starts a transaction: ship each participant its part of the work. No log record yet (presumed abort). */
  onBegin(client: NodeId, id: TxId, transfer: Transfer): void {
    if (this.txs.has(id) || this.read(`dec/${id}`) !== undefined) return; // duplicate begin
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
    this.dirty = true;
    for (const [p, pops] of ops) this.io.send(p, { type: 'work', tx: id, epoch: this.epoch, ops: pops, participants });
    this.io.setTimer(timerVote(id), this.opts.voteTimeout);
    this.io.setTimer(timerRetry(id), this.opts.retryInterval);
  }

  /** Links lose messages: ask again whoever has not answered the current phase (participants answer duplicates alike). */
  onRetry(id: TxId): void {
    const tx = this.txs.get(id);
    if (tx === undefined || tx.phase === 'decided') return;
    for (const p of tx.participants) {
      if (tx.phase === 'work' && !tx.workAcks.has(p)) this.io.send(p, { type: 'work', tx: id, epoch: this.epoch, ops: tx.ops.get(p) ?? [], participants: tx.participants });
      if (tx.phase === 'vote' && tx.votes.get(p) === null) this.io.send(p, { type: 'prepare', tx: id });
    }
    this.io.setTimer(timerRetry(id), this.opts.retryInterval);
  }

  onWorkAck(from: NodeId, id: TxId, ok: boolean, reason: string | undefined): void {
    const tx = this.txs.get(id);
    if (tx === undefined || tx.phase !== 'work' || !tx.votes.has(from)) return;
    if (!ok) {
      this.decide(tx, 'abort', `${from} could not do the work: ${reason ?? 'no reason'}`);
      return;
    }
    tx.workAcks.add(from);
    if (tx.workAcks.size < tx.participants.length) return;
    // Phase 1, coordinator (Gray's 2PC): ask every participant to prepare.
    tx.phase = 'vote';
    for (const p of tx.participants) this.io.send(p, { type: 'prepare', tx: id });
    this.io.setTimer(timerVote(id), this.opts.voteTimeout);
    this.io.setTimer(timerRetry(id), this.opts.retryInterval);
  }

  /**
   * Phase 1 -> 2, coordinator (BHG §7.4, 2PC; condition AC3 of §7.3): any no
   * vote decides abort; yes votes from every participant decide commit.
   */
  onVote(from: NodeId, id: TxId, yes: boolean, reason: string | undefined): void {
    const tx = this.txs.get(id);
    if (tx === undefined || tx.phase !== 'vote' || !tx.votes.has(from)) {
      // A late yes for a transaction we no longer know: under presumed abort it aborted.
      if (yes && tx === undefined && this.read(`dec/${id}`)?.decision !== 'commit') this.io.send(from, { type: 'decision', tx: id, commit: false });
      return;
    }
    tx.votes.set(from, yes);
    this.dirty = true;
    if (!yes) {
      this.decide(tx, 'abort', `${from} voted no: ${reason ?? 'no reason'}`);
      return;
    }
    for (const v of tx.votes.values()) if (v !== true) return;
    this.decide(tx, 'commit', 'every participant voted yes');
  }

  /** Vote timer: a participant that does not answer is a no (BHG §7.4, the coordinator's timeout while waiting for votes). */
  onVoteTimeout(id: TxId): void {
    const tx = this.txs.get(id);
    if (tx === undefined || tx.phase === 'decided') return;
    if (this.opts.bugs.presumeYesOnTimeout && tx.phase === 'vote' && [...tx.votes.values()].every((v) => v !== false)) {
      this.decide(tx, 'commit', 'vote timeout (missing votes counted as yes)');
      return;
    }
    this.decide(tx, 'abort', `timeout in the ${tx.phase} phase`);
  }

  /**
   * The decision (BHG §7.4, 2PC; Gray 1978): force the commit record, then
   * tell the participants and the client. An abort record is not forced
   * (presumed abort) and needs no acknowledgement: the transaction is
   * forgotten at once.
   */
  private decide(tx: CoordinatorTx, decision: 'commit' | 'abort', why: string): void {
    assert(tx.phase !== 'decided', () => `${this.io.id}: ${tx.id} decided twice`);
    tx.phase = 'decided';
    tx.decision = decision;
    this.io.cancelTimer(timerVote(tx.id));
    this.io.cancelTimer(timerRetry(tx.id));
    this.io.log(`decide ${decision} ${tx.id}: ${why}`);
    const rec: DecisionRecord = { decision, participants: tx.participants, client: tx.client, ended: false };
    if (decision === 'commit') {
      if (this.opts.bugs.commitBeforeLog) {
        // The planted bug: tell everyone first, write the record through a lazy group commit.
        tx.state = 'committing';
        this.sendDecision(tx);
        this.io.disk.put(`dec/${tx.id}`, rec as unknown as JsonValue);
        if (!this.io.hasTimer(TIMER_FLUSH)) this.io.setTimer(TIMER_FLUSH, this.opts.lazyFlush);
      } else {
        this.io.disk.put(`dec/${tx.id}`, rec as unknown as JsonValue);
        this.io.disk.fsync();
        tx.state = 'committing';
        this.sendDecision(tx);
      }
    } else {
      this.io.disk.put(`dec/${tx.id}`, rec as unknown as JsonValue);
      tx.state = 'aborting';
      for (const p of tx.participants) this.io.send(p, { type: 'decision', tx: tx.id, commit: false });
      this.done(tx);
    }
    this.io.send(tx.client, { type: 'outcome', tx: tx.id, commit: decision === 'commit', reason: why });
    this.dirty = true;
  }

  /** Phase 2: send the commit to every participant that has not acknowledged it, and keep re-sending. */
  private sendDecision(tx: CoordinatorTx): void {
    for (const p of tx.participants) if (!tx.acks.has(p)) this.io.send(p, { type: 'decision', tx: tx.id, commit: true });
    this.io.setTimer(timerResend(tx.id), this.opts.resendInterval);
  }

  onResend(id: TxId): void {
    const tx = this.txs.get(id);
    if (tx?.state !== 'committing') return;
    this.sendDecision(tx);
  }

  /** Every participant has the commit: write the end record (lazily) and forget the transaction. */
  onAck(from: NodeId, id: TxId): void {
    const tx = this.txs.get(id);
    if (tx?.state !== 'committing' || !tx.votes.has(from)) return;
    tx.acks.add(from);
    if (tx.acks.size < tx.participants.length) return;
    this.io.cancelTimer(timerResend(id));
    const rec: DecisionRecord = { decision: 'commit', participants: tx.participants, client: tx.client, ended: true };
    this.io.disk.put(`dec/${id}`, rec as unknown as JsonValue);
    this.done(tx);
  }

  /**
   * Termination protocol, coordinator side: answer an in-doubt participant.
   * Still collecting votes: say nothing yet. Otherwise the log decides; no
   * commit record means abort (the presumption).
   */
  onQuery(from: NodeId, id: TxId): void {
    const tx = this.txs.get(id);
    if (tx !== undefined && tx.phase !== 'decided') return;
    let commit: boolean;
    if (tx?.decision !== undefined) commit = tx.decision === 'commit';
    else commit = this.read(`dec/${id}`)?.decision === 'commit';
    this.io.send(from, { type: 'decision', tx: id, commit });
  }

  onFlush(): void {
    this.io.disk.fsync();
  }

  private done(tx: CoordinatorTx): void {
    tx.state = 'done';
    this.finished.push(tx.id);
    this.dirty = true;
    // Forget old finished transactions: their log records (or the presumption) answer for them.
    while (this.finished.length > PUBLISHED_RECENT) {
      const old = this.finished.shift() as TxId;
      this.txs.delete(old);
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
