// Step rule of Raft about answering RPCs: every request a server receives gets
// its response in the same step (granted or not, success or not). Unlike the
// rules of rules.ts and rules-quorum.ts it reads the trace (deliver and send
// events) rather than published state: an unanswered request changes nothing
// a server publishes. It reads them through typed hooks (Checker.on): no event object is built.

import type { Checker, NodeId } from '../../api/index.ts';
import { APPEND_REQ, RpcInFlight, SNAPSHOT_REQ, VOTE_REQ } from './rpc-in-flight.ts';

/** Request kinds (Figure 2; Figure 13 for InstallSnapshot): RequestVote (PreVote is one with `pre`), AppendEntries, InstallSnapshot. */
const VOTE = VOTE_REQ;
const APPEND = APPEND_REQ;
const SNAPSHOT = SNAPSHOT_REQ;
const REQUEST_TYPES = ['', 'vote-req', 'append-req', 'snapshot-req'] as const;
const RESPONSE_TYPES = ['', 'vote-resp', 'append-resp', 'snapshot-resp'] as const;

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
 * Cost: O(1) per send, duplicate, deliver and drop (requests in flight are
 * kept by the run's shared RpcInFlight, `inFlight`: no allocation per message),
 * O(1) per start, restart and publish, O(1) per step check. It follows events through typed hooks
 * (Checker.on), so a run builds no trace event for it.
 */
export function rpcAnswered(inFlight: RpcInFlight = new RpcInFlight()): Checker {
  // Requests in flight by message id (copies made by duplication included): the run's shared tracker.
  /** Servers that did not publish since their last start or restart (halted on a corrupt disk). */
  const silent = new Set<NodeId>();
  // The request delivered in the step being taken (kind 0: none), and whether its response was sent yet.
  let kind = 0;
  let pre = false;
  let from: NodeId = '';
  let to: NodeId = '';
  let answered = false;
  /** Raised when a request is delivered: the only steps check() judges (Checker.wake). */
  const wake = { raised: false };
  return {
    name: 'rpc-answered',
    description: 'a RequestVote, PreVote, AppendEntries or InstallSnapshot request delivered to a server is answered in the same step (Figure 2 receiver rule 1; Figure 13; thesis 9.6)',
    when: 'always',
    wake,
    on: {
      send(id, sender, addressee, msg) {
        inFlight.send(id, msg);
        if (kind === 0 || answered || sender !== to || addressee !== from) return;
        const type = (msg as { type?: unknown } | null)?.type;
        if (type === RESPONSE_TYPES[kind] && (kind !== VOTE || (msg as { pre?: unknown }).pre === pre)) answered = true;
      },
      duplicate(id, of) {
        inFlight.duplicate(id, of);
      },
      deliver(id, sender, addressee) {
        if (!inFlight.deliver(id) || inFlight.kind > SNAPSHOT || silent.has(addressee)) return;
        pre = inFlight.pre;
        kind = inFlight.kind;
        from = sender;
        to = addressee;
        answered = false;
        wake.raised = true;
      },
      drop(id) {
        inFlight.drop(id);
      },
      start(node) {
        silent.add(node);
      },
      publish(node) {
        if (silent.size > 0) silent.delete(node);
      },
      violation() {
        kind = 0; // the handler failed (or another checker stopped the step): nothing to judge
      },
    },
    check() {
      if (kind === 0) return undefined;
      const k = kind;
      kind = 0;
      if (answered) return undefined;
      const type = REQUEST_TYPES[k];
      const resp = RESPONSE_TYPES[k];
      const what = k === VOTE ? (pre ? 'PreVote' : 'RequestVote') : k === APPEND ? 'AppendEntries' : 'InstallSnapshot';
      return `${to} received a ${what} request from ${from} and sent no ${resp}${type === 'vote-req' ? ` (pre ${pre})` : ''} back in that step (Figure 2, receiver implementation: every request is answered, "reply false if term < currentTerm"${pre ? '; thesis 9.6 and etcd-io/raft: a dropped PreVote can deadlock elections' : ''})`;
    },
  };
}
