// Step invariants of Raft: rules of Figure 2 checked at the step that breaks
// them, before the damage Figure 3's properties see (two leaders of a term, a
// lost committed entry) has happened. A run that takes the wrong step is a
// failure even when the rest of the run happens to repair it, so a bug is
// found by every run that reaches its first wrong step, not only by the few
// that also reach the damage. Like checkers.ts, they read only what servers
// publish (RaftServerState) through the shared ServerProbe, look only at the
// server that acted (O(1) per step), and hold for correct Raft under every
// fault of the simulator's model (crashes lose only unsynced writes; Raft
// fsyncs before it answers).

import type { Checker } from '../../api/index.ts';
import type { ServerProbe } from './checkers.ts';

/**
 * One vote per term, across restarts: a server never holds two different
 * non-null `votedFor` in one term. Sources: Figure 2, RequestVote RPC, receiver
 * implementation, rule 2 ("If votedFor is null or candidateId ... grant vote"),
 * and "Persistent state on all servers ... (Updated on stable storage before
 * responding to RPCs)": votedFor survives a restart; Ongaro's raft.tla keeps
 * votedFor through Restart. Election Safety's proof (section 5.2) rests on it;
 * a forgotten vote makes two leaders of a term possible, but they appear only
 * if the second candidate also wins and is seen leading: this sees the second
 * vote itself.
 *
 * Published state shows what the step persisted (a step persists, fsyncs, then
 * publishes), so a server's (term, votedFor) is durable once published. A
 * published term below the server's last one means its persistent state was
 * lost (disk corruption, outside Raft's model): its record restarts there.
 * Cost: O(1) per publish of the server that acted.
 */
export function oneVotePerTerm(probe: ServerProbe): Checker {
  const term: number[] = probe.servers.map(() => -1);
  const vote: (string | null)[] = probe.servers.map(() => null);
  return {
    name: 'one-vote-per-term',
    description: 'a server votes for at most one candidate in a term, across restarts (Figure 2: RequestVote rule 2, votedFor is persistent)',
    when: 'always',
    onChange: true, // reads only what servers publish, through the probe
    check(view) {
      for (const k of probe.touched(view)) {
        const r = probe.node(k);
        if (r === undefined) continue;
        const t = term[k] as number;
        if (r.term !== t) {
          term[k] = r.term;
          vote[k] = r.votedFor;
          continue;
        }
        if (r.votedFor === null) continue;
        const v = vote[k] as string | null;
        if (v === null) vote[k] = r.votedFor;
        else if (v !== r.votedFor) return `${probe.id(k)} voted for ${v} and then for ${r.votedFor} in term ${r.term} (votedFor must survive a restart)`;
      }
      return undefined;
    },
  };
}

/**
 * A leader commits by counting replicas only entries of its own term: when a
 * leader's commitIndex advances within its term, the entry at the new
 * commitIndex has the leader's current term (earlier entries become committed
 * with it, indirectly). Sources: Figure 2, Rules for Servers, Leaders, last
 * rule ("... and log[N].term == currentTerm: set commitIndex = N") and section
 * 5.4.2 with Figure 8, which shows the older-term entry that a majority holds
 * being overwritten; Ongaro's raft.tla AdvanceCommitIndex takes only
 * `log[i][newCommitIndex].term = currentTerm[i]`. The damage (a committed entry
 * missing from a later leader: leader-completeness) needs two more leader
 * changes after this step; this sees the step.
 *
 * Checked per publish of the server that acted, against its previous publish in
 * the same life, term and role (a leader's commitIndex moves only by this rule;
 * the commitIndex it had as a follower or before a restart is not an advance).
 * Cost: O(1) per publish.
 */
export function leaderCommitsCurrentTerm(probe: ServerProbe): Checker {
  /** Per server: life, term and commitIndex of its last publish as leader (undefined: not leading then). */
  const seen: ({ life: number; term: number; commit: number } | undefined)[] = probe.servers.map(() => undefined);
  return {
    name: 'leader-commits-current-term',
    description: 'a leader advances its commitIndex only to an entry of its own term (Figure 2, Rules for Servers, Leaders; section 5.4.2)',
    when: 'always',
    onChange: true, // reads only what servers publish, through the probe
    check(view) {
      for (const k of probe.touched(view)) {
        const r = probe.node(k);
        if (r === undefined || r.role !== 'leader') {
          seen[k] = undefined;
          continue;
        }
        const life = probe.life(k);
        const s = seen[k];
        if (s === undefined || s.life !== life || s.term !== r.term) {
          seen[k] = { life, term: r.term, commit: r.commitIndex };
          continue;
        }
        if (r.commitIndex > s.commit) {
          const t = probe.log(k).term(r.commitIndex);
          if (t !== undefined && t !== r.term) {
            return `leader ${probe.id(k)} of term ${r.term} advanced its commitIndex from ${s.commit} to ${r.commitIndex}, an entry of term ${t}: only entries of the leader's own term are committed by counting replicas`;
          }
        }
        s.commit = r.commitIndex;
      }
      return undefined;
    },
  };
}

/**
 * currentTerm never goes back, across restarts: every publish of a server shows
 * a term at least its previous publish's. Sources: Figure 2, "Persistent state
 * on all servers: currentTerm, latest term server has seen (initialized to 0 on
 * first boot, increases monotonically)", updated on stable storage before
 * responding to RPCs; Ongaro's raft.tla keeps currentTerm through Restart. A
 * server whose term goes back after a restart accepts a deposed leader's
 * AppendEntries (and may overwrite entries a later leader committed) or votes
 * again in a term it already left; this sees the restart itself.
 *
 * Sound under the simulator's faults: a step persists and fsyncs before it
 * publishes, so a published term is durable, and a server whose disk record is
 * corrupt stays down (server.ts) instead of coming back with an older state.
 * Cost: O(1) per publish of the server that acted.
 */
export function termMonotonic(probe: ServerProbe): Checker {
  const term: number[] = probe.servers.map(() => 0);
  const life: number[] = probe.servers.map(() => 0);
  return {
    name: 'term-monotonic',
    description: 'a server\'s currentTerm never decreases, across restarts (Figure 2: currentTerm is persistent and increases monotonically)',
    when: 'always',
    onChange: true, // reads only what servers publish, through the probe
    check(view) {
      for (const k of probe.touched(view)) {
        const r = probe.node(k);
        if (r === undefined) continue;
        const t = term[k] as number;
        if (r.term < t) {
          const restarted = probe.life(k) !== life[k];
          return `${probe.id(k)} is in term ${r.term} after term ${t}${restarted ? ' (after a restart: currentTerm must be on disk before it is acted on)' : ''}`;
        }
        term[k] = r.term;
        life[k] = probe.life(k);
      }
      return undefined;
    },
  };
}

/**
 * A leader of a term holds the votes of a majority in that term: when a server
 * first publishes itself leader of term t (in a life), a majority of servers
 * (itself included) have published votedFor = it in term t. Sources: Figure 2,
 * Rules for Servers, Candidates ("If votes received from majority of servers:
 * become leader"); raft.tla BecomeLeader (votesGranted is a quorum), where a
 * vote is granted only by a server whose votedFor is the candidate in that term.
 * Election Safety (section 5.2) rests on it; a miscounted election (a grant of an
 * earlier term's election, a PreVote counted as a vote, a quorum off by one)
 * breaks Election Safety only if a second candidate also wins the term: this
 * sees the first leader elected without its majority.
 *
 * Sound under the simulator's faults: a voter persists, fsyncs and publishes its
 * vote in the step that sends the grant, so every vote a leader counted was
 * published before the leader's step; a vote survives restarts. Votes are kept
 * per term (one name per server and term, as one-vote-per-term guarantees).
 * Cost: O(1) per publish, O(servers) when a server becomes leader.
 */
export function leaderHasVoteQuorum(probe: ServerProbe): Checker {
  const n = probe.servers.length;
  const quorum = Math.floor(n / 2) + 1;
  /** term -> per server position, the candidate it published a vote for in that term. */
  const votes = new TermTable(n);
  /** Per server: the life and term of its last publish as leader (term -1: not leading then). */
  const leadingLife: number[] = probe.servers.map(() => -1);
  const leadingTerm: number[] = probe.servers.map(() => -1);
  return {
    name: 'leader-has-vote-quorum',
    description: 'a server becomes leader of a term only with the votes of a majority in that term (Figure 2: Rules for Servers, Candidates; raft.tla BecomeLeader)',
    when: 'always',
    onChange: true, // reads only what servers publish, through the probe
    check(view) {
      for (const k of probe.touched(view)) {
        const r = probe.node(k);
        if (r === undefined) continue;
        if (r.votedFor !== null) votes.row(r.term)[k] = r.votedFor;
        if (r.role !== 'leader') {
          leadingTerm[k] = -1;
          continue;
        }
        const life = probe.life(k);
        if (leadingTerm[k] === r.term && leadingLife[k] === life) continue;
        leadingTerm[k] = r.term;
        leadingLife[k] = life;
        const me = probe.id(k);
        const inTerm = votes.get(r.term) ?? [];
        const voters = probe.servers.filter((_, v) => inTerm[v] === me);
        if (voters.length < quorum) {
          return `${me} became leader of term ${r.term} with the votes of ${voters.length === 0 ? 'no server' : voters.join(', ')} only: a majority of ${n} servers is ${quorum}`;
        }
      }
      return undefined;
    },
  };
}

/**
 * A read answered without the log follows ReadIndex: for every read a server
 * publishes as answered (`RaftServerState.reads`), taken while it led term t,
 * (1) the entry at its read index is of term t: the leader had committed an
 * entry of its own term, so its commitIndex was the cluster's; (2) the read
 * index is at least its commitIndex when the read arrived; (3) a heartbeat round
 * started after the read arrived was acknowledged by a majority, itself
 * included: every counted acknowledgement answered that round or a later one,
 * and every counted peer has published itself a follower of this server in term
 * t (an acknowledgement of term t comes only from a server that accepted it as
 * leader of t); (4) it had applied up to the read index when it answered.
 * Sources: Ongaro's dissertation (2014), section 6.4, ReadIndex steps 1-4;
 * Raft paper section 8 ("a leader must have the latest information on which
 * entries are committed ... commit a blank no-op entry at the start of its term
 * ... exchange heartbeat messages with a majority of the cluster before
 * responding to read-only requests"). A read that skips a step is stale only
 * when a newer leader has committed a write in the gap and the client history
 * shows it (`linearizable`); this sees the skipped step at the read itself.
 *
 * Sound: the rule judges the server's own record of each read at the moment it
 * answered, not whether it still leads (a deposed leader may answer a read a
 * majority confirmed earlier: that read linearizes at the confirmation). A
 * follower that acknowledges an AppendEntries of term t published (term t,
 * leader L) in that step or before, since accepting a new leader changes what it
 * publishes. The probe keeps every index's term (not compacted), so step 1 is
 * judged unless the read index is below a snapshot installed from the leader.
 * Mode: `reads: 'log'` answers reads through the log (nothing published); the
 * implementation has no lease reads (thesis 6.4.1), so no lease rule is stated.
 * Cost: O(1) per publish plus O(acks) per read answered.
 */
export function readIndexRule(probe: ServerProbe): Checker {
  const n = probe.servers.length;
  const quorum = Math.floor(n / 2) + 1;
  const position = new Map(probe.servers.map((s, k) => [s, k]));
  /** term -> per server position, the leader it published following in that term. */
  const followed = new TermTable(n);
  const confirmed: string[] = [];
  return {
    name: 'read-index',
    description: 'a read answered without the log follows ReadIndex: own-term commit, read index = commitIndex at arrival, a later heartbeat round acknowledged by a majority, applied up to the read index (thesis 6.4; section 8)',
    when: 'always',
    onChange: true, // reads only what servers publish, through the probe
    check(view) {
      for (const k of probe.touched(view)) {
        const r = probe.node(k);
        if (r === undefined) continue;
        if (r.leader !== null) followed.row(r.term)[k] = r.leader;
        if (r.reads === undefined) continue;
        const me = probe.id(k);
        for (const rd of r.reads) {
          // The message's subject, built only for a violation (this runs for every read answered).
          const what = (): string => `${me} answered a read in term ${rd.term} at read index ${rd.readIndex}`;
          const t = rd.readIndex === r.snapshotIndex ? r.snapshotTerm : probe.log(k).term(rd.readIndex);
          if (t !== undefined && t !== rd.term) return `${what()}, an entry of term ${t}: a leader must commit an entry of its own term before it knows the commit index (thesis 6.4 step 1; section 8)`;
          if (rd.readIndex < rd.commitAtReceipt) return `${what()}, below its commitIndex ${rd.commitAtReceipt} when the read arrived (thesis 6.4 step 1)`;
          if (rd.round <= rd.roundAtReceipt) return `${what()} without a heartbeat round started after the read arrived (round ${rd.round}, ${rd.roundAtReceipt} when it arrived; thesis 6.4 step 2)`;
          const row = followed.get(rd.term);
          // The servers whose acknowledgements count, each once, in order (a handful: a list, not a Set).
          confirmed.length = 0;
          for (const a of rd.acks) {
            if (a.round < rd.round) return `${what()}, counting ${a.server}'s acknowledgement of round ${a.round} for round ${rd.round}, which started after the read arrived (thesis 6.4 step 3)`;
            const p = position.get(a.server);
            if (p === undefined) continue;
            if (p !== k && row?.[p] !== me) return `${what()}, counting an acknowledgement from ${a.server}, which never published following ${me} in term ${rd.term}`;
            if (!confirmed.includes(a.server)) confirmed.push(a.server);
          }
          if (!confirmed.includes(me) || confirmed.length < quorum) {
            return `${what()} confirmed by ${confirmed.length === 0 ? 'no server' : confirmed.join(', ')} only: a majority of ${n} servers (itself included) must acknowledge a heartbeat round after the read arrives (thesis 6.4 step 3)`;
          }
          if (rd.applied < rd.readIndex) return `${what()} having applied only up to ${rd.applied} (thesis 6.4 step 4)`;
        }
      }
      return undefined;
    },
  };
}

/**
 * Per term, what each server published in it (its vote, the leader it follows): one slot per server
 * position, `null` until that server publishes a value in that term. Shared by the rules that keep
 * such a table. The row last written is remembered: most publishes are in the term of the one before,
 * so writing costs no map lookup then.
 */
class TermTable {
  private readonly rows = new Map<number, (string | null)[]>();
  private lastTerm = -1;
  private last: (string | null)[] = [];

  constructor(private readonly servers: number) {}

  /** The row of `term`, created (all `null`) on first use. */
  row(term: number): (string | null)[] {
    if (term === this.lastTerm) return this.last;
    let r = this.rows.get(term);
    if (r === undefined) this.rows.set(term, (r = new Array<string | null>(this.servers).fill(null)));
    this.lastTerm = term;
    this.last = r;
    return r;
  }

  /** The row of `term` if some server published in it. */
  get(term: number): (string | null)[] | undefined {
    return this.rows.get(term);
  }
}

/** The step invariants above, sharing the Figure 3 checkers' probe. */
export function raftRules(probe: ServerProbe): Checker[] {
  return [oneVotePerTerm(probe), leaderCommitsCurrentTerm(probe), termMonotonic(probe), leaderHasVoteQuorum(probe), readIndexRule(probe)];
}
