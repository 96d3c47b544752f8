// Isolation of two-phase commit's transfers: strict two-phase locking at each
// participant (Bernstein, Hadzilacos & Goodman, "Concurrency Control and Recovery
// in Database Systems", ch. 3: a transaction holds an exclusive lock on every item
// it writes until it commits or aborts; ch. 7: with 2PC a prepared participant
// keeps those locks while in doubt, across its own failures, since recovery
// re-acquires them from the prepared record). Judged from the trace only: the
// coordinator's `work` messages tell which accounts each transaction writes at each
// participant, and the participants' published states tell which transactions
// are undecided there (working or prepared), who holds each lock, and which
// commit. Whatever the shard size, these see a participant that lets a second
// transaction in on an account an undecided one holds, at the first step that
// does, and any account a commit overdraws.

import type { Checker, EventHooks, NodeId } from '../../api/index.ts';
import { ruleSet } from './rule-set.ts';
import type { Op } from './accounts.ts';
import type { TwoPcMessage, TxId } from './messages.ts';
import type { ParticipantState } from './state.ts';

/**
 * Two checkers sharing one pass over the trace:
 * - `strict-two-phase-locking`: at every publish of a participant, every undecided transaction
 *   there (published `working` or `prepared`) holds the published lock of each account it writes
 *   on that participant (its `work` ops), and no two undecided transactions write the same account
 *   (BHG ch. 3, strict 2PL; ch. 7, a prepared participant keeps its locks until the outcome, across
 *   recovery).
 * - `no-overdraft`: replaying each participant's commits (a transaction first published
 *   `committed` there applies its ops), no account ever goes below zero, and the published shard
 *   balance is never negative: the funds check at the vote, under the lock held until the commit,
 *   is what the workload relies on (the initial balance is at least zero, a config rule).
 * Sound for correct twopc: a participant publishes at the end of the step that took the locks
 * (onWork), releases them in the step that resolves the transaction, and re-takes a prepared
 * transaction's locks in recover() before its first publish after a restart; unvoted work is
 * volatile and leaves the published state with the crash. Transactions whose `work` the trace
 * never showed are not judged.
 * Followed through the engine's typed hooks (Checker.on; rule-set.ts): no trace event is built for them.
 * Cost: O(1) per message sent; per participant publish, O(its undecided transactions' ops),
 * bounded by the shard's accounts (each undecided transaction holds distinct locks), plus O(ops)
 * per commit.
 */
export function twopcIsolationRules(participants: readonly NodeId[], initialBalance: number): Checker[] {
  const isParticipant = new Set(participants);
  /** "p|tx" -> the ops the coordinator's first `work` for tx sent to p. */
  const opsOf = new Map<string, Op[]>();
  /** "p|tx" of every commit replayed. */
  const committed = new Set<string>();
  /** "p|account" -> balance replayed from commits (initialBalance until the first). */
  const balance = new Map<string, number>();
  const found: Record<string, string | undefined> = {};

  const onState = (p: NodeId, s: ParticipantState): void => {
    if (s.balance < 0 && found['no-overdraft'] === undefined) found['no-overdraft'] = `${p} published a shard balance of ${s.balance}, below zero`;
    /** account -> the undecided transaction writing it, in this publish. */
    const writer = new Map<string, TxId>();
    for (const [tx, st] of Object.entries(s.txs)) {
      const key = `${p}|${tx}`;
      const ops = opsOf.get(key);
      if (ops === undefined) continue;
      if (st === 'committed' && !committed.has(key)) {
        committed.add(key);
        for (const op of ops) {
          const b = `${p}|${op.account}`;
          const v = (balance.get(b) ?? initialBalance) + op.delta;
          balance.set(b, v);
          if (v < 0 && found['no-overdraft'] === undefined) found['no-overdraft'] = `${p} committed ${tx}, taking ${op.account} to ${v}: an account never goes below zero (the funds check holds under the lock until the commit)`;
        }
      }
      if (st !== 'working' && st !== 'prepared') continue;
      if (found['strict-two-phase-locking'] !== undefined) continue;
      for (const op of ops) {
        const other = writer.get(op.account);
        if (other !== undefined && other !== tx) {
          found['strict-two-phase-locking'] = `${p} has ${other} and ${tx} both undecided and both writing ${op.account}: strict two-phase locking lets one in only after the other commits or aborts`;
          break;
        }
        writer.set(op.account, tx);
        const holder = s.locks[op.account];
        if (holder !== tx) {
          found['strict-two-phase-locking'] = `${p} has ${tx} ${st} but ${op.account}, which it writes, is ${holder === undefined ? 'unlocked' : `locked by ${holder}`}: an undecided transaction holds its locks until the outcome${st === 'prepared' ? ' (a prepared one across restarts: recovery re-takes them)' : ''}`;
          break;
        }
      }
    }
  };

  const on: EventHooks = {
    send(_id, _from, to, m) {
      if (!isParticipant.has(to)) return;
      const msg = m as unknown as TwoPcMessage;
      if (msg.type !== 'work') return;
      const key = `${to}|${msg.tx}`;
      if (!opsOf.has(key)) opsOf.set(key, msg.ops);
    },
    publish(node, state) {
      if (isParticipant.has(node)) onState(node, state as unknown as ParticipantState);
    },
  };

  return ruleSet(found, {
    on,
    reset() {
      opsOf.clear();
      committed.clear();
      balance.clear();
    },
    rules: [
      ['strict-two-phase-locking', 'every undecided transaction at a participant holds the lock of each account it writes there, and no two undecided ones write the same account (BHG ch. 3 strict 2PL; ch. 7 locks kept while in doubt, across recovery)'],
      ['no-overdraft', 'replaying each participant\'s commits, no account goes below zero, and no shard balance is negative (funds checked at the vote under the lock)'],
    ],
  });
}
