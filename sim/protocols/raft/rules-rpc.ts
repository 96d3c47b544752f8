// Step rule of Raft about answering RPCs: every request a server receives gets
// its response in the same step (granted or not, success or not). Unlike the
// rules of rules.ts and rules-quorum.ts it reads the trace (deliver and send
// events) rather than published state: an unanswered request changes nothing
// a server publishes.

import type { Checker, NodeId } from '../../api/index.ts';

/** A request type and the response type that answers it (Figure 2; Figure 13 for InstallSnapshot). */
const RESPONSE: Readonly<Record<string, string>> = {
  'vote-req': 'vote-resp',
  'append-req': 'append-resp',
  'snapshot-req': 'snapshot-resp',
};

/** A request in flight: who sent it to whom, the response type expected, and (RequestVote) whether it is a PreVote. */
interface Pending {
  from: NodeId;
  to: NodeId;
  type: string;
  resp: string;
  pre: boolean;
}

/**
 * Every RPC is answered: when a RequestVote, PreVote, AppendEntries or
 * InstallSnapshot request is delivered to a server, the step that handles it
 * sends the matching response (vote-resp with the same `pre`, append-resp,
 * snapshot-resp) back to the sender. Sources: Raft paper Figure 2, "Receiver
 * implementation" of RequestVote and AppendEntries, rule 1 ("Reply false if
 * term < currentTerm"): a stale or refused request is answered, with the
 * receiver's term, so the sender learns it is behind; Figure 13, InstallSnapshot
 * rule 1 ("Reply immediately if term < currentTerm"); Ongaro's thesis section
 * 9.6 (PreVote) and etcd-io/raft's fix of the PreVote deadlock ("the cluster
 * may deadlock if we drop messages with a lower term": a server with a higher
 * term and a stale log must answer so that the asker adopts its term). A dropped
 * answer lets a stale server stay behind unnoticed; with PreVote it can block
 * every election, a liveness failure that a quorum-elects-leader bound sees
 * only late, if ever; this sees the first unanswered request.
 *
 * The paths on which correct Raft here does not answer, each allowed:
 * - the message never reaches the handler: lost, cut by a partition, or
 *   addressed to a crashed server (a `drop` event, no `deliver`); a paused
 *   server holds it until it resumes (delivered then) or crashes (dropped);
 * - the receiver is halted: it restarted on a corrupt disk record and stays
 *   down rather than risk forgetting a vote (server.ts `boot`). A server that
 *   boots normally publishes in its start or restart step; one that did not
 *   publish since its last start or restart is taken as halted;
 * - the handler failed (an assertion or exception: the engine reports that
 *   violation in the step, and this rule then judges nothing of it).
 * Faults are steps of their own, so no crash interrupts a handler. Thesis
 * section 4.2.3 allows a server that heard from a leader within the minimum
 * election timeout to disregard a RequestVote; this implementation takes the
 * other option the thesis gives (it rejects the pre-vote, answering with its
 * term) and answers every real RequestVote, so no exemption is made: a variant
 * that disregards must exempt exactly that case here. Client requests are not
 * Raft RPCs and are not judged (a redirect or a retry covers them).
 *
 * Cost: O(1) per send, duplicate, deliver and drop (one map entry per request
 * in flight), O(1) per start, restart and publish, O(1) per step check.
 */
export function rpcAnswered(): Checker {
  /** Requests in flight by message id (copies made by duplication included). */
  const inFlight = new Map<number, Pending>();
  /** Servers that did not publish since their last start or restart (halted on a corrupt disk). */
  const silent = new Set<NodeId>();
  /** The request delivered in the step being taken, and whether its response was sent yet. */
  let pending: Pending | undefined;
  let answered = false;
  return {
    name: 'rpc-answered',
    description: 'a RequestVote, PreVote, AppendEntries or InstallSnapshot request delivered to a server is answered in the same step (Figure 2 receiver rule 1; Figure 13; thesis 9.6)',
    when: 'always',
    observes: ['send', 'duplicate', 'deliver', 'drop', 'start', 'restart', 'state', 'violation'],
    observe(ev) {
      switch (ev.type) {
        case 'send': {
          const msg = ev.msg as { type?: unknown; pre?: unknown } | null;
          const type = msg !== null && typeof msg === 'object' && typeof msg.type === 'string' ? msg.type : undefined;
          if (type === undefined) return;
          if (pending !== undefined && !answered && ev.from === pending.to && ev.to === pending.from && type === pending.resp && (type !== 'vote-resp' || msg?.pre === pending.pre)) answered = true;
          const resp = RESPONSE[type];
          if (resp !== undefined) inFlight.set(ev.id, { from: ev.from, to: ev.to, type, resp, pre: msg?.pre === true });
          return;
        }
        case 'duplicate': {
          const p = inFlight.get(ev.of);
          if (p !== undefined) inFlight.set(ev.id, p);
          return;
        }
        case 'deliver': {
          const p = inFlight.get(ev.id);
          if (p === undefined) return;
          inFlight.delete(ev.id);
          if (silent.has(ev.to)) return;
          pending = p;
          answered = false;
          return;
        }
        case 'drop':
          inFlight.delete(ev.id);
          return;
        case 'start':
        case 'restart':
          silent.add(ev.node);
          return;
        case 'state':
          silent.delete(ev.node);
          return;
        case 'violation':
          pending = undefined; // the handler failed (or another checker stopped the step): nothing to judge
          return;
        default:
          return;
      }
    },
    check() {
      const p = pending;
      if (p === undefined) return undefined;
      pending = undefined;
      if (answered) return undefined;
      const what = p.type === 'vote-req' ? (p.pre ? 'PreVote' : 'RequestVote') : p.type === 'append-req' ? 'AppendEntries' : 'InstallSnapshot';
      return `${p.to} received a ${what} request from ${p.from} and sent no ${p.resp}${p.type === 'vote-req' ? ` (pre ${p.pre})` : ''} back in that step (Figure 2, receiver implementation: every request is answered, "reply false if term < currentTerm"${p.pre ? '; thesis 9.6 and etcd-io/raft: a dropped PreVote can deadlock elections' : ''})`;
    },
  };
}
