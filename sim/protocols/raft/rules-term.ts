// Step rule of Raft about terms on replies: a response that carries a term older
// than the receiver's currentTerm is dropped (`stale-reply-discarded`). Like the
// rules of rules-rpc.ts and rules-state.ts it follows the run through the
// engine's typed hooks (Checker.on): no trace event object is built for it.

import type { Checker, NodeId } from '../../api/index.ts';
import { APPEND_RESP, RpcInFlight, SNAPSHOT_RESP, VOTE_RESP } from './rpc-in-flight.ts';

/** The RPC a reply kind answers (rpc-in-flight.ts kinds). */
const RPC_NAME: Record<number, string> = { [VOTE_RESP]: 'RequestVote', [APPEND_RESP]: 'AppendEntries', [SNAPSHOT_RESP]: 'InstallSnapshot' };

/**
 * A stale reply changes nothing: when a server handles a RequestVote (PreVote included),
 * AppendEntries or InstallSnapshot response whose term is below its currentTerm, that step neither
 * sends a message nor publishes a state (no vote counted, no election won, no matchIndex, nextIndex
 * or commitIndex moved, no read confirmed by the acknowledgement). Sources: Raft paper Figure 2,
 * "Rules for Servers, All Servers: if RPC request or response contains term T > currentTerm ..."
 * and the candidate and leader rules, which count only replies of the current term; Ongaro's
 * raft.tla `DropStaleResponse` (a response with `mterm < currentTerm[i]` is discarded, every
 * variable but `messages` UNCHANGED), which every response handler (`HandleRequestVoteResponse`,
 * `HandleAppendEntriesResponse`) is guarded against by `mterm = currentTerm[i]`. A leader that
 * counts a late reply of its previous leadership takes a matchIndex the follower may since have
 * lost to another leader, and commits on it (the outside mutant staleTermAppendRespCounted); a
 * candidate that counts a vote of an earlier election wins without a majority. The damage (a
 * committed entry lost, two leaders) needs more steps and luck; this sees the reply counted.
 *
 * The receiver's currentTerm is the term it last published (a step persists and publishes its term
 * before the step ends; a restart forgets it until the restarted server publishes). Sound for this
 * implementation: its response handlers return at once on a stale term (node.ts), so a step whose
 * only input is a stale reply applies nothing new, answers no client and changes nothing published.
 * Cost: O(1) per send, duplicate, deliver, drop, start and publish (replies in flight kept by the run's
 * shared RpcInFlight, no allocation per message; one number per server).
 */
export function staleReplyDiscarded(inFlight: RpcInFlight = new RpcInFlight()): Checker {
  /** Per server: the term of its last publish in this life (absent: not published since it started). */
  const term = new Map<NodeId, number>();
  // The stale reply delivered in the current step (staleKind 0: none): its kind, PreVote or not, term,
  // receiver and sender, and the receiver's term then.
  let staleKind = 0;
  let stalePre = false;
  let staleTerm = 0;
  let staleNode: NodeId = '';
  let staleFrom: NodeId = '';
  let current = 0;
  let failure: string | undefined;
  /** Raised when a stale reply is delivered (check() then judges and resets the step's): Checker.wake. */
  const wake = { raised: false };
  const what = (): string => `${staleNode} in term ${current} handled ${staleFrom}'s ${stalePre ? 'PreVote' : RPC_NAME[staleKind]} reply of term ${staleTerm}`;
  return {
    name: 'stale-reply-discarded',
    description: 'a reply whose term is below the receiver\'s currentTerm is dropped: the step that handles it sends and changes nothing (Figure 2; raft.tla DropStaleResponse)',
    when: 'always',
    wake,
    // Typed hooks (Checker.on): the engine builds no trace event for this rule in an untraced run.
    on: {
      send(id, from, _to, m) {
        inFlight.send(id, m);
        if (staleKind !== 0 && from === staleNode && failure === undefined) {
          const msg = m as unknown as { type?: unknown };
          failure = `${what()} and sent ${String(msg.type)} in that step: a reply of an older term must be dropped (Figure 2; raft.tla DropStaleResponse)`;
          wake.raised = true;
        }
      },
      duplicate(id, of) {
        inFlight.duplicate(id, of);
      },
      deliver(id, from, to) {
        if (!inFlight.deliver(id)) return;
        const k = inFlight.kind;
        // Replies whose term is not a number are not judged.
        if (k < VOTE_RESP || Number.isNaN(inFlight.term)) return;
        const t = term.get(to);
        if (t === undefined || inFlight.term >= t) return;
        staleKind = k;
        stalePre = inFlight.pre;
        staleTerm = inFlight.term;
        staleNode = to;
        staleFrom = from;
        current = t;
        wake.raised = true;
      },
      drop(id) {
        inFlight.drop(id);
      },
      start(node) {
        term.delete(node);
      },
      publish(node, state) {
        if (staleKind !== 0 && node === staleNode && failure === undefined) {
          const st = state as { role?: unknown; term?: unknown; commitIndex?: unknown } | null;
          const shown = st !== null && typeof st === 'object' ? ` (now ${String(st.role)} of term ${String(st.term)}, commitIndex ${String(st.commitIndex)})` : '';
          failure = `${what()} and changed its published state in that step${shown}: a reply of an older term must not be counted (Figure 2; raft.tla DropStaleResponse)`;
          wake.raised = true;
        }
        const st = state as { term?: unknown } | null;
        if (st !== null && typeof st === 'object' && typeof st.term === 'number') term.set(node, st.term);
      },
      violation() {
        staleKind = 0;
        failure = undefined;
      },
    },
    check() {
      staleKind = 0;
      const f = failure;
      failure = undefined;
      return f;
    },
  };
}

/** One server's published log, as terms by index, in its current life. */
interface TermsView {
  /** The snapshot's index (its term is terms[lo]); entries below it are gone. */
  lo: number;
  /** Index of the last entry. */
  last: number;
  /** Index of terms[0]: at most lo (moved up when a snapshot passes the whole log, to keep the array dense). */
  base: number;
  /** terms[i - base]: term of the entry at index i, for lo <= i <= last (slots outside are stale). */
  terms: number[];
}

/** The published log fields this rule reads (state.ts RaftServerState). */
interface LogFields {
  snapshotIndex: number;
  snapshotTerm: number;
  lastIndex: number;
  logFrom: number;
  entries: number[];
}

function logFields(state: unknown): LogFields | undefined {
  if (state === null || typeof state !== 'object') return undefined;
  const s = state as Partial<Record<keyof LogFields, unknown>>;
  if (typeof s.snapshotIndex !== 'number' || typeof s.snapshotTerm !== 'number' || typeof s.lastIndex !== 'number') return undefined;
  if (typeof s.logFrom !== 'number' || !Array.isArray(s.entries)) return undefined;
  return s as LogFields;
}

/**
 * A server's log has non-decreasing terms: in every log it publishes, the snapshot's last included
 * term, then the term of each entry after it in index order, never goes down. Sources: Raft paper
 * Figure 2 (a leader appends entries of its currentTerm only, after entries of terms at most its
 * own; a follower takes a leader's entries after a matching prefix) and Figure 13, InstallSnapshot
 * receiver rules 6-7 ("if existing log entry has same index and term as snapshot's last included
 * entry, retain log entries following it and reply; otherwise discard the entire log");
 * `H_LogTermsMonotonic` of Schultz et al.'s inductive invariant for AsyncRaft (TLA+) and the
 * `sorted` log invariant of Verdi's Raft proof. A follower that keeps its suffix after a snapshot
 * whose last entry has another term holds entries of an older term after it: Log Matching compares
 * prefix digests, which the kept entries keep, so no Figure 3 property sees it until the stale
 * suffix is served as the leader's.
 *
 * Judged from the typed `publish` and `start` hooks only: each publish's `snapshotIndex`,
 * `snapshotTerm`, `logFrom`, `entries` (terms of logFrom..lastIndex) and `lastIndex` rebuild the
 * server's log in this life as terms by index; the adjacent pairs a publish creates are checked:
 * each written entry against the one before it, and the snapshot's last entry against the entry
 * after it when the snapshot changed. Cost O(1) plus O(entries written) per publish; memory one
 * number per log index per server (reset when it starts or restarts).
 */
export function logTermsMonotonic(): Checker {
  const views = new Map<NodeId, TermsView>();
  let failure: string | undefined;
  /** Raised with a failure (Checker.wake). */
  const wake = { raised: false };
  return {
    name: 'log-terms-monotonic',
    description: 'the terms of a server\'s published log (snapshot term, then entries) never decrease (Figure 2; Figure 13 rules 6-7; H_LogTermsMonotonic)',
    when: 'always',
    wake,
    on: {
      start(node) {
        views.delete(node);
      },
      publish(node, state) {
        const s = logFields(state);
        if (s === undefined) return;
        const lo = s.snapshotIndex;
        let v = views.get(node);
        let snapChanged = true;
        if (v === undefined || lo < v.base || lo > v.last) {
          // A new life, or a snapshot past the whole log (nothing before it is read again): a dense array from lo.
          views.set(node, (v = { lo, last: lo, base: lo, terms: [] }));
        } else {
          snapChanged = v.lo !== lo || v.terms[lo - v.base] !== s.snapshotTerm;
        }
        const t = v.terms;
        const base = v.base;
        const entries = s.entries;
        for (let k = 0; k < entries.length; k++) {
          const i = s.logFrom + k;
          if (i > lo) t[i - base] = entries[k] as number; // entries at or below the snapshot are not read again
        }
        v.lo = lo;
        t[lo - base] = s.snapshotTerm;
        v.last = s.lastIndex;
        if (failure !== undefined) return;
        const from = Math.max(s.logFrom, lo + 1);
        // The adjacent pairs this publish made: the snapshot's last entry and the next (when the snapshot
        // changed and the entry after it was kept), then each written entry and the one before it.
        for (let i = snapChanged && lo + 1 < from ? lo + 1 : from; i <= v.last; i = i < from ? from : i + 1) {
          const a = t[i - 1 - base];
          const b = t[i - base];
          if (a === undefined || b === undefined || b >= a) continue;
          if (i < from) {
            failure = `${node}'s log holds an entry of term ${b} at index ${i} after its snapshot's last included entry (index ${lo}, term ${a}): log terms never decrease; a snapshot whose last entry the log does not hold with that term discards the whole log (Figure 13, InstallSnapshot rules 6-7; H_LogTermsMonotonic)`;
          } else {
            const after = i - 1 === lo ? `its snapshot's last included entry (index ${lo}, term ${a})` : `an entry of term ${a} at index ${i - 1}`;
            failure = `${node} published a log entry of term ${b} at index ${i} after ${after}: log terms never decrease (Figure 2; H_LogTermsMonotonic)`;
          }
          wake.raised = true;
          return;
        }
      },
      violation() {
        failure = undefined;
      },
    },
    check() {
      const f = failure;
      failure = undefined;
      return f;
    },
  };
}

/** The term rules above (typed event hooks only): listed with the step rules, before Figure 3's. */
export function raftTermRules(inFlight: RpcInFlight = new RpcInFlight()): Checker[] {
  return [staleReplyDiscarded(inFlight), logTermsMonotonic()];
}
