// The safety properties of Figure 3 of the Raft paper, checked after every
// event, plus liveness after the scenario's quiesce point. Each checker looks
// inside the live servers (white-box, read-only) and remembers what it already
// checked, so the cost per event is O(servers) plus O(1) per new log entry.
// Logs are compared through their chain digests (log.ts): equal chains at an
// index mean equal prefixes up to it.

import type { Checker, Micros, NodeId, SimView } from '../../engine/types.ts';
import type { RaftNode } from './node.ts';
import type { RaftServer } from './server.ts';

/** The servers a run checks, and a way to read their live Raft nodes. */
export class ServerProbe {
  private readonly nodes: (RaftNode | undefined)[];
  constructor(readonly servers: readonly NodeId[]) {
    this.nodes = servers.map(() => undefined);
  }
  /** Node k (in `servers` order), or undefined while it is down. The array is reused: read it before the next call. */
  at(view: SimView): readonly (RaftNode | undefined)[] {
    for (let i = 0; i < this.servers.length; i++) this.nodes[i] = view.behaviour<RaftServer>(this.servers[i] as NodeId)?.raft;
    return this.nodes;
  }
}

/** Election Safety: at most one leader can be elected in a given term (section 5.2). */
export function electionSafety(probe: ServerProbe): Checker {
  const leaders = new Map<number, NodeId>();
  return {
    name: 'election-safety',
    description: 'at most one leader is elected in a given term (Figure 3)',
    when: 'always',
    check(view) {
      const rs = probe.at(view);
      for (let k = 0; k < rs.length; k++) {
        const id = probe.servers[k] as NodeId;
        const r = rs[k];
        if (r === undefined || r.role !== 'leader') continue;
        const prev = leaders.get(r.currentTerm);
        if (prev === undefined) leaders.set(r.currentTerm, id);
        else if (prev !== id) return `${prev} and ${id} were both elected leader of term ${r.currentTerm}`;
      }
      return undefined;
    },
  };
}

/** Leader Append-Only: a leader never overwrites or deletes entries in its log; it only appends (section 5.3). */
export function leaderAppendOnly(probe: ServerProbe): Checker {
  const seen = new Map<NodeId, { node: RaftNode; term: number; changes: number; last: number }>();
  return {
    name: 'leader-append-only',
    description: 'a leader never overwrites or deletes entries in its log (Figure 3)',
    when: 'always',
    check(view) {
      const rs = probe.at(view);
      for (let k = 0; k < rs.length; k++) {
        const id = probe.servers[k] as NodeId;
        const r = rs[k];
        if (r === undefined || r.role !== 'leader') {
          seen.delete(id);
          continue;
        }
        const s = seen.get(id);
        const changes = r.log.changes.length;
        const last = r.log.lastIndex();
        if (s !== undefined && s.node === r && s.term === r.currentTerm) {
          if (changes !== s.changes) return `leader ${id} of term ${r.currentTerm} removed or overwrote its log from index ${r.log.changes[s.changes]}`;
          if (last < s.last) return `leader ${id} of term ${r.currentTerm} shortened its log from ${s.last} to ${last} entries`;
        }
        seen.set(id, { node: r, term: r.currentTerm, changes, last });
      }
      return undefined;
    },
  };
}

/**
 * The incremental progress an "always" checker keeps per server, started
 * afresh when the server restarted (a new RaftNode instance) or when `stale`
 * says the old progress no longer applies.
 */
function cursorOf<C extends { node: RaftNode }>(cursors: Map<NodeId, C>, id: NodeId, r: RaftNode, fresh: () => C, stale?: (c: C) => boolean): C {
  let c = cursors.get(id);
  if (c === undefined || c.node !== r || stale?.(c) === true) {
    c = fresh();
    cursors.set(id, c);
  }
  return c;
}

/** Log Matching: if two logs contain an entry with the same index and term, the logs are identical up through it (section 5.3). */
export function logMatching(probe: ServerProbe): Checker {
  /** index -> term -> the chain digest at that entry and who first had it. */
  const known = new Map<number, Map<number, { chain: number; node: NodeId }>>();
  const cursors = new Map<NodeId, { node: RaftNode; checked: number; changes: number }>();
  const record = (id: NodeId, index: number, term: number, chain: number): string | undefined => {
    let byTerm = known.get(index);
    if (byTerm === undefined) known.set(index, (byTerm = new Map()));
    const k = byTerm.get(term);
    if (k === undefined) byTerm.set(term, { chain, node: id });
    else if (k.chain !== chain) {
      const who = k.node === id ? `${id} held entry ${index} of term ${term} before and holds it again now` : `${k.node} and ${id} both hold entry ${index} of term ${term}`;
      return `${who}, but the logs before it differ`;
    }
    return undefined;
  };
  return {
    name: 'log-matching',
    description: 'two logs with an entry of the same index and term are identical up through it (Figure 3)',
    when: 'always',
    check(view) {
      const rs = probe.at(view);
      for (let k = 0; k < rs.length; k++) {
        const id = probe.servers[k] as NodeId;
        const r = rs[k];
        if (r === undefined) continue;
        const log = r.log;
        const c = cursorOf(cursors, id, r, () => ({ node: r, checked: -1, changes: log.changes.length }));
        for (; c.changes < log.changes.length; c.changes++) c.checked = Math.min(c.checked, (log.changes[c.changes] as number) - 1);
        if (c.checked < log.snapshotIndex) {
          if (log.snapshotIndex > 0) {
            const bad = record(id, log.snapshotIndex, log.snapshotTerm, log.snapshotChain);
            if (bad) return bad;
          }
          c.checked = log.snapshotIndex;
        }
        const last = log.lastIndex();
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
 * first covered it.
 */
export function leaderCompleteness(probe: ServerProbe): Checker {
  const chainAt: number[] = [];
  const termCommittedIn: number[] = [];
  let maxCommitted = 0;
  const commitCursor = new Map<NodeId, { node: RaftNode; seen: number }>();
  const leaderCursor = new Map<NodeId, { node: RaftNode; term: number; checked: number }>();
  return {
    name: 'leader-completeness',
    description: 'a committed entry is in the log of every leader of a later term (Figure 3)',
    when: 'always',
    check(view) {
      const rs = probe.at(view);
      for (let k = 0; k < rs.length; k++) {
        const id = probe.servers[k] as NodeId;
        const r = rs[k];
        if (r === undefined) continue;
        const c = cursorOf(commitCursor, id, r, () => ({ node: r, seen: 0 }));
        if (r.commitIndex <= c.seen) continue;
        for (let i = Math.max(c.seen + 1, r.log.snapshotIndex); i <= r.commitIndex; i++) {
          const chain = r.log.chain(i);
          if (chain === undefined) continue;
          if (i > maxCommitted) {
            for (let k = maxCommitted + 1; k <= i; k++) termCommittedIn[k] = r.currentTerm;
            maxCommitted = i;
          }
          const known = chainAt[i];
          if (known === undefined) chainAt[i] = chain;
          else if (known !== chain) return `entry ${i} was committed with two different histories (${id} holds the second): a committed entry was lost`;
        }
        c.seen = r.commitIndex;
      }
      for (let k = 0; k < rs.length; k++) {
        const id = probe.servers[k] as NodeId;
        const r = rs[k];
        if (r === undefined || r.role !== 'leader') continue;
        const l = cursorOf(leaderCursor, id, r, () => ({ node: r, term: r.currentTerm, checked: r.log.snapshotIndex }), (x) => x.term !== r.currentTerm);
        // Every entry committed in an earlier term must be in this leader's log.
        while (l.checked < maxCommitted && (termCommittedIn[l.checked + 1] as number) < l.term) {
          const i = ++l.checked;
          const known = chainAt[i];
          if (known === undefined) continue;
          const mine = r.log.chain(i);
          if (mine !== known) {
            return `leader ${id} of term ${r.currentTerm} lacks entry ${i}, committed in term ${termCommittedIn[i]} (its log ${mine === undefined ? 'ends at ' + r.log.lastIndex() : 'has another entry there'})`;
          }
        }
      }
      return undefined;
    },
  };
}

/** State Machine Safety: no two servers apply different entries at the same index (section 5.4.3). */
export function stateMachineSafety(probe: ServerProbe): Checker {
  const appliedTerm: number[] = [];
  const appliedBy: NodeId[] = [];
  const cursors = new Map<NodeId, { node: RaftNode; seen: number }>();
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
      const rs = probe.at(view);
      for (let k = 0; k < rs.length; k++) {
        const id = probe.servers[k] as NodeId;
        const r = rs[k];
        if (r === undefined) continue;
        const c = cursorOf(cursors, id, r, () => ({ node: r, seen: r.log.snapshotIndex }));
        if (r.lastApplied <= c.seen) continue;
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
