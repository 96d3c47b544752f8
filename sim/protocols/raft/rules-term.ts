// Step rule of Raft about terms on replies: a response that carries a term older
// than the receiver's currentTerm is dropped (`stale-reply-discarded`). Like the
// rules of rules-rpc.ts and rules-state.ts it follows the run through the
// engine's typed hooks (Checker.on): no trace event object is built for it.

import type { Checker, NodeId } from '../../api/index.ts';

/** A reply in flight: its type and the term it carries. */
interface Reply {
  type: 'vote-resp' | 'append-resp' | 'snapshot-resp';
  term: number;
  pre: boolean;
}

/** A stale reply delivered in the current step: to whom, from whom, and the receiver's term then. */
interface Stale extends Reply {
  node: NodeId;
  from: NodeId;
  current: number;
}

const RPC_NAME = { 'vote-resp': 'RequestVote', 'append-resp': 'AppendEntries', 'snapshot-resp': 'InstallSnapshot' } as const;

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
 * Cost: O(1) per send, duplicate, deliver, drop, start and publish (one map entry per reply in flight,
 * one number per server).
 */
export function staleReplyDiscarded(): Checker {
  const inFlight = new Map<number, Reply>();
  /** Per server: the term of its last publish in this life (absent: not published since it started). */
  const term = new Map<NodeId, number>();
  let stale: Stale | undefined;
  let failure: string | undefined;
  const what = (s: Stale): string =>
    `${s.node} in term ${s.current} handled ${s.from}'s ${s.pre ? 'PreVote' : RPC_NAME[s.type]} reply of term ${s.term}`;
  return {
    name: 'stale-reply-discarded',
    description: 'a reply whose term is below the receiver\'s currentTerm is dropped: the step that handles it sends and changes nothing (Figure 2; raft.tla DropStaleResponse)',
    when: 'always',
    // Typed hooks (Checker.on): the engine builds no trace event for this rule in an untraced run.
    on: {
      send(id, from, _to, m) {
        if (stale !== undefined && from === stale.node && failure === undefined) {
          const msg = m as unknown as { type?: unknown };
          failure = `${what(stale)} and sent ${String(msg.type)} in that step: a reply of an older term must be dropped (Figure 2; raft.tla DropStaleResponse)`;
        }
        const msg = m as unknown as Record<string, unknown> | null;
        if (msg === null || typeof msg !== 'object' || typeof msg.term !== 'number') return;
        if (msg.type === 'vote-resp' || msg.type === 'append-resp' || msg.type === 'snapshot-resp') inFlight.set(id, { type: msg.type, term: msg.term, pre: msg.pre === true });
      },
      duplicate(id, of) {
        const r = inFlight.get(of);
        if (r !== undefined) inFlight.set(id, r);
      },
      deliver(id, from, to) {
        const r = inFlight.get(id);
        if (r === undefined) return;
        inFlight.delete(id);
        const current = term.get(to);
        if (current !== undefined && r.term < current) stale = { ...r, node: to, from, current };
      },
      drop(id) {
        inFlight.delete(id);
      },
      start(node) {
        term.delete(node);
      },
      publish(node, state) {
        if (stale !== undefined && node === stale.node && failure === undefined) {
          const st = state as { role?: unknown; term?: unknown; commitIndex?: unknown } | null;
          const shown = st !== null && typeof st === 'object' ? ` (now ${String(st.role)} of term ${String(st.term)}, commitIndex ${String(st.commitIndex)})` : '';
          failure = `${what(stale)} and changed its published state in that step${shown}: a reply of an older term must not be counted (Figure 2; raft.tla DropStaleResponse)`;
        }
        const st = state as { term?: unknown } | null;
        if (st !== null && typeof st === 'object' && typeof st.term === 'number') term.set(node, st.term);
      },
      violation() {
        stale = undefined;
        failure = undefined;
      },
    },
    check() {
      stale = undefined;
      const f = failure;
      failure = undefined;
      return f;
    },
  };
}

/** The term rules above (typed event hooks only): listed with the step rules, before Figure 3's. */
export function raftTermRules(): Checker[] {
  return [staleReplyDiscarded()];
}
