// Step rules of Raft about what the replicas agree on beyond the log: the state
// their machines reach (`replicated-state-agreement`, from published state) and
// what a follower's successful reply claims to hold (`reply-claims-held`, from
// the engine's typed send and deliver hooks).

import type { Checker, NodeId } from '../../api/index.ts';
import type { ServerProbe } from './checkers.ts';
import { APPEND_REQ, APPEND_RESP, RpcInFlight, SNAPSHOT_REQ, SNAPSHOT_RESP } from './rpc-in-flight.ts';

/**
 * Replicated state agreement: any two servers that have applied the same index hold the same state
 * machine state there, client sessions included. Source: Raft paper Figure 3, State Machine Safety
 * ("if a server has applied a log entry at a given index to its state machine, no other server will
 * ever apply a different log entry for the same index") and section 5.4.3, taken to the state the
 * machines reach, the point of replicating a log; Ongaro's thesis section 6.3: the session table
 * (client id, seq, answer) is part of the replicated state, so a snapshot must carry it and a retry
 * is applied at most once on every replica. Each server publishes `appliedDigest`, a chain over the
 * (index, command, session outcome, answer) of every entry it applied (machine.ts), which snapshots
 * carry and restore takes: the rule keeps the first digest published at each index and fails at the
 * publish where a server's digest at an index differs from it. A replica that restored a snapshot
 * without its sessions applies a retried command again where the others answer it from the table,
 * which the log-level State Machine Safety (same entries) cannot see.
 *
 * Memory: one number per distinct published lastApplied, forgotten once every server has published
 * a lastApplied above it. Cost: O(1) per publish (the digest itself costs O(command + answer size) per
 * apply, in the server).
 */
export function replicatedStateAgreement(probe: ServerProbe): Checker {
  const n = probe.servers.length;
  /** index -> [digest, server position] first published there. */
  const seen = new Map<number, { digest: number; by: number }>();
  /** Per server: the last lastApplied it published (kept while it is down). */
  const applied: number[] = probe.servers.map(() => 0);
  /** Indexes below this are forgotten (every server published a lastApplied at or above it). */
  let floor = 0;
  return {
    name: 'replicated-state-agreement',
    description: 'servers that applied the same index hold the same state machine state there, client sessions included (Figure 3 State Machine Safety, section 5.4.3, thesis 6.3)',
    when: 'always',
    onChange: true, // reads only what servers publish, through the probe
    check(view) {
      for (const k of probe.touched(view)) {
        const r = probe.node(k);
        if (r === undefined || r.appliedDigest === undefined || r.lastApplied === 0) continue;
        const index = r.lastApplied;
        const prev = applied[k] as number;
        applied[k] = index;
        if (index < floor) continue;
        const first = seen.get(index);
        if (first === undefined) seen.set(index, { digest: r.appliedDigest, by: k });
        else if (first.digest !== r.appliedDigest) {
          return `${probe.id(k)} applied up to index ${index} with state digest ${hex(r.appliedDigest)}, but ${probe.id(first.by)} had digest ${hex(first.digest)} at index ${index}: their state machines (state or client sessions) diverged at or before it (Figure 3 State Machine Safety; thesis 6.3: a retried command is applied once on every replica)`;
        }
        if (prev === floor || index < prev) {
          let low = Infinity;
          for (let j = 0; j < n; j++) low = Math.min(low, applied[j] as number);
          if (low > floor) {
            for (const i of seen.keys()) if (i < low) seen.delete(i);
            floor = low;
          }
        }
      }
      return undefined;
    },
  };
}

const hex = (d: number): string => `0x${d.toString(16).padStart(8, '0')}`;

/**
 * Snapshot fidelity: a snapshot restores the state machine it was taken from, sessions included. At
 * every snapshot point a server publishes the digest of its whole machine state (`checkpoints`:
 * service state and client session table, machine.ts `stateDigest`, 32 bits): when it takes a
 * snapshot at index i, and when it restores one (a restart from its disk, InstallSnapshot from the
 * leader). The rule keeps the first digest published at each index and fails when another one at the
 * same index differs: two servers whose machines disagree at a snapshot point (Figure 3 State Machine
 * Safety taken to the state), or a machine rebuilt from a snapshot that is not the machine that took
 * it. Sources: Raft paper section 7 ("the snapshot ... includes the state machine state"; Figure 13,
 * InstallSnapshot receiver rule 8: "reset state machine using snapshot contents"); Ongaro's thesis
 * section 6.3: the session table is part of the replicated state and must be in snapshots, or a retried
 * command is applied twice after a restore. `replicated-state-agreement` digests the applied history,
 * which a snapshot carries as a number: a restore that loses state outside the log (the sessions)
 * keeps that number right and shows only if a retry later lands on the restored server; this sees
 * the restore itself.
 *
 * Sound: a machine's state after applying entries 1..i is a function of those entries (Service is
 * deterministic), so every server's machine at index i is the same state (State Machine Safety), and
 * the digest is over the state, not how it was reached (objects hashed with sorted keys). Memory: one
 * number per distinct snapshot index published. Cost: O(1) per publish, O(checkpoints) on the few that
 * carry them (typed publish hook: no event object is built for it).
 */
export function snapshotFidelity(): Checker {
  /** index -> the first digest published there, by whom, and whether that was a restore. */
  const seen = new Map<number, { digest: number; by: NodeId; restored: boolean }>();
  let failure: string | undefined;
  /** Raised with a failure (Checker.wake). */
  const wake = { raised: false };
  return {
    name: 'snapshot-fidelity',
    description: 'a state machine restored from a snapshot equals the one that took it, client sessions included, and servers agree on the state at each snapshot point (section 7, Figure 13; thesis 6.3)',
    when: 'always',
    wake,
    on: {
      publish(node, state) {
        const cps = (state as { checkpoints?: unknown } | null)?.checkpoints;
        if (failure !== undefined || !Array.isArray(cps)) return;
        for (const cp of cps as { index: number; digest: number; restored: boolean }[]) {
          const first = seen.get(cp.index);
          if (first === undefined) {
            seen.set(cp.index, { digest: cp.digest, by: node, restored: cp.restored });
            continue;
          }
          if (first.digest === cp.digest) continue;
          const taken = `${first.by} ${first.restored ? 'restored' : 'took'} a snapshot at index ${cp.index} with state digest ${hex(first.digest)}`;
          failure = cp.restored
            ? `${node} restored its state machine from a snapshot at index ${cp.index} with state digest ${hex(cp.digest)}, but ${taken}: the restore lost or changed state (service state or client sessions; section 7, Figure 13 rule 8; thesis 6.3)`
            : `${node} took a snapshot at index ${cp.index} with state digest ${hex(cp.digest)}, but ${taken}: their state machines (state or client sessions) differ at the same index (Figure 3 State Machine Safety; thesis 6.3)`;
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

/** What a request delivered to a follower checked: up to base + count. */
/**
 * A success reply claims only what the follower holds in agreement with the leader: when a follower
 * answers an AppendEntries or InstallSnapshot request with success and matchIndex m, m is covered by
 * what that request carried: at most prevLogIndex + the entries sent (Figure 2, AppendEntries:
 * "success: true if follower contained entry matching prevLogIndex and prevLogTerm", and the entries
 * then appended), or at most lastIncludedIndex (Figure 13: the snapshot covers up to
 * lastIncludedIndex; a suffix the follower kept after it was never compared with the leader's log).
 * Also allowed: a claim up to the follower's own committed prefix (its commitIndex or snapshotIndex as
 * it publishes them at the end of the step), which Leader Completeness puts in every later leader's
 * log: a follower whose snapshot already covers the request answers with its snapshotIndex. The
 * leader's matchIndex comes from this claim and its commits count it (section 5.3), so a claim past
 * what the request checked lets the leader commit entries without a majority holding them. Judged
 * from the request delivered in the step, the reply sent in it and the follower's published state
 * (typed event hooks), not from the leader's later state. Cost: O(1) per send, duplicate, deliver, drop
 * and publish (requests in flight kept by the run's shared RpcInFlight, one number per server).
 */
export function replyClaimsHeld(inFlight: RpcInFlight = new RpcInFlight()): Checker {
  // The AppendEntries or InstallSnapshot request delivered in this step (pendingType 0: none): leader,
  // follower, base (prevLogIndex or lastIncludedIndex), its term, and the entries sent after base.
  let pendingType = 0;
  let leader: NodeId = '';
  let follower: NodeId = '';
  let base = 0;
  let baseTerm = 0;
  let count = 0;
  /** A claim past what the request checked, made in this step: judged at the step's end against the follower's committed prefix. */
  let claim: { follower: NodeId; matchIndex: number; message: string } | undefined;
  /** Per server: max(commitIndex, snapshotIndex) of its last publish. */
  const committed = new Map<NodeId, number>();
  /** Raised when a request is delivered (check() then judges and resets the step's request): Checker.wake. */
  const wake = { raised: false };
  return {
    name: 'reply-claims-held',
    description: 'a successful AppendEntries or InstallSnapshot reply claims a matchIndex no higher than the request checked (Figure 2 AppendEntries success; Figure 13 lastIncludedIndex)',
    when: 'always',
    wake,
    // Typed hooks (Checker.on): the engine builds no trace event for this rule in an untraced run.
    on: {
      send(id, from, to, m) {
        inFlight.send(id, m);
        if (pendingType === 0 || from !== follower || to !== leader || claim !== undefined) return;
        const msg = m as unknown as Record<string, unknown> | null;
        if (msg === null || typeof msg !== 'object') return;
        const resp = pendingType === APPEND_REQ ? 'append-resp' : 'snapshot-resp';
        if (msg.type !== resp || msg.success === false || typeof msg.matchIndex !== 'number') return;
        const covered = base + count;
        if (msg.matchIndex > covered) {
          const message =
            pendingType === APPEND_REQ
              ? `${follower} answered ${leader}'s AppendEntries (prevLogIndex ${base}, term ${baseTerm}, ${count} entries) with success and matchIndex ${msg.matchIndex}, beyond index ${covered}, the last the request checked (Figure 2: success vouches only for prevLogIndex and the entries sent)`
              : `${follower} answered ${leader}'s InstallSnapshot (lastIncludedIndex ${base}, term ${baseTerm}) with matchIndex ${msg.matchIndex}, beyond lastIncludedIndex: entries it kept after the snapshot were never checked against the leader's log (Figure 13)`;
          claim = { follower, matchIndex: msg.matchIndex, message };
          wake.raised = true;
        }
      },
      duplicate(id, of) {
        inFlight.duplicate(id, of);
      },
      deliver(id, from, to) {
        if (!inFlight.deliver(id)) return;
        const k = inFlight.kind;
        if (k !== APPEND_REQ && k !== SNAPSHOT_REQ) return;
        pendingType = k;
        leader = from;
        follower = to;
        base = inFlight.a;
        baseTerm = inFlight.b;
        count = inFlight.count;
        wake.raised = true;
      },
      drop(id) {
        inFlight.drop(id);
      },
      publish(node, state) {
        const st = state as { commitIndex?: unknown; snapshotIndex?: unknown } | null;
        if (st !== null && typeof st === 'object' && typeof st.commitIndex === 'number') committed.set(node, Math.max(st.commitIndex, typeof st.snapshotIndex === 'number' ? st.snapshotIndex : 0));
      },
      violation() {
        pendingType = 0;
        claim = undefined;
      },
    },
    check() {
      pendingType = 0;
      const c = claim;
      if (c === undefined) return undefined;
      claim = undefined;
      const held = committed.get(c.follower) ?? 0;
      return c.matchIndex <= held ? undefined : `${c.message}; its committed prefix ends at ${held}`;
    },
  };
}

/**
 * The leader's side of the same claim: a leader of term t publishes matchIndex[p] = m only after
 * receiving from p a success reply of term t claiming at least m (Figure 2, Rules for Servers,
 * Leaders: "If successful: update nextIndex and matchIndex for follower"; matchIndex is reset to 0
 * on election). A matchIndex taken from anywhere else (the leader's own log, a reply of another
 * term) counts toward commits (section 5.3) what the follower never acknowledged. Judged from the
 * replies delivered to the leader and its publishes (typed event hooks; replies in flight kept by the
 * run's shared RpcInFlight). Cost: O(1) per send, duplicate, deliver and drop of a reply, O(peers) per leader publish.
 */
export function matchIndexClaimed(inFlight: RpcInFlight = new RpcInFlight()): Checker {
  /** leader -> follower -> the reply term and the highest claim delivered in it. */
  const claimed = new Map<NodeId, Map<NodeId, { term: number; claim: number }>>();
  let failure: string | undefined;
  /** Raised with a failure (Checker.wake). */
  const wake = { raised: false };
  return {
    name: 'match-index-claimed',
    description: "a leader's matchIndex for a follower is no higher than that follower claimed in a success reply of the leader's term (Figure 2, Rules for Servers, Leaders)",
    when: 'always',
    wake,
    // Typed hooks (Checker.on): the engine builds no trace event for this rule in an untraced run.
    on: {
      send(id, _from, _to, m) {
        inFlight.send(id, m);
      },
      duplicate(id, of) {
        inFlight.duplicate(id, of);
      },
      deliver(id, from, to) {
        if (!inFlight.deliver(id)) return;
        const k = inFlight.kind;
        // Replies whose term or matchIndex is not a number claim nothing.
        if ((k !== APPEND_RESP && k !== SNAPSHOT_RESP) || Number.isNaN(inFlight.term) || Number.isNaN(inFlight.a)) return;
        const term = inFlight.term;
        const got = inFlight.success ? inFlight.a : 0;
        let byFollower = claimed.get(to);
        if (byFollower === undefined) claimed.set(to, (byFollower = new Map()));
        const c = byFollower.get(from);
        if (c === undefined) byFollower.set(from, { term, claim: got });
        else if (term > c.term) {
          c.term = term;
          c.claim = got;
        } else if (term === c.term && got > c.claim) c.claim = got;
      },
      drop(id) {
        inFlight.drop(id);
      },
      publish(node, state) {
        const st = state as { role?: unknown; term?: unknown; matchIndex?: Record<string, unknown> } | null;
        if (failure !== undefined || st === null || typeof st !== 'object' || st.role !== 'leader' || typeof st.term !== 'number' || st.matchIndex === undefined) return;
        const byFollower = claimed.get(node);
        for (const p in st.matchIndex) {
          const m = st.matchIndex[p];
          if (typeof m !== 'number' || m === 0) continue;
          const c = byFollower?.get(p);
          const claim = c !== undefined && c.term === st.term ? c.claim : 0;
          if (m > claim) {
            failure = `leader ${node} of term ${st.term} has matchIndex ${m} for ${p}, but ${p} claimed at most ${claim} in the success replies of term ${st.term} it received (Figure 2: matchIndex is what the follower acknowledged)`;
            wake.raised = true;
            return;
          }
        }
      },
    },
    check() {
      const f = failure;
      failure = undefined;
      return f;
    },
  };
}

/**
 * The two step rules about acknowledgements above (typed event hooks only): listed with the step rules, before
 * commit-on-quorum and Figure 3's (a matchIndex the follower never claimed is the cause of the commit it allows).
 */
export function raftReplyRules(inFlight: RpcInFlight = new RpcInFlight()): Checker[] {
  return [replyClaimsHeld(inFlight), matchIndexClaimed(inFlight)];
}
