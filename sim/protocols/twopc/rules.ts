// Step invariants of two-phase commit: rules a participant breaks at the step
// that goes wrong, before the damage atomicity sees (a transaction committed at
// one participant and aborted at another) has happened, which needs further
// luck (the wrong guess must reach someone, and the opposite decision must be
// applied elsewhere). From the trace only: the participants' published states
// and the messages sent and delivered. Sources: Gray & Lamport, "Consensus on
// Transaction Commit" (2006), the TLA+ specification TwoPhase (a resource
// manager leaves "prepared" only by RMRcvCommitMsg or RMRcvAbortMsg), and the
// cooperative termination protocol of Bernstein, Hadzilacos & Goodman,
// "Concurrency Control and Recovery in Database Systems" §7.4 (an uncertain
// participant cannot help another: it answers that it does not know).

import type { Checker, EventHooks, NodeId, SimView } from '../../api/index.ts';
import { ruleSet } from './rule-set.ts';
import type { TwoPcMessage, TxId } from './messages.ts';
import type { ParticipantState, ParticipantTxState } from './state.ts';

/** Outcome a message tells its receiver about a transaction (undefined: none). */
function outcomeOf(msg: TwoPcMessage): { tx: TxId; commit: boolean } | undefined {
  if (msg.type === 'decision') return { tx: msg.tx, commit: msg.commit };
  if (msg.type === 'peer-answer' && msg.outcome !== 'uncertain') return { tx: msg.tx, commit: msg.outcome === 'commit' };
  return undefined;
}

const word = (commit: boolean): ParticipantTxState => (commit ? 'committed' : 'aborted');

/**
 * Four checkers sharing one pass over the trace:
 * - `in-doubt-waits`: a participant that voted yes (published `prepared`) moves to `committed` or
 *   `aborted` only after an outcome of that transaction was delivered to it (the coordinator's
 *   decision, or a decided peer's answer), and to that outcome (TwoPhase: RMRcvCommitMsg,
 *   RMRcvAbortMsg are the only ways out of "prepared"; it never decides alone).
 * - `answers-known-outcome`: a participant answers a cooperative-termination query with commit or
 *   abort only when, at the end of that step, it holds that outcome itself (BHG §7.4; an abort it
 *   takes then, as a participant that has not voted may, counts).
 * - `acts-on-outcome`: a participant that is prepared (in doubt) when an outcome of that transaction
 *   is delivered to it (the coordinator's decision, or a decided peer's answer in the cooperative
 *   termination protocol) has left "prepared" at the end of that step (TwoPhase: RMRcvCommitMsg /
 *   RMRcvAbortMsg are enabled by the message; BHG §7.4: a participant that hears commit or abort
 *   from a peer decides accordingly). Seen at the delivery, where the liveness property
 *   `cooperative-termination` needs the coordinator cut off for several query intervals to judge it.
 * - `abort-alone-forced`: a participant that aborts a transaction alone (published `aborted` from
 *   `working` or unseen, no outcome of it delivered: a lock conflict, a funds shortfall, the work
 *   timeout, a peer's query before the vote) holds the abort record `tx/<id>` on its durable disk
 *   (`view.durable`) at the end of that step. The unilateral abort is final (TCommit: an aborted RM
 *   never prepares; BHG §7.3, AC2) and nobody may have heard of it, so only the forced record keeps a
 *   restarted participant from accepting the retried work and voting yes (this protocol's README,
 *   "One transaction"; an abort learned from the coordinator or a peer is presumed and not forced).
 *   Seen at the abort, where `atomicity` needs a crash before any later fsync, the retried work and
 *   the opposite decision elsewhere.
 * Followed through the engine's typed hooks (Checker.on; rule-set.ts): no trace event is built for them.
 * Cost: O(1) per message sent or delivered, O(transactions published) per participant publish.
 */
export function twopcRules(participants: readonly NodeId[]): Checker[] {
  const isParticipant = new Set(participants);
  /** Per participant: last published state of each transaction (kept after it leaves the published window). */
  const known = new Map<NodeId, Map<TxId, ParticipantTxState>>();
  /** "p|tx" -> outcomes delivered to p (bit 1: abort, bit 2: commit). */
  const learned = new Map<string, number>();
  /** Outcomes in flight: send id -> (tx, commit), for messages to participants. */
  const inFlight = new Map<number, { tx: TxId; commit: boolean }>();
  /** peer-answers sent in the current step, judged once the step's publish is in. */
  let pending: { p: NodeId; tx: TxId; commit: boolean; to: NodeId }[] = [];
  /** Outcomes delivered in the current step to a participant prepared for that transaction. */
  let told: { p: NodeId; tx: TxId; commit: boolean; from: NodeId }[] = [];
  /** Unilateral aborts published in the current step: judged against the durable disk at its end. */
  let alone: { p: NodeId; tx: TxId }[] = [];
  const found: Record<string, string | undefined> = {};

  const stateOf = (p: NodeId, tx: TxId): ParticipantTxState | undefined => known.get(p)?.get(tx);

  /** Called after every step (always-checkers run once all of a step's events are in, its publishes too). */
  const judgePending = (view: SimView): void => {
    for (const a of pending) {
      const st = stateOf(a.p, a.tx);
      if (st !== word(a.commit) && found['answers-known-outcome'] === undefined) {
        found['answers-known-outcome'] = `${a.p} answered ${a.to}'s cooperative-termination query with ${a.commit ? 'commit' : 'abort'} of ${a.tx}, but it is ${st ?? 'unaware of it'} itself`;
      }
    }
    pending = [];
    for (const a of told) {
      if (stateOf(a.p, a.tx) === 'prepared' && found['acts-on-outcome'] === undefined) {
        found['acts-on-outcome'] = `${a.p} is in doubt about ${a.tx} and ${a.from} told it ${a.commit ? 'commit' : 'abort'}, but it stayed prepared`;
      }
    }
    told = [];
    for (const a of alone) {
      const key = `tx/${a.tx}`;
      const rec = (view.durableRecord ? view.durableRecord(a.p, key) : view.durable(a.p).get(key)) as { state?: string } | undefined;
      if (rec?.state !== 'aborted' && found['abort-alone-forced'] === undefined) {
        found['abort-alone-forced'] = `${a.p} aborted ${a.tx} alone (no outcome reached it) but its disk holds ${rec?.state === undefined ? 'no record of it' : `a ${rec.state} record`}: a unilateral abort is forced before it is acted on`;
      }
    }
    alone = [];
  };

  const onState = (p: NodeId, s: ParticipantState): void => {
    let m = known.get(p);
    if (m === undefined) known.set(p, (m = new Map()));
    for (const [tx, st] of Object.entries(s.txs)) {
      const before = m.get(tx);
      if (before === st) continue;
      m.set(tx, st);
      if (st === 'aborted' && (before === undefined || before === 'working') && !learned.has(`${p}|${tx}`)) alone.push({ p, tx });
      if (before === 'prepared' && (st === 'committed' || st === 'aborted') && found['in-doubt-waits'] === undefined) {
        const got = learned.get(`${p}|${tx}`) ?? 0;
        const bit = st === 'committed' ? 2 : 1;
        if ((got & bit) === 0) {
          found['in-doubt-waits'] = `${p} voted yes for ${tx} and then ${st} it ${got === 0 ? 'before any outcome reached it' : `although the only outcome it received was ${got === 2 ? 'commit' : 'abort'}`}`;
        }
      }
    }
  };

  const on: EventHooks = {
    send(id, from, to, m) {
      if (!isParticipant.has(to)) return;
      const msg = m as unknown as TwoPcMessage;
      const o = outcomeOf(msg);
      if (o === undefined) return;
      inFlight.set(id, o);
      if (msg.type === 'peer-answer' && isParticipant.has(from)) pending.push({ p: from, tx: o.tx, commit: o.commit, to });
    },
    duplicate(id, of) {
      const o = inFlight.get(of);
      if (o !== undefined) inFlight.set(id, o);
    },
    deliver(id, from, to) {
      const o = inFlight.get(id);
      if (o === undefined) return;
      inFlight.delete(id);
      if (stateOf(to, o.tx) === 'prepared') told.push({ p: to, tx: o.tx, commit: o.commit, from });
      const key = `${to}|${o.tx}`;
      learned.set(key, (learned.get(key) ?? 0) | (o.commit ? 2 : 1));
    },
    drop(id) {
      inFlight.delete(id);
    },
    publish(node, state) {
      if (isParticipant.has(node)) onState(node, state as unknown as ParticipantState);
    },
  };

  return ruleSet(found, {
    on,
    reset() {
      known.clear();
      learned.clear();
      inFlight.clear();
      pending = [];
      told = [];
      alone = [];
    },
    beforeCheck: judgePending,
    rules: [
      ['in-doubt-waits', 'a participant that voted yes commits or aborts only on an outcome delivered to it (TwoPhase: RMRcvCommitMsg / RMRcvAbortMsg)'],
      ['answers-known-outcome', 'a participant answers a cooperative-termination query with commit or abort only when it holds that outcome itself (BHG 7.4)'],
      ['acts-on-outcome', 'a participant in doubt leaves "prepared" in the step an outcome of that transaction is delivered to it (TwoPhase: RMRcvCommitMsg / RMRcvAbortMsg; BHG 7.4: a decided peer\'s answer is adopted)'],
      ['abort-alone-forced', 'a participant that aborts a transaction alone (before voting, no outcome delivered) has the abort record on its durable disk at the end of that step (TCommit / BHG 7.3: the unilateral abort is final)'],
    ],
  });
}
