// Raft's roles and triggers for targeted faults (`node: '@leader'`,
// `on: { event: 'leader-appended' }`), read from what servers publish
// (RaftServerState) and from the trace's messages, never from live instances.
// A crashed server holds no role (its last published state is stale).

import type { JsonValue, NodeId, SimView, TraceEvent } from '../../engine/types.ts';
import type { RoleDefinition, TriggerDefinition } from '../../api/protocol.ts';
import type { RaftServerState } from './state.ts';

function serverState(view: SimView, id: NodeId): RaftServerState | undefined {
  if (view.role(id) !== 'server' || !view.isUp(id)) return undefined;
  return view.published(id) as unknown as RaftServerState | undefined;
}

/** Index of the last log entry (0 for an empty log): the published tail ends there. */
export function lastIndex(s: RaftServerState): number {
  return s.log.length > 0 ? s.logStart + s.log.length - 1 : Math.max(s.snapshotIndex, s.logStart - 1);
}

function upServers(view: SimView): { id: NodeId; s: RaftServerState }[] {
  const out: { id: NodeId; s: RaftServerState }[] = [];
  for (const id of view.nodeIds) {
    const s = serverState(view, id);
    if (s !== undefined) out.push({ id, s });
  }
  return out;
}

function withRole(role: RaftServerState['role']): (view: SimView) => NodeId[] {
  return (view) => upServers(view).filter((x) => x.s.role === role).map((x) => x.id);
}

function extreme(pick: (a: number, b: number) => number): (view: SimView) => NodeId[] {
  return (view) => {
    const all = upServers(view);
    if (all.length === 0) return [];
    const best = all.map((x) => lastIndex(x.s)).reduce((a, b) => pick(a, b));
    return all.filter((x) => lastIndex(x.s) === best).map((x) => x.id);
  };
}

export const raftRoles: Record<string, RoleDefinition> = {
  leader: {
    description: 'the leader of the highest term among up servers that believe they lead',
    resolve: (view) => {
      const leaders = upServers(view).filter((x) => x.s.role === 'leader');
      const top = Math.max(...leaders.map((x) => x.s.term));
      return leaders.filter((x) => x.s.term === top).map((x) => x.id);
    },
  },
  'stale-leader': {
    description: 'an up server that still believes it leads a term older than the newest leader\'s (deposed, not yet told)',
    resolve: (view) => {
      const leaders = upServers(view).filter((x) => x.s.role === 'leader');
      const top = Math.max(...leaders.map((x) => x.s.term));
      return leaders.filter((x) => x.s.term < top).map((x) => x.id);
    },
  },
  follower: { description: 'an up server in the follower role', resolve: withRole('follower') },
  candidate: { description: 'an up server campaigning (candidate role)', resolve: withRole('candidate') },
  'longest-log': { description: 'an up server with the most log entries (highest last index)', resolve: extreme(Math.max) },
  lagging: { description: 'an up server with the fewest log entries (lowest last index)', resolve: extreme(Math.min) },
};

/** A `state` event of a server: its new and previous published state. */
function change(ev: TraceEvent, prev: JsonValue | undefined): { node: NodeId; s: RaftServerState; p: RaftServerState | undefined } | undefined {
  if (ev.type !== 'state') return undefined;
  const s = ev.state as unknown as RaftServerState;
  if (typeof s !== 'object' || s === null || !('role' in s) || !('log' in s)) return undefined;
  return { node: ev.node, s, p: prev as unknown as RaftServerState | undefined };
}

function onChange(test: (s: RaftServerState, p: RaftServerState | undefined) => boolean): TriggerDefinition['match'] {
  return (ev, _view, prev) => {
    const c = change(ev, prev);
    return c !== undefined && test(c.s, c.p) ? c.node : undefined;
  };
}

/** A message a server sends, by type. */
function sent(type: string, test: (msg: Record<string, JsonValue>) => boolean): TriggerDefinition['match'] {
  return (ev) => {
    if (ev.type !== 'send') return undefined;
    const m = ev.msg as Record<string, JsonValue>;
    return m.type === type && test(m) ? ev.from : undefined;
  };
}

export const raftTriggers: Record<string, TriggerDefinition> = {
  'became-leader': {
    description: 'a server becomes leader of a term (Figure 2, Candidates: votes from a majority)',
    match: onChange((s, p) => s.role === 'leader' && (p === undefined || p.role !== 'leader' || p.term !== s.term)),
  },
  'became-candidate': {
    description: 'a server starts an election (its election timeout elapsed)',
    match: onChange((s, p) => s.role === 'candidate' && (p === undefined || p.role !== 'candidate' || p.term !== s.term)),
  },
  'stepped-down': {
    description: 'a leader stops leading (it saw a higher term, or lost its quorum)',
    match: onChange((s, p) => p !== undefined && p.role === 'leader' && (s.role !== 'leader' || s.term !== p.term)),
  },
  'leader-appended': {
    description: 'a leader appends entries to its own log (a client command or its no-op)',
    match: onChange((s, p) => s.role === 'leader' && p !== undefined && p.role === 'leader' && p.term === s.term && lastIndex(s) > lastIndex(p)),
  },
  'follower-appended': {
    description: 'a follower accepts new entries from its leader (AppendEntries)',
    match: onChange((s, p) => s.role === 'follower' && p !== undefined && lastIndex(s) > lastIndex(p)),
  },
  'vote-granted': {
    description: 'a server grants its vote to a candidate (RequestVote reply, not a PreVote)',
    match: sent('vote-resp', (m) => m.granted === true && m.pre !== true),
  },
  'leader-committed': {
    description: 'a leader advances its commit index (an entry is committed)',
    match: onChange((s, p) => s.role === 'leader' && p !== undefined && s.commitIndex > p.commitIndex),
  },
  'snapshot-taken': {
    description: 'a server compacts its log into a snapshot (or installs one)',
    match: onChange((s, p) => p !== undefined && s.snapshotIndex > p.snapshotIndex),
  },
};

/** What protocol.ts spreads into its definition. */
export const raftTargets = { roles: raftRoles, triggers: raftTriggers };
