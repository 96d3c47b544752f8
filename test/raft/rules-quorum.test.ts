// The log-quorum step rules (sim/protocols/raft/rules-quorum.ts): `commit-on-quorum`
// (section 5.3; raft.tla AdvanceCommitIndex; CommittedEntriesReachMajority) and
// `vote-log-ok` (section 5.4.1; raft.tla HandleRequestVoteRequest logOk), shown loud
// on hand-made published states of the wrong step and quiet on the right one. The
// outside mutants testdata/mutants/raft/{staleMatchIndexKept,staleTermAppendRespCounted,
// upToDateLengthOnly,logAppendNotFsynced}.json are their end-to-end tests (minutes each:
// scripts/mutants.mjs, figures in sim/protocols/raft/README.md); correct Raft under
// guided fuzzing with every checker is test/raft/rules.test.ts's quiet campaign.

import { describe, expect, it } from 'vitest';
import type { SimView } from '../../sim/engine/types.ts';
import { ServerProbe } from '../../sim/protocols/raft/checkers.ts';
import { commitOnQuorum, voteLogOk } from '../../sim/protocols/raft/rules-quorum.ts';
import type { RaftServerState } from '../../sim/protocols/raft/state.ts';
import { fuzz } from '../../sim/fuzz/fuzz.ts';
import { publishedView } from './published-view.ts';
import { fuzzCluster } from './run.ts';

type S = Partial<RaftServerState> & Pick<RaftServerState, 'role' | 'term'>;

/** A published state whose log holds `terms` at 1..n (republished whole: the probe skips unchanged entries). */
function state(s: S, terms: number[]): RaftServerState {
  return { votedFor: null, leader: null, commitIndex: 0, lastApplied: 0, snapshotIndex: 0, logStart: 1, log: [], lastIndex: terms.length, snapshotTerm: 0, logFrom: 1, entries: terms, ...s };
}

/** A fault-step view (no actor) of n1-n3 (or `ids`): the probe looks at every server; a missing id is down. */
const view = (states: Record<string, RaftServerState | undefined>, ids = ['n1', 'n2', 'n3']): SimView => publishedView(states, ids);

const follower = (terms: number[], term = 2): RaftServerState => state({ role: 'follower', term, leader: 'n1' }, terms);

/** n1 leads term 2 with log [1, 2], commitIndex 1; then commits index 2 with the followers as given. */
function commitWith(n2: RaftServerState, n3: RaftServerState): string | undefined {
  const rule = commitOnQuorum(new ServerProbe(['n1', 'n2', 'n3']));
  const lead = state({ role: 'leader', term: 2, leader: 'n1', votedFor: 'n1', commitIndex: 1 }, [1, 2]);
  expect(rule.check(view({ n1: lead, n2, n3 }))).toBeUndefined();
  return rule.check(view({ n1: { ...lead, commitIndex: 2 }, n2, n3 }));
}

describe('commit-on-quorum: a committed entry is on a majority when committed, and stays there', () => {
  it('a commit of an own-term entry a follower holds (3 servers: 2 of 3) passes; so does one a snapshot covers', () => {
    expect(commitWith(follower([1, 2]), follower([1]))).toBeUndefined();
    expect(commitWith(follower([1, 2]), follower([1, 2]))).toBeUndefined();
    expect(commitWith(state({ role: 'follower', term: 2, snapshotIndex: 2, snapshotTerm: 2, lastIndex: 2, logFrom: 3 }, []), follower([1]))).toBeUndefined();
  });

  it('a commit counting an acknowledgement the follower does not hold (stale matchIndex, stale-term reply, quorum off by one) is a violation', () => {
    expect(commitWith(follower([1]), follower([1]))).toMatch(/leader n1 of term 2 committed index 2 held \(index and term\) by n1 only: a majority of 3 servers is 2/);
    // same index, other term: an entry a later leader replaced
    expect(commitWith(follower([1, 3], 3), follower([1]))).toMatch(/held \(index and term\) by n1 only/);
  });

  it('an entry of an earlier term under the commitIndex is not judged here (leader-commits-current-term judges it)', () => {
    const rule = commitOnQuorum(new ServerProbe(['n1', 'n2', 'n3']));
    const lead = state({ role: 'leader', term: 3, leader: 'n1', commitIndex: 1 }, [1, 2]);
    expect(rule.check(view({ n1: lead, n2: follower([1]), n3: follower([1]) }))).toBeUndefined();
    expect(rule.check(view({ n1: { ...lead, commitIndex: 2 }, n2: follower([1]), n3: follower([1]) }))).toBeUndefined();
  });

  it('an acknowledged, committed entry lost in a crash (appended but not fsynced) is a violation at the restart that shows it gone; a crash that keeps it is not', () => {
    const rule = commitOnQuorum(new ServerProbe(['n1', 'n2', 'n3']));
    const lead = state({ role: 'leader', term: 2, leader: 'n1', commitIndex: 2 }, [1, 2]);
    expect(rule.check(view({ n1: lead, n2: follower([1, 2]), n3: follower([1]) }))).toBeUndefined();
    expect(rule.check(view({ n1: lead, n2: undefined, n3: follower([1]) }))).toBeUndefined(); // down: its disk is as published
    expect(rule.check(view({ n1: lead, n2: follower([1, 2]), n3: follower([1]) }))).toBeUndefined(); // back with it
    expect(rule.check(view({ n1: lead, n2: undefined, n3: follower([1]) }))).toBeUndefined();
    expect(rule.check(view({ n1: lead, n2: follower([1]), n3: follower([1]) }))).toMatch(/n2 no longer holds entry 2 of term 2, which n1 committed: only n1 hold it, below a majority of 2 of 3/);
  });

  it('a third holder makes the loss of one survivable (5 servers, majority 3)', () => {
    const ids = ['n1', 'n2', 'n3', 'n4', 'n5'];
    const rule = commitOnQuorum(new ServerProbe(ids));
    const lead = state({ role: 'leader', term: 2, leader: 'n1', commitIndex: 2 }, [1, 2]);
    const all = { n1: lead, n2: follower([1, 2]), n3: follower([1, 2]), n4: follower([1, 2]), n5: follower([1]) };
    expect(rule.check(view(all, ids))).toBeUndefined();
    expect(rule.check(view({ ...all, n4: follower([1]) }, ids))).toBeUndefined();
    expect(rule.check(view({ ...all, n4: follower([1]), n3: follower([1]) }, ids))).toMatch(/n3 no longer holds entry 2/);
  });
});

/** n2 becomes candidate of term 3 with log `cand`; then n1 (log `voter`) publishes its vote for n2 in term 3. */
function vote(cand: number[], voter: number[]): string | undefined {
  const rule = voteLogOk(new ServerProbe(['n1', 'n2', 'n3']));
  const n1 = state({ role: 'follower', term: 2 }, voter);
  const n2 = state({ role: 'candidate', term: 3, votedFor: 'n2' }, cand);
  const n3 = state({ role: 'follower', term: 2 }, [1]);
  expect(rule.check(view({ n1, n2, n3 }))).toBeUndefined();
  return rule.check(view({ n1: { ...n1, term: 3, votedFor: 'n2' }, n2, n3 }));
}

describe('vote-log-ok: a vote goes only to a candidate at least as up-to-date as the voter (section 5.4.1)', () => {
  it.each([
    ['higher last term, shorter log', [1, 3], [1, 2, 2]],
    ['same last term, longer log', [1, 2, 2], [1, 2]],
    ['same last term, same length', [1, 2], [1, 2]],
    ['empty voter', [1], []],
  ])('granted: %s', (_, cand, voter) => {
    expect(vote(cand, voter)).toBeUndefined();
  });

  it.each([
    ['lower last term, longer log (a length-only comparison grants it)', [1, 1, 1], [1, 2], /whose RequestVote carried last log term 1 at index 3, less up-to-date than n1's last term 2 at index 2/],
    ['same last term, shorter log', [1, 2], [1, 2, 2], /last log term 2 at index 2, less up-to-date than n1's last term 2 at index 3/],
    ['empty candidate', [], [1], /last log term 0 at index 0/],
  ])('refused: %s', (_, cand, voter, says) => {
    expect(vote(cand, voter)).toMatch(says);
  });

  it('judges what the candidate sent (its log when it became candidate), not a log it publishes later; a preloaded vote with no candidacy is not judged', () => {
    const rule = voteLogOk(new ServerProbe(['n1', 'n2', 'n3']));
    const n1 = state({ role: 'follower', term: 2 }, [1, 2]);
    const n2 = state({ role: 'candidate', term: 3, votedFor: 'n2' }, [1]);
    const n3 = state({ role: 'follower', term: 3, votedFor: 'n1' }, [1]); // preloaded: n1 never ran in term 3
    expect(rule.check(view({ n1, n2, n3 }))).toBeUndefined();
    const n2later = state({ role: 'candidate', term: 3, votedFor: 'n2' }, [1, 2, 2]);
    expect(rule.check(view({ n1: { ...n1, term: 3, votedFor: 'n2' }, n2: n2later, n3 }))).toMatch(/n1 voted for n2 in term 3, whose RequestVote carried last log term 1 at index 1/);
  });
});

describe('end to end: the planted bug voteWithoutUpToDateCheck (section 5.4.1 skipped)', () => {
  it('vote-log-ok sees the stale vote itself, first, in the small busy cluster of bugs.test.ts (leader-completeness there needs the stale leader to lose a committed entry)', () => {
    const report = fuzz({ scenario: fuzzCluster({ voteWithoutUpToDateCheck: true }, { duration: '2s' }), runs: 100, shrink: false });
    expect(report.failures[0]?.violation.invariant).toBe('vote-log-ok');
  });
});
