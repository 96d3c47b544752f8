// The safety properties of Figure 3 of the Raft paper, checked after every
// event, plus liveness after the scenario's quiesce point. Each checker looks
// inside the live servers (white-box, read-only) and remembers what it already
// checked, so the cost per event is O(servers) plus O(1) per new log entry.
// Logs are compared through their chain digests (log.ts): equal chains at an
// index mean equal prefixes up to it.

import type { Checker, Micros, NodeId, SimView } from '../../engine/types.ts';
import type { RaftNode } from './node.ts';
import type { RaftServer } from './server.ts';

/**
 * The servers a run checks, and their live Raft nodes. A node changes only in
 * its own handler, so after a step that ran one server's handler
 * (SimView.actor) only that server needs a look; after a fault step (actor
 * undefined: a crash, a restart, the quiesce point) every server does. The
 * probe is shared by a run's checkers and caches the nodes: node(k) is current
 * for every k once touched() was called for the step (each checker calls it
 * first), because an instance only changes in a step that touches it.
 */
export class ServerProbe {
  private readonly nodes: (RaftNode | undefined)[];
  private readonly pos = new Map<NodeId, number>();
  /** All server positions, and one single-position list per server: returned by touched(), never mutated. */
  private readonly all: readonly number[];
  private readonly one: readonly (readonly number[])[];
  private static readonly NONE: readonly number[] = [];
  private step = -1;
  private view: SimView | undefined;
  private last: readonly number[] = ServerProbe.NONE;
  constructor(readonly servers: readonly NodeId[]) {
    this.nodes = servers.map(() => undefined);
    servers.forEach((id, k) => this.pos.set(id, k));
    this.all = servers.map((_, k) => k);
    this.one = servers.map((_, k) => [k]);
  }
  /** Node k (in `servers` order), or undefined while it is down, read afresh. The array is reused: read it before the next call. */
  at(view: SimView): readonly (RaftNode | undefined)[] {
    for (let i = 0; i < this.servers.length; i++) this.nodes[i] = view.behaviour<RaftServer>(this.servers[i] as NodeId)?.raft;
    return this.nodes;
  }
  /**
   * Positions of the servers the step just taken may have changed: the actor
   * alone, none (a client acted) or all (a fault, or a view without an actor).
   * Call it first in every check: it refreshes what node() returns.
   */
  touched(view: SimView): readonly number[] {
    const a = view.actor;
    if (a === undefined) {
      this.step = -1;
      this.at(view);
      return this.all;
    }
    if (view.stepsTaken === this.step && view === this.view) return this.last;
    this.step = view.stepsTaken;
    this.view = view;
    const k = this.pos.get(a);
    if (k === undefined) return (this.last = ServerProbe.NONE);
    this.nodes[k] = view.behaviour<RaftServer>(a)?.raft;
    return (this.last = this.one[k] as readonly number[]);
  }
  /** Every server position. */
  everyone(): readonly number[] {
    return this.all;
  }
  /** The live Raft node of the server at position k (undefined while it is down), as of the last touched(). */
  node(k: number): RaftNode | undefined {
    return this.nodes[k];
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
    check(view) {
      for (const k of probe.touched(view)) {
        const r = probe.node(k);
        if (r === undefined || r.role !== 'leader' || checkedTerm[k] === r.currentTerm) continue;
        const id = probe.servers[k] as NodeId;
        const prev = leaders.get(r.currentTerm);
        if (prev === undefined) leaders.set(r.currentTerm, id);
        else if (prev !== id) return `${prev} and ${id} were both elected leader of term ${r.currentTerm}`;
        checkedTerm[k] = r.currentTerm;
      }
      return undefined;
    },
  };
}

/** Leader Append-Only: a leader never overwrites or deletes entries in its log; it only appends (section 5.3). */
export function leaderAppendOnly(probe: ServerProbe): Checker {
  const seen: ({ node: RaftNode; term: number; changes: number; last: number } | undefined)[] = probe.servers.map(() => undefined);
  return {
    name: 'leader-append-only',
    description: 'a leader never overwrites or deletes entries in its log (Figure 3)',
    when: 'always',
    check(view) {
      for (const k of probe.touched(view)) {
        const r = probe.node(k);
        if (r === undefined || r.role !== 'leader') {
          seen[k] = undefined;
          continue;
        }
        const id = probe.servers[k] as NodeId;
        const s = seen[k];
        const changes = r.log.changes.length;
        const last = r.log.lastIndex();
        if (s !== undefined && s.node === r && s.term === r.currentTerm) {
          if (changes !== s.changes) return `leader ${id} of term ${r.currentTerm} removed or overwrote its log from index ${r.log.changes[s.changes]}`;
          if (last < s.last) return `leader ${id} of term ${r.currentTerm} shortened its log from ${s.last} to ${last} entries`;
          s.last = last;
        } else seen[k] = { node: r, term: r.currentTerm, changes, last };
      }
      return undefined;
    },
  };
}

/**
 * The incremental progress an "always" checker keeps per server (by position).
 * It starts afresh when the server restarted (a new RaftNode instance): callers
 * test `c === undefined || c.node !== r` inline and build a fresh cursor, so
 * the per-step path allocates nothing.
 */
interface Cursor {
  node: RaftNode;
}

/** Log Matching: if two logs contain an entry with the same index and term, the logs are identical up through it (section 5.3). */
export function logMatching(probe: ServerProbe): Checker {
  // Per index, the first (term, chain, holder) seen, in flat arrays; further terms at
  // the same index (only after conflicts) in `more`.
  const termAt: number[] = [];
  const chainAt: number[] = [];
  const holderAt: NodeId[] = [];
  const more = new Map<number, Map<number, { chain: number; node: NodeId }>>();
  const cursors: ((Cursor & { checked: number; changes: number }) | undefined)[] = [];
  const clash = (index: number, term: number, first: NodeId, id: NodeId): string => {
    const who = first === id ? `${id} held entry ${index} of term ${term} before and holds it again now` : `${first} and ${id} both hold entry ${index} of term ${term}`;
    return `${who}, but the logs before it differ`;
  };
  const record = (id: NodeId, index: number, term: number, chain: number): string | undefined => {
    const t0 = termAt[index];
    if (t0 === undefined) {
      termAt[index] = term;
      chainAt[index] = chain;
      holderAt[index] = id;
      return undefined;
    }
    if (t0 === term) return chainAt[index] === chain ? undefined : clash(index, term, holderAt[index] as NodeId, id);
    let byTerm = more.get(index);
    if (byTerm === undefined) more.set(index, (byTerm = new Map()));
    const k = byTerm.get(term);
    if (k === undefined) byTerm.set(term, { chain, node: id });
    else if (k.chain !== chain) return clash(index, term, k.node, id);
    return undefined;
  };
  return {
    name: 'log-matching',
    description: 'two logs with an entry of the same index and term are identical up through it (Figure 3)',
    when: 'always',
    check(view) {
      for (const k of probe.touched(view)) {
        const r = probe.node(k);
        if (r === undefined) continue;
        const id = probe.servers[k] as NodeId;
        const log = r.log;
        let c = cursors[k];
        if (c === undefined || c.node !== r) cursors[k] = c = { node: r, checked: -1, changes: log.changes.length };
        const last = log.lastIndex();
        if (c.checked === last && c.changes === log.changes.length) continue; // nothing new
        for (; c.changes < log.changes.length; c.changes++) c.checked = Math.min(c.checked, (log.changes[c.changes] as number) - 1);
        if (c.checked < log.snapshotIndex) {
          if (log.snapshotIndex > 0) {
            const bad = record(id, log.snapshotIndex, log.snapshotTerm, log.snapshotChain);
            if (bad) return bad;
          }
          c.checked = log.snapshotIndex;
        }
        for (let i = c.checked + 1; i <= last; i++) {
          const bad = record(id, i, log.term(i) as number, log.chain(i) as number);
          if (bad) return bad;
        }
        c.checked = last;
      }
      return undefined;
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
  const termCommittedIn: number[] = [];
  let maxCommitted = 0;
  const commitCursor: ({ node: RaftNode; seen: number } | undefined)[] = [];
  const leaderCursor: ({ node: RaftNode; term: number; checked: number } | undefined)[] = [];
  const checkLeader = (k: number): string | undefined => {
    const r = probe.node(k);
    if (r === undefined || r.role !== 'leader') return undefined;
    let l = leaderCursor[k];
    if (l === undefined || l.node !== r || l.term !== r.currentTerm) leaderCursor[k] = l = { node: r, term: r.currentTerm, checked: r.log.snapshotIndex };
    // Every entry committed in an earlier term must be in this leader's log.
    while (l.checked < maxCommitted && (termCommittedIn[l.checked + 1] as number) < l.term) {
      const i = ++l.checked;
      const known = chainAt[i];
      if (known === undefined) continue;
      const mine = r.log.chain(i);
      if (mine !== known) {
        return `leader ${probe.servers[k]} of term ${r.currentTerm} lacks entry ${i}, committed in term ${termCommittedIn[i]} (its log ${mine === undefined ? 'ends at ' + r.log.lastIndex() : 'has another entry there'})`;
      }
    }
    return undefined;
  };
  return {
    name: 'leader-completeness',
    description: 'a committed entry is in the log of every leader of a later term (Figure 3)',
    when: 'always',
    check(view) {
      const touched = probe.touched(view);
      const before = maxCommitted;
      for (const k of touched) {
        const r = probe.node(k);
        if (r === undefined) continue;
        const id = probe.servers[k] as NodeId;
        let c = commitCursor[k];
        if (c === undefined || c.node !== r) commitCursor[k] = c = { node: r, seen: 0 };
        if (r.commitIndex <= c.seen) continue;
        for (let i = Math.max(c.seen + 1, r.log.snapshotIndex); i <= r.commitIndex; i++) {
          const chain = r.log.chain(i);
          if (chain === undefined) continue;
          if (i > maxCommitted) {
            for (let j = maxCommitted + 1; j <= i; j++) termCommittedIn[j] = r.currentTerm;
            maxCommitted = i;
          }
          const known = chainAt[i];
          if (known === undefined) chainAt[i] = chain;
          else if (known !== chain) return `entry ${i} was committed with two different histories (${id} holds the second): a committed entry was lost`;
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
  const cursors: ({ node: RaftNode; seen: number } | undefined)[] = [];
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
    check(view) {
      for (const k of probe.touched(view)) {
        const r = probe.node(k);
        if (r === undefined) continue;
        let c = cursors[k];
        if (c === undefined || c.node !== r) cursors[k] = c = { node: r, seen: r.log.snapshotIndex };
        if (r.lastApplied <= c.seen) continue;
        const id = probe.servers[k] as NodeId;
        const log = r.log;
        if (c.seen < log.snapshotIndex && log.snapshotIndex <= r.lastApplied) {
          // Installed a snapshot: its last entry counts as applied.
          const bad = record(id, log.snapshotIndex, log.snapshotTerm);
          if (bad) return bad;
          c.seen = log.snapshotIndex;
        }
        for (let i = c.seen + 1; i <= r.lastApplied; i++) {
          const t = log.term(i);
          if (t === undefined) continue; // compacted in the same step: checked through the snapshot's chain elsewhere
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
  const open = (a: number, b: number): boolean => f.linkOpen(servers[a] as NodeId, servers[b] as NodeId);
  for (let v = 0; v < n; v++) {
    if (!running[v]) continue;
    // Every running server that can reach v (v's ancestors through open links between running servers).
    const inGroup = new Array<boolean>(n).fill(false);
    inGroup[v] = true;
    const stack = [v];
    while (stack.length > 0) {
      const w = stack.pop() as number;
      for (let u = 0; u < n; u++) {
        if (!inGroup[u] && running[u] && open(u, w)) {
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
  /** Whether member k leads with a term no member exceeds. */
  const leadsGroup = (k: number): boolean => {
    const r = probe.node(k);
    if (r === undefined || r.role !== 'leader') return false;
    for (const j of group as number[]) if ((probe.node(j)?.currentTerm ?? 0) > r.currentTerm) return false;
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
          if (r.role !== 'leader' || r.currentTerm !== leaderTerm) leaderK = -1;
        } else if (leaderK >= 0 && r.currentTerm > leaderTerm) leaderK = -1;
        if (leaderK < 0 && r.role === 'leader' && leadsGroup(k)) {
          leaderK = k;
          leaderTerm = r.currentTerm;
        }
      }
      if (leaderK < 0 && touched.length > 1) {
        for (const k of group) {
          if (!leadsGroup(k)) continue;
          leaderK = k;
          leaderTerm = (probe.node(k) as RaftNode).currentTerm;
        }
      }
      if (leaderK >= 0) lastLeader = view.now;
      const from = Math.max(since, lastLeader);
      if (view.now - from > bound) {
        const ids = group.map((k) => probe.servers[k]).join(', ');
        const state = group.map((k) => `${probe.servers[k]} ${probe.node(k)?.role ?? 'down'} of term ${probe.node(k)?.currentTerm ?? '?'}`).join(', ');
        return `${ids} have been up and mutually connected, with no other server able to reach them, since ${since}µs, but none has led them for ${view.now - from}µs (bound ${bound}µs = ${timeouts} election timeouts; now ${state})`;
      }
      return undefined;
    },
  };
}

/** Liveness: once faults stop, some server leads (with a term no other live server exceeds) within `bound`. */
export function leaderElected(probe: ServerProbe, bound: Micros, timeouts: number): Checker {
  let electedAfterQuiesce = false;
  return {
    name: 'leader-elected',
    description: `after the quiesce point a leader is elected within ${timeouts} election timeouts`,
    when: 'always',
    check(view) {
      if (!view.quiesced || electedAfterQuiesce) return undefined;
      let maxTerm = 0;
      let leaderTerm = -1;
      for (const r of probe.at(view)) {
        if (r === undefined) continue;
        maxTerm = Math.max(maxTerm, r.currentTerm);
        if (r.role === 'leader') leaderTerm = Math.max(leaderTerm, r.currentTerm);
      }
      if (leaderTerm === maxTerm) electedAfterQuiesce = true;
      else if (view.now > (view.quiescedAt as number) + bound) return `no leader ${bound}µs (${timeouts} election timeouts) after the quiesce point`;
      return undefined;
    },
  };
}

/** Liveness: once faults stop, every client operation completes within `bound` (checked at the end of the run). */
export function operationsComplete(bound: Micros): Checker {
  return {
    name: 'ops-complete',
    description: 'after the quiesce point every pending client operation completes',
    when: 'final',
    check(view) {
      if (!view.quiesced) return undefined;
      const q = view.quiescedAt as number;
      const open = new Map<number, { t: Micros; process: string; f: string; key?: string }>();
      for (const ev of view.history) {
        if (ev.type === 'invoke') open.set(ev.op, { t: ev.t, process: ev.process, f: ev.f, ...(ev.key !== undefined ? { key: ev.key } : {}) });
        else open.delete(ev.op);
      }
      for (const [op, o] of open) {
        if (view.now - Math.max(o.t, q) > bound) return `operation ${op} (${o.process} ${o.f} ${o.key ?? ''}) invoked at ${o.t}µs never completed, ${view.now - Math.max(o.t, q)}µs after faults stopped`;
      }
      return undefined;
    },
  };
}
