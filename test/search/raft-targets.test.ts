// Raft's protocol-side search hooks (issue 11): the roles added for deep windows resolve to the
// right server on a given cluster state, the triggers fire once per occurrence, and the abstract
// state names the window parts (oldm / old1, t<k>, iso). Views are built by hand from published
// states, as the engine builds them from what servers publish.

import { describe, expect, it } from 'vitest';
import type { JsonValue, NodeId, SimView, TraceEvent } from '../../sim/engine/types.ts';
import { raftAbstractState } from '../../sim/protocols/raft/coverage.ts';
import type { RaftServerState } from '../../sim/protocols/raft/state.ts';
import { raftRoles, raftTriggers } from '../../sim/protocols/raft/targets.ts';

function server(role: RaftServerState['role'], term: number, terms: number[], extra: Partial<RaftServerState> = {}): RaftServerState {
  const lastIndex = terms.length;
  return {
    role, term, votedFor: null, leader: null, commitIndex: 0, lastApplied: 0, snapshotIndex: 0, logStart: 1,
    log: terms.map((t) => ({ term: t, cmd: 'x' })), lastIndex, snapshotTerm: 0, logFrom: lastIndex + 1, entries: [], ...extra,
  };
}

/** A view of servers n1..nk; `down` are crashed; `cut` pairs cannot exchange messages; `paused` are paused (up). */
function view(states: Record<NodeId, RaftServerState>, down: NodeId[] = [], cut: [NodeId, NodeId][] = [], paused: NodeId[] = []): SimView {
  const ids = Object.keys(states);
  const isCut = (a: NodeId, b: NodeId): boolean => cut.some(([x, y]) => (x === a && y === b) || (x === b && y === a));
  return {
    nodeIds: ids,
    role: () => 'server',
    isUp: (id: NodeId) => !down.includes(id),
    isPaused: (id: NodeId) => paused.includes(id),
    published: (id: NodeId) => states[id] as unknown as JsonValue,
    faults: { connected: (a: NodeId, b: NodeId) => !down.includes(a) && !down.includes(b) && !isCut(a, b) },
  } as unknown as SimView;
}

const resolve = (role: string, v: SimView): NodeId[] => raftRoles[role]!.resolve(v);

describe('raft roles for deep windows', () => {
  it('@uncommitted-holder: servers holding an older-term entry above the newest leader\'s commit index', () => {
    const v = view({
      n1: server('leader', 3, [1, 2, 3], { commitIndex: 1 }),
      n2: server('follower', 3, [1, 2]),
      n3: server('follower', 3, [1]),
    });
    expect(resolve('uncommitted-holder', v)).toEqual(['n1', 'n2']);
    // Committed past the leftover: nobody holds one.
    const w = view({ n1: server('leader', 3, [1, 2, 3], { commitIndex: 3 }), n2: server('follower', 3, [1, 2]) });
    expect(resolve('uncommitted-holder', w)).toEqual([]);
  });

  it('@voter: a follower whose vote in its term went to a live candidate of that term', () => {
    const v = view({
      n1: server('candidate', 2, [1], { votedFor: 'n1' }),
      n2: server('follower', 2, [1], { votedFor: 'n1' }),
      n3: server('follower', 1, [1], { votedFor: 'n1' }), // an older term's vote
    });
    expect(resolve('voter', v)).toEqual(['n2']);
    expect(resolve('voter', view({ n1: server('candidate', 2, [1], { votedFor: 'n1' }), n2: server('follower', 2, [1], { votedFor: 'n1' }) }, ['n1']))).toEqual([]);
  });

  it('@higher-term: the highest-term server with a shorter log than a lower-term one (down servers ignored)', () => {
    const v = view({ n1: server('follower', 5, []), n2: server('follower', 1, [1, 1]), n3: server('follower', 5, [1, 1]) });
    expect(resolve('higher-term', v)).toEqual(['n1']);
    expect(resolve('higher-term', view({ n1: server('follower', 5, []), n2: server('follower', 1, [1, 1]) }, ['n2']))).toEqual([]);
  });

  it('@lower-term: up servers below the highest term among up servers (a down server\'s term does not count)', () => {
    const v = view({ n1: server('follower', 5, []), n2: server('follower', 1, [1, 1]), n3: server('follower', 3, [1, 1]) });
    expect(resolve('lower-term', v)).toEqual(['n2', 'n3']);
    expect(resolve('lower-term', view({ n1: server('follower', 5, []), n2: server('follower', 1, [1, 1]), n3: server('follower', 1, [1]) }, ['n1']))).toEqual([]);
  });

  it('@isolated-leader: a leader cut off from a majority, at the moment of resolution', () => {
    const states = { n1: server('leader', 2, [1, 2]), n2: server('leader', 3, [1, 3]), n3: server('follower', 3, [1, 3]) };
    expect(resolve('isolated-leader', view(states, [], [['n1', 'n2'], ['n1', 'n3']]))).toEqual(['n1']);
    expect(resolve('isolated-leader', view(states))).toEqual([]);
  });
});

describe('raft triggers for deep windows fire once per occurrence', () => {
  /** Feed state events in order (each with the node's previous state) and list the nodes a trigger matched at. */
  function fires(trigger: string, steps: [NodeId, RaftServerState][]): NodeId[] {
    const prev = new Map<NodeId, RaftServerState>();
    const out: NodeId[] = [];
    steps.forEach(([node, s], i) => {
      const ev: TraceEvent = { seq: i, t: i, type: 'state', node, state: s as unknown as JsonValue };
      const hit = raftTriggers[trigger]!.match(ev, view({}), prev.get(node) as unknown as JsonValue | undefined);
      if (hit !== undefined) out.push(hit);
      prev.set(node, s);
    });
    return out;
  }

  it('term-bumped: once per increase of a server\'s term, not on other changes', () => {
    expect(fires('term-bumped', [['n1', server('follower', 1, [])], ['n1', server('candidate', 2, [])], ['n1', server('leader', 2, [2])], ['n2', server('follower', 1, [])], ['n2', server('follower', 3, [])]])).toEqual(['n1', 'n2']);
  });

  it('log-truncated: a shorter log or a rewritten entry, not an append nor a restart republishing the same log', () => {
    const a = server('follower', 2, [1, 1, 1]);
    const shorter = server('follower', 2, [1], { logFrom: 2, entries: [] });
    const rewritten = server('follower', 3, [1, 3], { logFrom: 2, entries: [3] });
    const appended = server('follower', 3, [1, 3, 3], { logFrom: 3, entries: [3] });
    const restart = server('follower', 3, [1, 3, 3], { logFrom: 1, entries: [1, 3, 3] });
    expect(fires('log-truncated', [['n1', a], ['n1', shorter], ['n1', rewritten], ['n1', appended], ['n1', restart]])).toEqual(['n1']);
    expect(fires('log-truncated', [['n1', server('follower', 2, [1, 1])], ['n1', server('follower', 3, [1, 3], { logFrom: 2, entries: [3] })]])).toEqual(['n1']);
  });

  it('vote-rejected: every refused RequestVote or PreVote reply, at its sender; grants do not count', () => {
    const send = (granted: boolean, pre: boolean, from: NodeId): TraceEvent =>
      ({ seq: 0, t: 0, type: 'send', from, to: 'n9', msg: { type: 'vote-resp', term: 2, granted, pre } }) as unknown as TraceEvent;
    const m = raftTriggers['vote-rejected']!.match;
    const hits = [send(false, false, 'n1'), send(true, false, 'n2'), send(false, true, 'n3'), send(true, true, 'n4')].map((e) => m(e, view({}), undefined));
    expect(hits).toEqual(['n1', undefined, 'n3', undefined]);
  });
});

describe('campaign-started and leader-read', () => {
  const send = (from: NodeId, to: NodeId, msg: Record<string, JsonValue>): TraceEvent => ({ seq: 0, t: 0, type: 'send', from, to, msg }) as unknown as TraceEvent;

  it('campaign-started: every RequestVote or PreVote request, at its sender; replies and other messages do not count', () => {
    const m = raftTriggers['campaign-started']!.match;
    const req = (from: NodeId, pre: boolean): TraceEvent => send(from, 'n9', { type: 'vote-req', term: 2, candidate: from, lastLogIndex: 0, lastLogTerm: 0, pre });
    const hits = [req('n1', true), req('n2', false), send('n3', 'n1', { type: 'vote-resp', term: 2, granted: true, pre: true }), send('n4', 'n1', { type: 'append-req', term: 2 })].map((e) => m(e, view({}), undefined));
    expect(hits).toEqual(['n1', 'n2', undefined, undefined]);
  });

  it('leader-read: a client\'s read sent to a server that leads now, at that server; writes, followers and down servers do not count', () => {
    const m = raftTriggers['leader-read']!.match;
    const v = view({ n1: server('leader', 2, [1]), n2: server('follower', 2, [1]), n3: server('leader', 1, [1]) }, ['n3']);
    const get = (to: NodeId): TraceEvent => send('c1', to, { type: 'client-req', client: 'c1', seq: 1, op: { f: 'get', key: 'k0' } });
    const put: TraceEvent = send('c1', 'n1', { type: 'client-req', client: 'c1', seq: 2, op: { f: 'put', key: 'k0', value: 'x' } });
    expect([get('n1'), get('n2'), get('n3'), put].map((e) => m(e, v, undefined))).toEqual(['n1', undefined, undefined, undefined]);
  });
});

describe('split-vote-granted', () => {
  const grant = (from: NodeId, to: NodeId, term: number, pre = false): TraceEvent =>
    ({ seq: 0, t: 0, type: 'send', from, to, msg: { type: 'vote-resp', term, granted: true, pre } }) as unknown as TraceEvent;
  const m = raftTriggers['split-vote-granted']!.match;

  it('fires at the voter for each grant while another up server campaigns in that term, and only then', () => {
    const split = view({ n1: server('candidate', 2, [1], { votedFor: 'n1' }), n2: server('candidate', 2, [1], { votedFor: 'n2' }), n3: server('follower', 2, [1], { votedFor: 'n1' }) });
    // n3 grants n1 while n2 campaigns in term 2: one occurrence per grant sent.
    expect([grant('n3', 'n1', 2), grant('n3', 'n1', 2)].map((e) => m(e, split, undefined))).toEqual(['n3', 'n3']);
    // A PreVote grant, a grant of another term, or a rival that is down: no occurrence.
    expect(m(grant('n3', 'n1', 2, true), split, undefined)).toBeUndefined();
    expect(m(grant('n3', 'n1', 3), split, undefined)).toBeUndefined();
    const rivalDown = view({ n1: server('candidate', 2, [1]), n2: server('candidate', 2, [1]), n3: server('follower', 2, [1]) }, ['n2']);
    expect(m(grant('n3', 'n1', 2), rivalDown, undefined)).toBeUndefined();
    // One candidate only: a plain vote, not a split one.
    const single = view({ n1: server('candidate', 2, [1]), n2: server('follower', 2, [1]), n3: server('follower', 2, [1]) });
    expect(m(grant('n3', 'n1', 2), single, undefined)).toBeUndefined();
  });
});

describe('raft abstract state window parts', () => {
  it('oldm / old1: an older-term uncommitted entry of the leader on a minority, then on a majority', () => {
    const minority = raftAbstractState(view({ n1: server('leader', 3, [1, 2, 3], { commitIndex: 1 }), n2: server('follower', 3, [1]), n3: server('follower', 3, [1]) }));
    expect(minority.split(' ')).toContain('oldm');
    const majority = raftAbstractState(view({ n1: server('leader', 3, [1, 2, 3], { commitIndex: 1 }), n2: server('follower', 3, [1, 2]), n3: server('follower', 3, [1]) }));
    expect(majority.split(' ')).toContain('old1');
    expect(raftAbstractState(view({ n1: server('leader', 3, [3], { commitIndex: 0 }), n2: server('follower', 3, []) })).split(' ')).toContain('old0');
  });

  it('t<k>: distinct terms in the longest log, bucketed at 3+', () => {
    const parts = (terms: number[]): string[] => raftAbstractState(view({ n1: server('follower', 9, terms), n2: server('follower', 9, []) })).split(' ');
    expect(parts([])).toContain('t0');
    expect(parts([1, 1])).toContain('t1');
    expect(parts([1, 2, 2])).toContain('t2');
    expect(parts([1, 2, 4, 5])).toContain('t3+');
  });

  it('iso: a live leader cut off from a majority; not while it reaches one', () => {
    const states = { n1: server('leader', 2, [2]), n2: server('follower', 2, [2]), n3: server('follower', 2, [2]) };
    expect(raftAbstractState(view(states, [], [['n1', 'n2'], ['n1', 'n3']])).split(' ')).toContain('iso');
    expect(raftAbstractState(view(states, [], [['n1', 'n2']])).split(' ')).not.toContain('iso');
  });

  it('held: a paused server behind the term of a live leader or candidate; not when it is not behind, not paused, or the newer one is paused too', () => {
    const held = (states: Record<NodeId, RaftServerState>, paused: NodeId[], down: NodeId[] = []): boolean => raftAbstractState(view(states, down, [], paused)).split(' ').includes('held');
    const behindLeader = { n1: server('leader', 3, [1, 3]), n2: server('follower', 2, [1]), n3: server('follower', 3, [1, 3]) };
    expect(held(behindLeader, ['n2'])).toBe(true);
    expect(held({ ...behindLeader, n1: server('candidate', 3, [1]) }, ['n2'])).toBe(true);
    expect(held(behindLeader, [])).toBe(false);
    expect(held(behindLeader, ['n3'])).toBe(false);
    expect(held(behindLeader, ['n1', 'n2'])).toBe(false);
    expect(held(behindLeader, ['n2'], ['n1'])).toBe(false);
    expect(held({ ...behindLeader, n1: server('follower', 3, [1, 3]) }, ['n2'])).toBe(false);
  });
});
