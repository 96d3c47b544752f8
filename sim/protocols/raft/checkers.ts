// The safety properties of Figure 3 of the Raft paper, checked after every
// event, plus liveness while faults last and after the scenario's quiesce
// point. Checkers read only what servers publish (RaftServerState, state.ts)
// and the fault state, never live nodes: a shared ServerProbe rebuilds each
// server's log from the entries it publishes (`logFrom`, `entries`: what it
// wrote since its previous publish) and keeps, per index, a chain digest of the
// term sequence up to it (log.ts's chainNext), so that equal chains mean equal
// prefixes and every check costs O(1) per new entry.

import { assert, atOrFail, formatDuration, published, type Checker, type Micros, type NodeId, type SimView } from '../../api/index.ts';
import { chainNext } from './log.ts';
import type { RaftServerState } from './state.ts';

/** A chain digest that is not known (a snapshot installed from a log no server published). */
const UNKNOWN = -1;

/** Most log indexes a rebuilt log holds (a bound on checker memory: far beyond any scenario's log). */
export const MAX_REBUILT_INDEX = 50_000_000;

/** One server's log as rebuilt from its published states. */
export class RebuiltLog {
  /** Lowest index whose term is known (the snapshot's, after an install). */
  private lo = 0;
  private readonly terms: number[] = [0];
  private readonly chains: number[] = [0];
  last = 0;
  /** For checkers' cursors: the lowest index of each change that was not a plain append (a truncation or rewrite), in order. */
  readonly changes: number[] = [];

  term(i: number): number | undefined {
    return i >= this.lo && i <= this.last ? this.terms[i] : undefined;
  }

  /** Chain digest at `i` (see log.ts); undefined when unknown. */
  chain(i: number): number | undefined {
    if (i < this.lo || i > this.last) return undefined;
    const c = this.chains[i];
    return c === UNKNOWN ? undefined : c;
  }

  /**
   * Apply one published state. `known(index, term)` gives the chain some server's log had at that
   * position (for a snapshot whose prefix this log never held). Returns the lowest index that
   * changed other than by appending (Infinity: none); calls `entry` for every index written.
   */
  update(s: RaftServerState, known: (index: number, term: number) => number | undefined, entry: (index: number, term: number, chain: number) => void): number {
    let changed = Infinity;
    const snap = s.snapshotIndex;
    if (snap > 0 && this.term(snap) !== s.snapshotTerm) {
      // The log was replaced by a snapshot (InstallSnapshot rules 6-8, or a restart from one).
      const c = known(snap, s.snapshotTerm) ?? UNKNOWN;
      if (snap <= this.last) changed = snap;
      this.lo = snap;
      this.terms[snap] = s.snapshotTerm;
      this.chains[snap] = c;
      this.last = snap;
    }
    if (s.lastIndex > MAX_REBUILT_INDEX) throw new RangeError(`raft checkers: log index ${s.lastIndex} beyond ${MAX_REBUILT_INDEX}`);
    const oldLast = this.last;
    let dirty = false;
    let i = s.logFrom - 1;
    for (const t of s.entries) {
      i++;
      if (!dirty && i <= oldLast && i >= this.lo && this.terms[i] === t) continue; // written again as it was
      if (!dirty && i <= oldLast && i < changed) changed = i;
      dirty = true;
      const prev = i - 1 >= this.lo ? this.chains[i - 1] : undefined;
      const c = prev === undefined || prev === UNKNOWN ? UNKNOWN : chainNext(prev, t);
      this.terms[i] = t;
      this.chains[i] = c;
      if (c !== UNKNOWN) entry(i, t, c);
    }
    // Entries after lastIndex are gone (a truncation with nothing appended, or a shorter rewrite).
    if (s.lastIndex < oldLast && s.lastIndex + 1 < changed) changed = s.lastIndex + 1;
    this.last = s.lastIndex;
    if (changed !== Infinity) this.changes.push(changed);
    return changed;
  }
}
/**
 * The servers a run checks, as they published themselves. A server changes only in
 * its own handler, so after a step that ran one server's handler (SimView.actor)
 * only that server needs a look; after a fault step (actor undefined: a crash, a
 * restart, the quiesce point) every server does. The probe is shared by a run's
 * checkers: each calls touched() first, which takes in what the servers it names
 * published since (once per publish, whichever checker comes first), rebuilds their
 * logs and records every new (index, term, chain) for Log Matching. A step that
 * published nothing right after a step it looked at costs one counter comparison
 * (SimView.publishes); like the checkers, it is called after every step that published
 * or applied a fault (the engine skips only quiet steps: Checker.onChange).
 *
 * A server that was seen down and has not published since it came back is treated
 * as down: its last published state is its previous life's.
 */
export class ServerProbe {
  private readonly pos = new Map<NodeId, number>();
  /** Per server position: its id, last published state taken in, up now, seen down since, rebuilt log, lives. */
  private readonly slots: { id: NodeId; state: RaftServerState | undefined; up: boolean; wasDown: boolean; log: RebuiltLog; life: number; entry: (index: number, term: number, chain: number) => void }[];
  /** All server positions, and one single-position list per server: returned by touched(), never mutated. */
  private readonly all: readonly number[];
  private readonly one: readonly (readonly number[])[];
  private static readonly NONE: readonly number[] = [];
  private step = -1;
  private view: SimView | undefined;
  /** The last step touched() looked at, and SimView.publishes then. */
  private looked = -2;
  private publishesSeen: number | undefined;
  private last: readonly number[] = ServerProbe.NONE;
  // Log Matching's record: per index, the first (term, chain, holder) seen, in flat arrays;
  // further terms at the same index (only after conflicts) in `more`.
  private readonly termAt: number[] = [];
  private readonly chainAt: number[] = [];
  private readonly holderAt: NodeId[] = [];
  private readonly more = new Map<number, Map<number, { chain: number; node: NodeId }>>();
  /** The first Log Matching violation seen (reported by the log-matching checker). */
  logMismatch: string | undefined;

  constructor(readonly servers: readonly NodeId[]) {
    servers.forEach((id, k) => this.pos.set(id, k));
    this.slots = servers.map((id) => ({ id, state: undefined, up: false, wasDown: false, log: new RebuiltLog(), life: 0, entry: (i: number, t: number, c: number) => this.record(id, i, t, c) }));
    this.all = servers.map((_, k) => k);
    this.one = servers.map((_, k) => [k]);
  }

  /**
   * Positions of the servers the step just taken changed as checkers see them: the
   * actor if it published a new state (none when it published nothing, or a client
   * acted), or all (a fault, or a view without an actor). Every check is a function
   * of what servers published and whether they are up, so a step that changed
   * neither has nothing new to check. Call it first in every check: it refreshes
   * what node() and log() return.
   */
  touched(view: SimView): readonly number[] {
    const steps = view.stepsTaken;
    if (view === this.view) {
      // Every checker of the run calls this once per step: the first does the work, the others return here.
      if (steps === this.step) return this.last;
      // The step right after one looked at, by a node, that published nothing (SimView.publishes):
      // nothing a check reads changed (up states change only in fault steps, which have no actor).
      // Most steps are such (a client's, a timer that sends, a message answered without a change).
      if (steps === this.looked + 1 && view.publishes !== undefined && view.publishes === this.publishesSeen && view.actor !== undefined) {
        this.step = this.looked = steps;
        return (this.last = ServerProbe.NONE);
      }
    }
    this.view = view;
    this.looked = steps;
    this.publishesSeen = view.publishes;
    const a = view.actor;
    if (a === undefined) {
      this.step = -1;
      for (const k of this.all) this.refresh(view, k);
      return this.all;
    }
    this.step = steps;
    const k = this.pos.get(a);
    if (k === undefined || !this.refresh(view, k)) return (this.last = ServerProbe.NONE);
    return (this.last = this.one[k] as readonly number[]);
  }

  /** Look at every server now (for checks that read them all). */
  refreshAll(view: SimView): void {
    for (const k of this.all) this.refresh(view, k);
  }

  private slot(k: number): ServerProbe['slots'][number] {
    const s = this.slots[k];
    if (s === undefined) throw new RangeError(`raft checkers: no server at position ${k}`);
    return s;
  }

  /** Take in server k's up state and what it published; returns whether either changed since the last look. */
  private refresh(view: SimView, k: number): boolean {
    const sl = this.slot(k);
    if (!view.isUp(sl.id)) {
      const changed = sl.up;
      sl.up = false;
      sl.wasDown = true;
      return changed;
    }
    const cameUp = !sl.up;
    sl.up = true;
    const s = published<RaftServerState>(view, sl.id);
    if (s === undefined || s === sl.state) return cameUp;
    if (sl.wasDown) {
      sl.wasDown = false;
      sl.life++;
    }
    sl.state = s;
    sl.log.update(s, this.known, sl.entry);
    return true;
  }

  /** The id of the server at position k. */
  id(k: number): NodeId {
    return atOrFail(this.servers, k, 'raft checkers: server position');
  }

  /** Every server position. */
  everyone(): readonly number[] {
    return this.all;
  }

  /** What the server at position k last published, or undefined while it is down (or back up but silent), as of the last touched(). */
  node(k: number): RaftServerState | undefined {
    const sl = this.slot(k);
    return sl.up && !sl.wasDown ? sl.state : undefined;
  }

  /** The log of the server at position k, rebuilt from what it published. */
  log(k: number): RebuiltLog {
    return this.slot(k).log;
  }

  /** How many times the server at position k came back from a crash (cursors of one life start afresh in the next). */
  life(k: number): number {
    return this.slot(k).life;
  }

  private readonly known = (index: number, term: number): number | undefined => {
    if (this.termAt[index] === term) return this.chainAt[index];
    return this.more.get(index)?.get(term)?.chain;
  };

  private record(id: NodeId, index: number, term: number, chain: number): void {
    const t0 = this.termAt[index];
    if (t0 === undefined) {
      this.termAt[index] = term;
      this.chainAt[index] = chain;
      this.holderAt[index] = id;
      return;
    }
    if (t0 === term) {
      if (this.chainAt[index] !== chain) this.mismatch(index, term, atOrFail(this.holderAt, index, 'log matching: holder'), id);
      return;
    }
    let byTerm = this.more.get(index);
    if (byTerm === undefined) this.more.set(index, (byTerm = new Map()));
    const k = byTerm.get(term);
    if (k === undefined) byTerm.set(term, { chain, node: id });
    else if (k.chain !== chain) this.mismatch(index, term, k.node, id);
  }

  private mismatch(index: number, term: number, first: NodeId, id: NodeId): void {
    if (this.logMismatch !== undefined) return;
    const who = first === id ? `${id} held entry ${index} of term ${term} before and holds it again now` : `${first} and ${id} both hold entry ${index} of term ${term}`;
    this.logMismatch = `${who}, but the logs before it differ`;
  }
}

/** Election Safety: at most one leader can be elected in a given term (section 5.2). */
export function electionSafety(probe: ServerProbe): Checker {
  const leaders = new Map<number, NodeId>();
  /** Per server, the term in which it was last seen leading (and checked). */
  const checkedTerm: number[] = probe.servers.map(() => -1);
  return {
    name: 'election-safety',
    description: 'at most one leader is elected in a given term (Figure 3)',
    when: 'always',
    onChange: true, // reads only what servers publish, through the probe
    check(view) {
      for (const k of probe.touched(view)) {
        const r = probe.node(k);
        if (r === undefined || r.role !== 'leader' || checkedTerm[k] === r.term) continue;
        const id = probe.id(k);
        const prev = leaders.get(r.term);
        if (prev === undefined) leaders.set(r.term, id);
        else if (prev !== id) return `${prev} and ${id} were both elected leader of term ${r.term}`;
        checkedTerm[k] = r.term;
      }
      return undefined;
    },
  };
}

/** Leader Append-Only: a leader never overwrites or deletes entries in its log; it only appends (section 5.3). */
export function leaderAppendOnly(probe: ServerProbe): Checker {
  const seen: ({ life: number; term: number; changes: number; last: number } | undefined)[] = probe.servers.map(() => undefined);
  return {
    name: 'leader-append-only',
    description: 'a leader never overwrites or deletes entries in its log (Figure 3)',
    when: 'always',
    onChange: true, // reads only what servers publish, through the probe
    check(view) {
      for (const k of probe.touched(view)) {
        const r = probe.node(k);
        if (r === undefined || r.role !== 'leader') {
          seen[k] = undefined;
          continue;
        }
        const id = probe.id(k);
        const log = probe.log(k);
        const s = seen[k];
        const changes = log.changes.length;
        if (s !== undefined && s.life === probe.life(k) && s.term === r.term) {
          if (changes !== s.changes) return `leader ${id} of term ${r.term} removed or overwrote its log from index ${log.changes[s.changes]}`;
          if (log.last < s.last) return `leader ${id} of term ${r.term} shortened its log from ${s.last} to ${log.last} entries`;
          s.last = log.last;
        } else seen[k] = { life: probe.life(k), term: r.term, changes, last: log.last };
      }
      return undefined;
    },
  };
}

/** Log Matching: if two logs contain an entry with the same index and term, the logs are identical up through it (section 5.3). */
export function logMatching(probe: ServerProbe): Checker {
  return {
    name: 'log-matching',
    description: 'two logs with an entry of the same index and term are identical up through it (Figure 3)',
    when: 'always',
    onChange: true, // reads only what servers publish, through the probe
    check(view) {
      // The probe records every entry as servers publish it (see ServerProbe.record).
      probe.touched(view);
      return probe.logMismatch;
    },
  };
}

/**
 * Leader Completeness: an entry committed in a term is present in the logs of
 * the leaders of all higher terms (section 5.4). "Committed" is what any server's
 * commitIndex covers; the term it was committed in is that server's term when it
 * first covered it. A leader is checked when it acts, and every leader is
 * checked again when the committed prefix grows.
 */
export function leaderCompleteness(probe: ServerProbe): Checker {
  const chainAt: number[] = [];
  /** The term of the committed entry at each index (what its chain was recorded with). */
  const entryTermAt: number[] = [];
  const termCommittedIn: number[] = [];
  let maxCommitted = 0;
  const commitCursor: ({ life: number; seen: number; changes: number } | undefined)[] = [];
  const leaderCursor: ({ life: number; term: number; checked: number } | undefined)[] = [];
  const checkLeader = (k: number): string | undefined => {
    const r = probe.node(k);
    if (r === undefined || r.role !== 'leader') return undefined;
    const log = probe.log(k);
    let l = leaderCursor[k];
    if (l === undefined || l.life !== probe.life(k) || l.term !== r.term) leaderCursor[k] = l = { life: probe.life(k), term: r.term, checked: r.snapshotIndex };
    // Every entry committed in an earlier term must be in this leader's log.
    while (l.checked < maxCommitted && atOrFail(termCommittedIn, l.checked + 1, 'leader completeness: term committed in') < l.term) {
      const i = ++l.checked;
      const known = chainAt[i];
      if (known === undefined) continue;
      const mine = log.chain(i);
      // A log rebuilt over a snapshot whose prefix no server published has no chain digests
      // (RebuiltLog.chain is undefined): the same index and term is then the same entry, by Log
      // Matching (which the log-matching checker proves wherever digests are known).
      if (mine === undefined && log.term(i) !== undefined && log.term(i) === entryTermAt[i]) continue;
      if (mine !== known) {
        return `leader ${probe.servers[k]} of term ${r.term} lacks entry ${i}, committed in term ${termCommittedIn[i]} (its log ${mine === undefined ? 'ends at ' + log.last : 'has another entry there'})`;
      }
    }
    return undefined;
  };
  return {
    name: 'leader-completeness',
    description: 'a committed entry is in the log of every leader of a later term (Figure 3)',
    when: 'always',
    onChange: true, // reads only what servers publish, through the probe
    check(view) {
      const touched = probe.touched(view);
      const before = maxCommitted;
      for (const k of touched) {
        const r = probe.node(k);
        if (r === undefined) continue;
        const log = probe.log(k);
        let c = commitCursor[k];
        if (c === undefined || c.life !== probe.life(k)) commitCursor[k] = c = { life: probe.life(k), seen: 0, changes: log.changes.length };
        // A rewritten log is looked at again from the rewrite on.
        for (; c.changes < log.changes.length; c.changes++) c.seen = Math.min(c.seen, atOrFail(log.changes, c.changes, 'log changes') - 1);
        if (r.commitIndex <= c.seen) continue;
        for (let i = Math.max(c.seen + 1, r.snapshotIndex); i <= r.commitIndex; i++) {
          const chain = log.chain(i);
          if (chain === undefined) continue;
          if (i > maxCommitted) {
            for (let j = maxCommitted + 1; j <= i; j++) termCommittedIn[j] = r.term;
            maxCommitted = i;
          }
          const known = chainAt[i];
          if (known === undefined) {
            const term = log.term(i);
            if (term === undefined) assert(false, `raft checkers: entry ${i} of ${probe.id(k)} has a chain digest but no term`);
            chainAt[i] = chain;
            entryTermAt[i] = term;
          }
          else if (known !== chain) return `entry ${i} was committed with two different histories (${probe.id(k)} holds the second): a committed entry was lost`;
        }
        c.seen = r.commitIndex;
      }
      // New commits concern every leader; otherwise only the servers that acted can have become leader or changed.
      const leaders = maxCommitted > before ? probe.everyone() : touched;
      for (const k of leaders) {
        const bad = checkLeader(k);
        if (bad) return bad;
      }
      return undefined;
    },
  };
}

/** State Machine Safety: no two servers apply different entries at the same index (section 5.4.3). */
export function stateMachineSafety(probe: ServerProbe): Checker {
  const appliedTerm: number[] = [];
  const appliedBy: NodeId[] = [];
  const cursors: ({ life: number; seen: number } | undefined)[] = [];
  const record = (id: NodeId, i: number, term: number): string | undefined => {
    const known = appliedTerm[i];
    if (known === undefined) {
      appliedTerm[i] = term;
      appliedBy[i] = id;
    } else if (known !== term) {
      return `${appliedBy[i]} applied the entry of term ${known} at index ${i}, but ${id} applied the entry of term ${term} there`;
    }
    return undefined;
  };
  return {
    name: 'state-machine-safety',
    description: 'no two servers apply different log entries at the same index (Figure 3)',
    when: 'always',
    onChange: true, // reads only what servers publish, through the probe
    check(view) {
      for (const k of probe.touched(view)) {
        const r = probe.node(k);
        if (r === undefined) continue;
        let c = cursors[k];
        if (c === undefined || c.life !== probe.life(k)) cursors[k] = c = { life: probe.life(k), seen: r.snapshotIndex };
        if (r.lastApplied <= c.seen) continue;
        const id = probe.id(k);
        const log = probe.log(k);
        if (c.seen < r.snapshotIndex && r.snapshotIndex <= r.lastApplied) {
          // Installed a snapshot: its last entry counts as applied.
          const bad = record(id, r.snapshotIndex, r.snapshotTerm);
          if (bad) return bad;
          c.seen = r.snapshotIndex;
        }
        for (let i = c.seen + 1; i <= r.lastApplied; i++) {
          const t = log.term(i);
          if (t === undefined) continue; // not in the rebuilt log (a snapshot installed over it)
          const bad = record(id, i, t);
          if (bad) return bad;
        }
        c.seen = r.lastApplied;
      }
      return undefined;
    },
  };
}

/**
 * The stable quorum of the current fault state, as server positions (sorted), or
 * undefined when there is none. A stable quorum is a majority of the servers
 * that are all running (up, not paused), mutually connected (no partition or
 * block between any two of them, either direction), and that no other running
 * server can send to (so no one outside can disrupt their elections), with no
 * loss burst on. There is at most one: two majorities share a server, and a
 * stable quorum contains every server that can reach any of its members.
 */
export function stableQuorum(view: SimView, servers: readonly NodeId[]): number[] | undefined {
  const f = view.faults;
  if (f.lossBurst > 0) return undefined;
  const n = servers.length;
  const majority = Math.floor(n / 2) + 1;
  const running = servers.map((id) => f.running(id));
  const open = (a: number, b: number): boolean => f.linkOpen(atOrFail(servers, a, 'servers'), atOrFail(servers, b, 'servers'));
  // A slowed link is not open (not healthy) but not cut either: a slowed server still reaches the others (it may still lead them).
  const reaches = (a: number, b: number): boolean => !f.linkCut(atOrFail(servers, a, 'servers'), atOrFail(servers, b, 'servers'));
  for (let v = 0; v < n; v++) {
    if (!running[v]) continue;
    // Every running server that can reach v (v's ancestors through links that are not cut, between running servers).
    const inGroup = new Array<boolean>(n).fill(false);
    inGroup[v] = true;
    const stack = [v];
    for (let w = stack.pop(); w !== undefined; w = stack.pop()) {
      for (let u = 0; u < n; u++) {
        if (!inGroup[u] && running[u] && reaches(u, w)) {
          inGroup[u] = true;
          stack.push(u);
        }
      }
    }
    const group: number[] = [];
    for (let u = 0; u < n; u++) if (inGroup[u]) group.push(u);
    if (group.length < majority) continue;
    if (group.every((a) => group.every((b) => a === b || (open(a, b) && open(b, a))))) return group;
  }
  return undefined;
}

/**
 * Liveness while faults last (Raft section 5.6, "Timing and availability": with
 * broadcastTime << electionTimeout << MTBF a leader is elected and kept): whenever
 * a stable quorum (see stableQuorum: a majority up, mutually connected and cut off
 * from every other server) has held for `bound` (k maximum election timeouts),
 * one of its members has led it (a leader whose term no member exceeds) within
 * the last `bound`. A brief election is fine; a quorum that stays leaderless for
 * k timeouts is the bug: a candidate that never retries a split vote, or the
 * PreVote + CheckQuorum livelock in which a server with a higher term but a
 * stale log blocks every election (etcd-io/raft). Judged in true time; the
 * bound assumes clock drift well below 100%. Before the quorum forms or while
 * faults break it, nothing is promised (a minority is expected to stay leaderless).
 */
export function quorumElectsLeader(probe: ServerProbe, bound: Micros, timeouts: number): Checker {
  let epoch = -1;
  let group: number[] | undefined;
  let inGroup: boolean[] = [];
  let key = '';
  let since = 0;
  let lastLeader = Number.NEGATIVE_INFINITY;
  /** The member last found leading with a term no member exceeded, and that term (-1: none known). */
  let leaderK = -1;
  let leaderTerm = -1;
  /** Whether member k leads with a term no member of the group exceeds. */
  const leadsGroup = (k: number, members: readonly number[]): boolean => {
    const r = probe.node(k);
    if (r === undefined || r.role !== 'leader') return false;
    for (const j of members) if ((probe.node(j)?.term ?? 0) > r.term) return false;
    return true;
  };
  return {
    name: 'quorum-elects-leader',
    description: `liveness while faults last: a majority of servers up, mutually connected and cut off from the others for ${timeouts} election timeouts has had a leader within the last ${timeouts} election timeouts`,
    when: 'always',
    check(view) {
      const touched = probe.touched(view);
      const f = view.faults;
      if (f.epoch !== epoch) {
        epoch = f.epoch;
        const g = stableQuorum(view, probe.servers);
        const k = g === undefined ? '' : g.join(',');
        if (k !== key) {
          key = k;
          group = g;
          inGroup = probe.servers.map((_, i) => g?.includes(i) === true);
          since = view.now;
          lastLeader = Number.NEGATIVE_INFINITY;
          leaderK = -1;
        }
      }
      if (group === undefined) return undefined;
      // Terms only change in their server's own steps: the known leader stays valid until it
      // stops leading or a member that acts shows a higher term; only then look at every member.
      for (const k of touched) {
        if (!inGroup[k]) continue;
        const r = probe.node(k);
        if (r === undefined) {
          if (k === leaderK) leaderK = -1;
          continue;
        }
        if (k === leaderK) {
          if (r.role !== 'leader' || r.term !== leaderTerm) leaderK = -1;
        } else if (leaderK >= 0 && r.term > leaderTerm) leaderK = -1;
        if (leaderK < 0 && r.role === 'leader' && leadsGroup(k, group)) {
          leaderK = k;
          leaderTerm = r.term;
        }
      }
      if (leaderK < 0 && touched.length > 1) {
        for (const k of group) {
          if (!leadsGroup(k, group)) continue;
          leaderK = k;
          leaderTerm = probe.node(k)?.term ?? -1;
        }
      }
      if (leaderK >= 0) lastLeader = view.now;
      const from = Math.max(since, lastLeader);
      if (view.now - from > bound) {
        const ids = group.map((k) => probe.servers[k]).join(', ');
        const state = group.map((k) => `${probe.servers[k]} ${probe.node(k)?.role ?? 'down'} of term ${probe.node(k)?.term ?? '?'}`).join(', ');
        return `${ids} have been up and mutually connected, with no other server able to reach them, since t=${formatDuration(since)}, but none has led them for ${formatDuration(view.now - from)} (bound ${formatDuration(bound)} = ${timeouts} election timeouts; now ${state})`;
      }
      return undefined;
    },
  };
}

/** Liveness: once faults stop, some server leads (with a term no other live server exceeds) within `bound`. */
export function leaderElected(probe: ServerProbe, bound: Micros, timeouts: number): Checker {
  let electedAfterQuiesce = false;
  let reached = false;
  return {
    name: 'leader-elected',
    description: `after the quiesce point a leader is elected within ${timeouts} election timeouts`,
    when: 'always',
    // Judged once a leader is elected after the quiesce point or the bound has passed.
    judged: () => reached || electedAfterQuiesce,
    check(view) {
      if (!view.quiesced || electedAfterQuiesce) return undefined;
      let maxTerm = 0;
      let leaderTerm = -1;
      probe.refreshAll(view);
      for (const k of probe.everyone()) {
        const r = probe.node(k);
        if (r === undefined) continue;
        maxTerm = Math.max(maxTerm, r.term);
        if (r.role === 'leader') leaderTerm = Math.max(leaderTerm, r.term);
      }
      const q = view.quiescedAt;
      if (q !== undefined && view.now > q + bound) reached = true;
      if (leaderTerm === maxTerm) electedAfterQuiesce = true;
      else if (q !== undefined && view.now > q + bound) return `no leader ${formatDuration(bound)} (${timeouts} election timeouts) after the quiesce point`;
      return undefined;
    },
  };
}

/** Liveness: once faults stop, every client operation completes within `bound` (checked at the end of the run). */
export function operationsComplete(bound: Micros): Checker {
  let reached = false;
  return {
    name: 'ops-complete',
    description: 'after the quiesce point every pending client operation completes',
    when: 'final',
    // Judged when the run lasts `bound` past the quiesce point (an operation pending then is late), or every operation completed.
    judged: () => reached,
    check(view) {
      const q = view.quiescedAt;
      if (q === undefined) return undefined;
      // Pending operations by op id: the position of their invoke in the history (no object per operation).
      const history = view.history;
      const open = new Map<number, number>();
      for (let i = 0; i < history.length; i++) {
        const ev = history[i] as (typeof history)[number];
        if (ev.type === 'invoke') open.set(ev.op, i);
        else open.delete(ev.op);
      }
      if (view.now - q > bound || open.size === 0) reached = true;
      for (const [op, i] of open) {
        const o = history[i];
        if (o === undefined || o.type !== 'invoke') continue;
        if (view.now - Math.max(o.t, q) > bound) return `operation ${op} (${o.process} ${o.f} ${o.key ?? ''}) invoked at t=${formatDuration(o.t)} never completed, ${formatDuration(view.now - Math.max(o.t, q))} after faults stopped`;
      }
      return undefined;
    },
  };
}
