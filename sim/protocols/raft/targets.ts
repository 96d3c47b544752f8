// Raft's roles and triggers for targeted faults (`node: '@leader'`,
// `on: { event: 'leader-appended' }`), read from what servers publish
// (RaftServerState) and from the trace's messages, never from live instances.
// A crashed server holds no role (its last published state is stale).

import type { JsonValue, NodeId, SimView, TraceEvent } from '../../engine/types.ts';
import type { RoleDefinition, TriggerDefinition } from '../../api/protocol.ts';
import type { RaftServerState } from './state.ts';
import { kvService } from './kv.ts';
import { lockService } from './lock-service.ts';

/** The built-in state machines whose read-only operations `leader-read` recognises. */
const READ_ONLY = [kvService, lockService];

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
  'uncommitted-holder': {
    description: 'an up server holding an entry, above the newest leader\'s commit index, of a term older than that leader\'s (a leftover Figure 8 strands or commits); without a leader, a server whose last entry is of a term below its current term',
    resolve: (view) => {
      const all = upServers(view);
      const leaders = all.filter((x) => x.s.role === 'leader');
      if (leaders.length === 0) return all.filter((x) => x.s.log.length > 0 && (x.s.log.at(-1) as { term: number }).term < x.s.term).map((x) => x.id);
      const top = leaders.reduce((a, b) => (b.s.term > a.s.term ? b : a)).s;
      return all
        .filter((x) => {
          for (let i = Math.max(top.commitIndex + 1, x.s.logStart); i <= lastIndex(x.s); i++) {
            const e = x.s.log[i - x.s.logStart];
            if (e && e.term < top.term) return true;
          }
          return false;
        })
        .map((x) => x.id);
    },
  },
  voter: {
    description: 'an up follower that voted, in its current term, for another server that is up and still a candidate of that term (a window for vote durability: crash it before that candidate wins)',
    resolve: (view) => {
      const all = upServers(view);
      return all
        .filter((x) => x.s.role === 'follower' && x.s.votedFor !== null && all.some((c) => c.id === x.s.votedFor && c.s.role === 'candidate' && c.s.term === x.s.term))
        .map((x) => x.id);
    },
  },
  'higher-term': {
    description: 'an up server of the highest term whose log is shorter than that of some up server of a lower term (the stale-log, higher-term server that PreVote and elections must cope with)',
    resolve: (view) => {
      const all = upServers(view);
      const top = Math.max(...all.map((x) => x.s.term));
      const lowLog = Math.max(...all.filter((x) => x.s.term < top).map((x) => lastIndex(x.s)));
      return all.filter((x) => x.s.term === top && lastIndex(x.s) < lowLog).map((x) => x.id);
    },
  },
  'isolated-leader': {
    description: 'an up server that believes it leads but cannot exchange messages with a majority of the servers, itself counted (a deposed leader that may still serve)',
    resolve: (view) => {
      const servers = view.nodeIds.filter((id) => view.role(id) === 'server');
      const majority = Math.floor(servers.length / 2) + 1;
      return upServers(view)
        .filter((x) => x.s.role === 'leader' && servers.filter((o) => o === x.id || view.faults.connected(x.id, o)).length < majority)
        .map((x) => x.id);
    },
  },
  'lower-term': {
    description: 'an up server whose term is below the highest term among up servers (one that has still to learn the newest term: cut it off and the higher-term servers must make progress without it, or with it only)',
    resolve: (view) => {
      const all = upServers(view);
      const top = Math.max(...all.map((x) => x.s.term));
      return all.filter((x) => x.s.term < top).map((x) => x.id);
    },
  },
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
    observes: ['state'],
    match: onChange((s, p) => s.role === 'leader' && (p === undefined || p.role !== 'leader' || p.term !== s.term)),
  },
  'became-candidate': {
    description: 'a server starts an election (its election timeout elapsed)',
    observes: ['state'],
    match: onChange((s, p) => s.role === 'candidate' && (p === undefined || p.role !== 'candidate' || p.term !== s.term)),
  },
  'stepped-down': {
    description: 'a leader stops leading (it saw a higher term, or lost its quorum)',
    observes: ['state'],
    match: onChange((s, p) => p !== undefined && p.role === 'leader' && (s.role !== 'leader' || s.term !== p.term)),
  },
  'leader-appended': {
    description: 'a leader appends entries to its own log (a client command or its no-op)',
    observes: ['state'],
    match: onChange((s, p) => s.role === 'leader' && p !== undefined && p.role === 'leader' && p.term === s.term && lastIndex(s) > lastIndex(p)),
  },
  'follower-appended': {
    description: 'a follower accepts new entries from its leader (AppendEntries)',
    observes: ['state'],
    match: onChange((s, p) => s.role === 'follower' && p !== undefined && lastIndex(s) > lastIndex(p)),
  },
  'vote-granted': {
    description: 'a server grants its vote to a candidate (RequestVote reply, not a PreVote)',
    observes: ['send'],
    match: sent('vote-resp', (m) => m.granted === true && m.pre !== true),
  },
  'split-vote-granted': {
    description: 'a server grants its vote to a candidate while another up server campaigns in the same term (a split vote: the other candidate\'s RequestVote is on its way or will be retried)',
    observes: ['send'],
    match: (ev, view) => {
      if (ev.type !== 'send') return undefined;
      const m = ev.msg as Record<string, JsonValue>;
      if (m.type !== 'vote-resp' || m.granted !== true || m.pre === true) return undefined;
      const rival = upServers(view).some((x) => x.id !== ev.to && x.id !== ev.from && x.s.role === 'candidate' && x.s.term === m.term);
      return rival ? ev.from : undefined;
    },
  },
  'campaign-started': {
    description: 'a server asks for votes: it sends a RequestVote or a PreVote request (thesis section 9.6), the first moment of a campaign, before any reply',
    observes: ['send'],
    match: sent('vote-req', () => true),
  },
  'leader-read': {
    description: 'a client sends a read-only request (a kv get; any read-only operation of a built-in service) to a server that believes it leads: the moment to cut that leader off from the majority while its clients still reach it (section 8: a deposed leader must not answer reads alone)',
    observes: ['send'],
    match: (ev, view) => {
      if (ev.type !== 'send') return undefined;
      const m = ev.msg as Record<string, JsonValue>;
      if (m.type !== 'client-req' || !READ_ONLY.some((d) => d.readOnly?.(m.op as JsonValue) === true)) return undefined;
      return serverState(view, ev.to)?.role === 'leader' ? ev.to : undefined;
    },
  },
  'leader-committed': {
    description: 'a leader advances its commit index (an entry is committed)',
    observes: ['state'],
    match: onChange((s, p) => s.role === 'leader' && p !== undefined && s.commitIndex > p.commitIndex),
  },
  'term-bumped': {
    description: 'a server adopts a higher term (its own election, or a higher term it heard of)',
    observes: ['state'],
    match: onChange((s, p) => p !== undefined && s.term > p.term),
  },
  'log-truncated': {
    description: 'a server drops or rewrites entries of its log after its commit index (a conflicting suffix goes, section 5.3)',
    observes: ['state'],
    match: onChange((s, p) => {
      if (p === undefined || s.snapshotIndex !== p.snapshotIndex) return false;
      if (s.lastIndex < p.lastIndex) return true;
      // An entry rewritten with another term (a restart republishes the same terms: not a truncation).
      const before = p.log[s.logFrom - p.logStart];
      return s.logFrom <= p.lastIndex && s.entries.length > 0 && before !== undefined && before.term !== s.entries[0];
    }),
  },
  'vote-rejected': {
    description: 'a server refuses a candidate its vote or a PreVote (a lower term, a vote already given, a less up-to-date log; for a PreVote also a live leader, thesis section 9.6)',
    observes: ['send'],
    match: sent('vote-resp', (m) => m.granted === false),
  },
  'snapshot-taken': {
    description: 'a server compacts its log into a snapshot (or installs one)',
    observes: ['state'],
    match: onChange((s, p) => p !== undefined && s.snapshotIndex > p.snapshotIndex),
  },
};

/** What protocol.ts spreads into its definition. */
export const raftTargets = { roles: raftRoles, triggers: raftTriggers };
