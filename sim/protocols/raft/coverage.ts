// Raft's abstract state for coverage-guided fuzzing (sim/fuzz/guided.ts): a
// short string naming the shape of the cluster, not its details, so a run
// reaches tens to hundreds of distinct values and a new one means the run did
// something the corpus had not done yet.
//
// Computed from what servers publish (RaftServerState) and which are up:
// - the roles multiset, down servers apart ("L1 C0 F2 x0": symmetric, node names do not matter);
// - the term gap between the highest and lowest term among live servers (0, 1, 2+);
// - how many servers believe they lead (two leaders of different terms is a window);
// - whether the newest leader has an entry of an older term on a majority but not committed
//   (the Figure 8 window, which `commitPreviousTermByCounting` needs);
// - how many live servers are behind that leader's last index (0, 1, 2+), and whether some
//   live server has a longer log than the leader (uncommitted leftovers of an old term);
// - flags for windows deep bugs need, appended only when they hold: `split` (two live candidates
//   campaign in the same term: a split vote), `novote` (a live follower sits in the term of a live
//   candidate without a recorded vote, and the candidate's log is up-to-date enough for it: it could
//   still grant that vote; it has not voted yet, or forgot its vote, e.g. restarted in the term it
//   voted in), `ahead` (a live server of the highest term, above some other live
//   server's, has a shorter log than a server of a lower term: the stale-log, higher-term server
//   PreVote must cope with), `diverge` (two servers, down ones included with the log they last published,
//   which is their disk's, hold entries of different terms at one index above the lower of their commit
//   indexes: the uncommitted conflicting suffixes of Figure 7/8 that a later leader must overwrite, and
//   that truncation, commit-rule and stale-AppendEntries mistakes act on);
// - the window parts added for deep chains (issue 11, protocol side): `old` is three-valued, `old0` (the
//   newest leader holds no uncommitted entry of an older term), `oldm` (it does, on a minority only: a
//   leftover of a deposed leader that a further crash can strand) and `old1` (on a majority: Figure 8);
//   `t1`..`t3+`, how many distinct terms the longest log (down servers included) holds entries of, a
//   proxy for the leader changes that reached the log (Figure 8 needs three); and the flag `iso` (a live
//   server that believes it leads cannot reach a majority, itself counted: the deposed-leader-still-serving
//   window of stale reads and lease mistakes, read from the fault state, not from messages).
// - the flag `held` (session 13, issue 11): a paused server's published term is below the term of a live
//   leader or candidate. A paused server holds what was sent to it (the engine delivers it on resume, in order)
//   and answers it in its old term: the window of a reply from an older term reaching a leader or candidate
//   that has moved on (Figure 2, raft.tla DropStaleResponse). A run that reaches it is kept, so guided
//   mutations of its resume time and of what happens meanwhile open the window often.

import { atOrFail } from '../../api/index.ts';
import type { SimView } from '../../engine/types.ts';
import type { RaftServerState } from './state.ts';
import { lastIndex } from './targets.ts';

const bucket = (n: number): string => (n >= 2 ? '2+' : String(n));

/** Raft's abstract state: `ProtocolDefinition.abstractState`. */
export function raftAbstractState(view: SimView): string {
  const live: RaftServerState[] = [];
  const all: RaftServerState[] = [];
  const servers: string[] = [];
  const leaderIds: string[] = [];
  let down = 0;
  for (const id of view.nodeIds) {
    if (view.role(id) !== 'server') continue;
    servers.push(id);
    const s = view.published(id) as RaftServerState | undefined;
    const ok = s !== undefined && typeof s === 'object' && 'role' in s;
    if (ok) all.push(s);
    if (!view.isUp(id)) {
      down++;
      continue;
    }
    if (ok) {
      live.push(s);
      if (s.role === 'leader') leaderIds.push(id);
    }
  }
  let l = 0;
  let c = 0;
  let f = 0;
  let minTerm = Number.POSITIVE_INFINITY;
  let maxTerm = 0;
  let leader: RaftServerState | undefined;
  for (const s of live) {
    if (s.role === 'leader') {
      l++;
      if (!leader || s.term > leader.term) leader = s;
    } else if (s.role === 'candidate') c++;
    else f++;
    minTerm = Math.min(minTerm, s.term);
    maxTerm = Math.max(maxTerm, s.term);
  }
  const gap = live.length > 0 ? bucket(maxTerm - minTerm) : '-';
  let tail = 'noleader';
  if (leader) {
    const lastIndex = leader.logStart + leader.log.length - 1;
    const majority = Math.floor((live.length + down) / 2) + 1;
    // Entries after commitIndex whose term is older than the leader's, held (same index, same term) by a majority
    // (old1), or only by a minority (oldm).
    let oldOnMajority = false;
    let oldUncommitted = false;
    for (let i = Math.max(leader.commitIndex + 1, leader.logStart); i <= lastIndex && !oldOnMajority; i++) {
      const e = leader.log[i - leader.logStart];
      if (!e || e.term >= leader.term) continue;
      oldUncommitted = true;
      let holders = 0;
      for (const s of live) {
        const o = s.log[i - s.logStart];
        if (o && o.term === e.term) holders++;
      }
      oldOnMajority = holders >= majority;
    }
    let behind = 0;
    let longer = false;
    for (const s of live) {
      const last = s.logStart + s.log.length - 1;
      if (last < lastIndex) behind++;
      if (last > lastIndex) longer = true;
    }
    tail = `old${oldOnMajority ? 1 : oldUncommitted ? 'm' : 0} behind${bucket(behind)}${longer ? ' longer' : ''}`;
  }
  // `held`: a paused server behind the term of a live (not paused) leader or candidate (see the header).
  let collecting = 0;
  let heldTerm = Number.POSITIVE_INFINITY;
  for (const id of servers) {
    if (!view.isUp(id)) continue;
    const s = view.published(id) as RaftServerState | undefined;
    if (s === undefined || typeof s !== 'object' || !('role' in s)) continue;
    if (view.isPaused(id)) heldTerm = Math.min(heldTerm, s.term);
    else if (s.role !== 'follower') collecting = Math.max(collecting, s.term);
  }
  const held = heldTerm < collecting;
  const iso = leaderIds.some((id) => servers.filter((o) => o === id || view.faults.connected(id, o)).length < Math.floor(servers.length / 2) + 1);
  return `L${l} C${c} F${f} x${down} g${gap} ${tail} t${logTerms(all)}${flags(live, maxTerm, minTerm)}${diverged(all) ? ' diverge' : ''}${iso ? ' iso' : ''}${held ? ' held' : ''}`;
}

/** Distinct terms among the entries of the longest published log (0, 1, 2, 3+). */
function logTerms(servers: readonly RaftServerState[]): string {
  let longest: RaftServerState | undefined;
  for (const s of servers) if (!longest || lastIndex(s) > lastIndex(longest)) longest = s;
  if (!longest) return '0';
  // Hot (once per instant with a change, in every fuzz run): count up to three distinct terms, no Set.
  const log = longest.log;
  let a = -1;
  let b = -1;
  let n = 0;
  for (let i = 0; i < log.length; i++) {
    const t = atOrFail(log, i, 'log').term;
    if (t === a || t === b) continue;
    if (n === 0) a = t;
    else if (n === 1) b = t;
    else return '3+';
    n++;
  }
  return String(n);
}

/** The window flags (see the header): empty, or ` split`, ` novote`, ` ahead` in that order. */
function flags(live: readonly RaftServerState[], maxTerm: number, minTerm: number): string {
  let out = '';
  const candidateTerms = live.filter((s) => s.role === 'candidate').map((s) => s.term);
  if (new Set(candidateTerms).size < candidateTerms.length) out += ' split';
  // A follower that could still grant a live candidate its vote in that term: no recorded vote, and the candidate's
  // log at least as up-to-date (section 5.4.1). One that refused for its log is not a window.
  const candidates = live.filter((s) => s.role === 'candidate');
  if (live.some((s) => s.role === 'follower' && s.votedFor === null && candidates.some((c) => c.term === s.term && upToDate(c, s)))) out += ' novote';
  if (maxTerm > minTerm) {
    const lowLog = Math.max(...live.filter((s) => s.term < maxTerm).map(lastIndex));
    if (live.some((s) => s.term === maxTerm && lastIndex(s) < lowLog)) out += ' ahead';
  }
  return out;
}

/** Two servers hold entries of different terms at one index above the lower of their commit indexes (see the header). */
function diverged(servers: readonly RaftServerState[]): boolean {
  for (let a = 0; a < servers.length; a++) {
    const x = atOrFail(servers, a, 'servers');
    for (let b = a + 1; b < servers.length; b++) {
      const y = atOrFail(servers, b, 'servers');
      const from = Math.max(Math.min(x.commitIndex, y.commitIndex) + 1, x.logStart, y.logStart);
      const to = Math.min(lastIndex(x), lastIndex(y));
      for (let i = from; i <= to; i++) {
        const ex = x.log[i - x.logStart];
        const ey = y.log[i - y.logStart];
        if (ex && ey && ex.term !== ey.term) return true;
      }
    }
  }
  return false;
}

const lastTerm = (s: RaftServerState): number => s.log.at(-1)?.term ?? 0;

/** Section 5.4.1: `c`'s log is at least as up-to-date as `v`'s (last term, then length). */
function upToDate(c: RaftServerState, v: RaftServerState): boolean {
  return lastTerm(c) > lastTerm(v) || (lastTerm(c) === lastTerm(v) && lastIndex(c) >= lastIndex(v));
}
