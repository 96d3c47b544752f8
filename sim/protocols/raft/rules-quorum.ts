// Step rules of Raft about quorums of LOGS (rules.ts holds the ones about votes,
// terms and reads): an entry is committed only once a majority holds it, and a
// vote is granted only to a candidate whose log is at least as up-to-date as the
// voter's. Each sees the first wrong step (an acknowledgement counted that the
// follower does not hold; a vote granted to a stale log) instead of the rare end
// state where a Figure 3 property breaks. Like checkers.ts they read only what
// servers publish, through the shared ServerProbe, and hold for correct Raft under
// every fault of the simulator's model (a step persists, fsyncs, then publishes;
// a crash loses only unsynced writes, which correct Raft never acknowledged).

import type { Checker } from '../../api/index.ts';
import type { ServerProbe } from './checkers.ts';

/**
 * Committed entries are held by a majority: (1) when a leader of term t advances
 * its commitIndex to an entry c of term t, a majority of servers (itself
 * included) hold the entry (c, t) in their logs as published, or a snapshot
 * covering c; (2) from then on, a majority keeps holding the highest such entry
 * committed so far, across crashes and restarts. Sources: Raft paper section
 * 5.3 ("a log entry is committed once the leader that created the entry has
 * replicated it on a majority of the servers") and 5.4.2; Ongaro's raft.tla
 * AdvanceCommitIndex (the Agree set: servers whose matchIndex covers the index);
 * Vanlightly's raft TLA+ `CommittedEntriesReachMajority`. It catches a leader
 * that counts an acknowledgement the follower does not hold (a matchIndex kept
 * from an earlier term, a reply of an earlier term counted, a quorum off by one)
 * at the commit, and an acknowledged entry lost in a crash (appended but not
 * fsynced before the ack) at the restart that shows it gone.
 *
 * Sound for correct Raft: a follower acknowledges only entries it has persisted
 * and fsynced, and publishes its log in the step that acknowledges (so the probe
 * has it before the leader counts it); a crash loses only unsynced writes, and a
 * restarted server republishes its recovered log. An acknowledging follower
 * cannot lose the entry before the leader commits it: it would have to be
 * overwritten by a leader of a later term lacking it, whose electing majority
 * meets the acknowledging majority in a server that acknowledged first (after
 * voting in a later term it rejects term-t AppendEntries) and so refused the
 * vote (section 5.4.3's argument). After the commit Leader Completeness keeps
 * every later leader from overwriting it, and compaction keeps it inside a
 * snapshot (snapshots hold only applied, so committed, entries; InstallSnapshot
 * keeps the log after a matching snapshot). The one holder count is for the
 * highest (index, term) committed by counting: holding it means holding the
 * whole committed prefix (Log Matching). Outside the model (a wiped disk) the
 * rule may fire, as term-monotonic does.
 *
 * Cost: O(1) per publish (one lookup in the publisher's rebuilt log), O(servers)
 * when the highest entry committed by counting changes (at most once per commit).
 */
export function commitOnQuorum(probe: ServerProbe): Checker {
  const n = probe.servers.length;
  const quorum = Math.floor(n / 2) + 1;
  /** Per server: snapshotIndex of its last publish (kept while it is down: its snapshot is on disk). */
  const snap: number[] = probe.servers.map(() => 0);
  /** The highest entry a leader committed by counting: index, term, who committed it; holders as of each server's last publish. */
  let index = 0;
  let term = 0;
  let by = '';
  const holds: boolean[] = probe.servers.map(() => false);
  let count = 0;
  const holding = (k: number): boolean => (snap[k] as number) >= index || probe.log(k).term(index) === term;
  const holders = (): string => probe.servers.filter((_, k) => holds[k]).join(', ') || 'no server';
  return {
    name: 'commit-on-quorum',
    description: 'an entry a leader commits is held by a majority when it commits it, and stays so (section 5.3; raft.tla AdvanceCommitIndex; CommittedEntriesReachMajority)',
    when: 'always',
    onChange: true, // reads only what servers publish, through the probe
    check(view) {
      for (const k of probe.touched(view)) {
        const r = probe.node(k);
        if (r === undefined) continue; // down: its log stays as last published (all of it durable)
        snap[k] = r.snapshotIndex;
        if (r.role === 'leader' && r.commitIndex > index && probe.log(k).term(r.commitIndex) === r.term) {
          index = r.commitIndex;
          term = r.term;
          by = probe.id(k);
          count = 0;
          for (let j = 0; j < n; j++) {
            holds[j] = holding(j);
            if (holds[j]) count++;
          }
          if (count < quorum) {
            return `leader ${by} of term ${term} committed index ${index} held (index and term) by ${holders()} only: a majority of ${n} servers is ${quorum} (section 5.3: committed once replicated on a majority)`;
          }
          continue;
        }
        if (index === 0) continue;
        const h = holding(k);
        if (h === holds[k]) continue;
        holds[k] = h;
        count += h ? 1 : -1;
        if (count < quorum) {
          return `${probe.id(k)} no longer holds entry ${index} of term ${term}, which ${by} committed: only ${holders()} hold it, below a majority of ${quorum} of ${n} (an acknowledged entry must be durable and never overwritten)`;
        }
      }
      return undefined;
    },
  };
}

/**
 * A vote is granted only to a candidate whose log is at least as up-to-date as
 * the voter's: when a server first publishes votedFor = C (C another server) in
 * term t, C's last log term as C sent it in its RequestVote of term t is
 * greater than the voter's, or equal with a last index at least the voter's.
 * Sources: Raft paper section 5.4.1 (the election restriction) and Figure 2,
 * RequestVote receiver rule 2; Ongaro's raft.tla HandleRequestVoteRequest
 * (`logOk`). It judges against what the candidate sent, which is its log when
 * it became candidate of t: the candidate's first publish as candidate of t
 * (role candidate, votedFor itself) shows that log, and a candidate's log does
 * not change while it stays candidate of t (it appends only as a follower; an
 * AppendEntries of its term or a later one ends the candidacy; compaction keeps
 * lastIndex and its term), so every RequestVote of t it sends (retries
 * included) carries the same last index and term. The voter's log is judged
 * as published in the step that records the vote (a vote request never changes
 * the voter's log). A vote whose candidate never published a candidacy of that
 * term (a preloaded votedFor) is not judged. The damage (a leader lacking a
 * committed entry: leader-completeness) needs the stale candidate to also win
 * and the entry to be committed; this sees the vote itself.
 *
 * Cost: O(1) per publish; memory one record per candidacy.
 */
export function voteLogOk(probe: ServerProbe): Checker {
  /** `${term}:${candidate}` -> the candidate's last log index and term when it became candidate of that term. */
  const candidacy = new Map<string, { index: number; term: number }>();
  /** Per server: the term and votedFor of the last vote judged (or recorded, for its own candidacy); term -1: none. */
  const judgedTerm: number[] = probe.servers.map(() => -1);
  const judgedVote: (string | null)[] = probe.servers.map(() => null);
  return {
    name: 'vote-log-ok',
    description: 'a vote is granted only to a candidate whose RequestVote shows a log at least as up-to-date as the voter\'s (section 5.4.1; raft.tla HandleRequestVoteRequest logOk)',
    when: 'always',
    onChange: true, // reads only what servers publish, through the probe
    check(view) {
      for (const k of probe.touched(view)) {
        const r = probe.node(k);
        if (r === undefined || r.votedFor === null) continue;
        // Compared field by field: this runs at every publish of a server that voted (most of them).
        if (judgedTerm[k] === r.term && judgedVote[k] === r.votedFor) continue;
        judgedTerm[k] = r.term;
        judgedVote[k] = r.votedFor;
        const key = `${r.term}:${r.votedFor}`;
        const me = probe.id(k);
        const lastTerm = probe.log(k).term(r.lastIndex);
        if (r.votedFor === me) {
          if (r.role === 'candidate' && lastTerm !== undefined && !candidacy.has(key)) candidacy.set(key, { index: r.lastIndex, term: lastTerm });
          else judgedTerm[k] = -1; // not yet a published candidacy: look again at the next publish
          continue;
        }
        const c = candidacy.get(key);
        if (c === undefined || lastTerm === undefined) continue;
        if (c.term > lastTerm || (c.term === lastTerm && c.index >= r.lastIndex)) continue;
        return `${me} voted for ${r.votedFor} in term ${r.term}, whose RequestVote carried last log term ${c.term} at index ${c.index}, less up-to-date than ${me}'s last term ${lastTerm} at index ${r.lastIndex} (section 5.4.1: compare last terms, then lengths)`;
      }
      return undefined;
    },
  };
}

/** The log-quorum step rules above, sharing the Figure 3 checkers' probe. */
export function raftQuorumRules(probe: ServerProbe): Checker[] {
  return [commitOnQuorum(probe), voteLogOk(probe)];
}
