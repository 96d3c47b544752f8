// The checkers themselves, on hand-made cluster states: each is shown quiet on
// a correct state and loud on a planted fault. (The planted protocol bugs of
// bugs.test.ts exercise them end to end.)

import { describe, expect, it } from 'vitest';
import { FaultState } from '../../sim/engine/fault-state.ts';
import type { HistoryEvent, SimView } from '../../sim/engine/types.ts';
import { RebuiltLog, ServerProbe, electionSafety, leaderAppendOnly, leaderCompleteness, leaderElected, logMatching, operationsComplete, stateMachineSafety } from '../../sim/protocols/raft/checkers.ts';
import type { RaftNode } from '../../sim/protocols/raft/node.ts';
import type { RaftServerState } from '../../sim/protocols/raft/state.ts';
import { elect, noops, node, terms, withLog } from './harness.ts';

/** What a server running `n` would publish now (with its whole log as the written entries: the checkers take rewrites of equal entries as no change). */
function pub(n: RaftNode): RaftServerState {
  return {
    role: n.role,
    term: n.currentTerm,
    votedFor: n.votedFor,
    leader: n.leaderId,
    commitIndex: n.commitIndex,
    lastApplied: n.lastApplied,
    snapshotIndex: n.log.snapshotIndex,
    logStart: n.log.snapshotIndex + 1,
    log: [],
    lastIndex: n.log.lastIndex(),
    snapshotTerm: n.log.snapshotTerm,
    logFrom: n.log.snapshotIndex + 1,
    entries: terms(n),
  };
}

/** A view of hand-made servers: each is published afresh (a new object) on every call, as after a fault step. */
function view(nodes: Record<string, RaftNode | undefined>, extra: Partial<{ now: number; quiescedAt: number; history: HistoryEvent[] }> = {}): SimView {
  const states = new Map(Object.entries(nodes).flatMap(([id, n]) => (n ? [[id, pub(n)] as const] : [])));
  return {
    now: extra.now ?? 0,
    seq: 0,
    stepsTaken: 0,
    nodeIds: Object.keys(nodes),
    role: () => 'server',
    isUp: (id) => nodes[id] !== undefined,
    isPaused: () => false,
    behaviour: () => {
      throw new Error('raft checkers read published state only');
    },
    published: (id) => states.get(id),
    durable: () => new Map(),
    history: extra.history ?? [],
    quiesced: extra.quiescedAt !== undefined,
    quiescedAt: extra.quiescedAt,
    actor: undefined, // a hand-made state: every server may have changed
    faults: new FaultState(new Map(Object.keys(nodes).map((id, i) => [id, i]))),
    warn: () => {
      throw new Error('these checkers decide every case: they never warn');
    },
  };
}

const probe = () => new ServerProbe(['n1', 'n2', 'n3']);

describe('Figure 3 checkers', () => {
  it('election-safety remembers leaders across crashes: a second leader of term 1 is a violation even after the first is gone', () => {
    const c = electionSafety(probe());
    const a = node('n1');
    elect(a, ['n2']);
    expect(c.check(view({ n1: a }))).toBeUndefined();
    const b = node('n2');
    elect(b, ['n3']);
    expect(c.check(view({ n2: b }))).toBe('n1 and n2 were both elected leader of term 1');
  });

  it('leader-append-only: a leader that loses entries while leading is caught; a new term is a fresh start', () => {
    const c = leaderAppendOnly(probe());
    const a = withLog('n1', 1, [1, 1]);
    elect(a, ['n2']);
    expect(c.check(view({ n1: a }))).toBeUndefined();
    a.propose({ kind: 'noop' });
    expect(c.check(view({ n1: a }))).toBeUndefined(); // appending is fine
    a.log.truncateFrom(3); // planted: the leader deletes entries
    expect(c.check(view({ n1: a }))).toMatch(/leader n1 of term 2 removed or overwrote its log from index 3/);
  });

  it('log-matching: the same (index, term) with different histories before it is caught, also within one server over time', () => {
    const c = logMatching(probe());
    const a = withLog('n1', 3, [1, 1, 3]);
    const b = withLog('n2', 3, [1, 2, 3]);
    expect(c.check(view({ n1: a }))).toBeUndefined();
    expect(c.check(view({ n1: a, n2: b }))).toBe('n1 and n2 both hold entry 3 of term 3, but the logs before it differ');
    const d = logMatching(probe());
    const e = withLog('n1', 3, [1, 1, 3]);
    expect(d.check(view({ n1: e }))).toBeUndefined();
    e.log.overwrite(2, noops([2])[0]!); // planted: overwrite without truncating what follows
    expect(d.check(view({ n1: e }))).toMatch(/n1 held entry 2 of term 2|n1 held entry 3 of term 3/);
  });

  it('leader-completeness: a leader of a later term without a committed entry is caught', () => {
    const c = leaderCompleteness(probe());
    const a = withLog('n1', 1, [1, 1]);
    a.commitIndex = 2; // committed in term 1
    expect(c.check(view({ n1: a }))).toBeUndefined();
    const b = withLog('n2', 1, [1]);
    elect(b, ['n3']); // term 2, without entry 2
    expect(c.check(view({ n1: a, n2: b }))).toMatch(/leader n2 of term 2 lacks entry 2, committed in term 1/);
  });

  it('state-machine-safety: two servers applying different entries at one index are caught', () => {
    const c = stateMachineSafety(probe());
    const a = withLog('n1', 2, [1, 2]);
    a.lastApplied = 2;
    const b = withLog('n2', 3, [1, 3]);
    b.lastApplied = 1;
    expect(c.check(view({ n1: a, n2: b }))).toBeUndefined();
    b.lastApplied = 2;
    expect(c.check(view({ n1: a, n2: b }))).toBe('n1 applied the entry of term 2 at index 2, but n2 applied the entry of term 3 there');
  });
});

describe('liveness checkers', () => {
  it('leader-elected: quiet before the quiesce point and within the bound; reports a cluster without a leader after it', () => {
    const c = leaderElected(probe(), 3000, 10);
    const f = node('n1');
    expect(c.check(view({ n1: f }, { now: 10_000 }))).toBeUndefined(); // not quiesced yet
    expect(c.check(view({ n1: f }, { now: 2000, quiescedAt: 1000 }))).toBeUndefined();
    expect(c.check(view({ n1: f }, { now: 4001, quiescedAt: 1000 }))).toMatch(/no leader 3ms \(10 election timeouts\) after the quiesce point/);
    const ok = leaderElected(probe(), 3000, 10);
    const l = node('n1');
    elect(l, ['n2']);
    expect(ok.check(view({ n1: l }, { now: 2000, quiescedAt: 1000 }))).toBeUndefined();
    expect(ok.check(view({ n1: node('n1') }, { now: 9000, quiescedAt: 1000 }))).toBeUndefined(); // a leader was seen after the quiesce
  });

  it('ops-complete: an operation pending longer than the bound after the quiesce point is reported; one recently invoked is not', () => {
    const c = operationsComplete(1000);
    const history: HistoryEvent[] = [
      { type: 'invoke', t: 100, node: 'c1', op: 0, process: 'c1', f: 'put', key: 'k1', value: 'a' },
      { type: 'return', t: 200, node: 'c1', op: 0, process: 'c1', outcome: 'ok' },
      { type: 'invoke', t: 300, node: 'c1', op: 1, process: 'c1', f: 'get', key: 'k1' },
      { type: 'invoke', t: 4500, node: 'c2', op: 2, process: 'c2', f: 'get', key: 'k2' },
    ];
    expect(c.check(view({}, { now: 5000, history }))).toBeUndefined(); // no quiesce: nothing promised
    expect(c.check(view({}, { now: 5000, quiescedAt: 3000, history }))).toMatch(/^operation 1 \(c1 get k1\) invoked at t=300us never completed, 2ms after faults stopped$/);
    expect(c.check(view({}, { now: 3500, quiescedAt: 3000, history }))).toBeUndefined();
  });
});

describe('RebuiltLog: a server log rebuilt from published entries', () => {
  const base = { role: 'follower', term: 1, votedFor: null, leader: null, commitIndex: 0, lastApplied: 0, snapshotIndex: 0, logStart: 1, log: [], snapshotTerm: 0 } as const;
  const st = (lastIndex: number, logFrom: number, entries: number[], snap: { index: number; term: number } = { index: 0, term: 0 }): RaftServerState => ({
    ...base,
    log: [],
    lastIndex,
    logFrom,
    entries,
    snapshotIndex: snap.index,
    snapshotTerm: snap.term,
  });
  const termsOf = (l: RebuiltLog): (number | undefined)[] => Array.from({ length: l.last }, (_, i) => l.term(i + 1));

  it.each([
    { what: 'appends only', publishes: [st(2, 1, [1, 1]), st(3, 3, [2])], terms: [1, 1, 2], changes: [] },
    { what: 'a truncation and a rewrite from index 2', publishes: [st(3, 1, [1, 1, 1]), st(2, 2, [2])], terms: [1, 2], changes: [2] },
    { what: 'a truncation with nothing appended', publishes: [st(3, 1, [1, 1, 1]), st(1, 2, [])], terms: [1], changes: [2] },
    { what: 'the same entries written again (a restart) are no change', publishes: [st(2, 1, [1, 2]), st(2, 1, [1, 2])], terms: [1, 2], changes: [] },
    { what: 'a compaction keeps the known terms', publishes: [st(3, 1, [1, 1, 2]), st(3, 4, [], { index: 2, term: 1 })], terms: [1, 1, 2], changes: [] },
    { what: 'an installed snapshot replaces a conflicting log', publishes: [st(2, 1, [1, 1]), st(4, 5, [], { index: 4, term: 3 })], terms: [undefined, undefined, undefined, 3], changes: [] },
  ])('$what', ({ publishes, terms, changes }) => {
    const log = new RebuiltLog();
    for (const s of publishes) log.update(s, () => undefined, () => {});
    expect(termsOf(log)).toEqual(terms);
    expect(log.changes).toEqual(changes);
  });

  it('equal chains mean equal prefixes: two logs that differ early have different chains at a later index of the same term', () => {
    const a = new RebuiltLog();
    const b = new RebuiltLog();
    a.update(st(3, 1, [1, 1, 3]), () => undefined, () => {});
    b.update(st(3, 1, [1, 2, 3]), () => undefined, () => {});
    expect(a.chain(1)).toBe(b.chain(1));
    expect(a.chain(3)).not.toBe(b.chain(3));
  });

  it('a snapshot over a log shorter than it takes the chain some server had at its (index, term); entries on top are checked against it', () => {
    const leader = new RebuiltLog();
    leader.update(st(3, 1, [1, 1, 2]), () => undefined, () => {});
    const f = new RebuiltLog();
    f.update(st(4, 4, [2], { index: 3, term: 2 }), (i, t) => (i === 3 && t === 2 ? leader.chain(3) : undefined), () => {});
    expect(f.chain(3)).toBe(leader.chain(3));
    expect(f.term(4)).toBe(2);
    expect(f.chain(4)).toBeDefined();
  });
});

describe('the probe across a restart', () => {
  it('a server seen down is down until it publishes again; its next life starts fresh cursors (leader-append-only is not fooled by a restart)', () => {
    const p = probe();
    const c = leaderAppendOnly(p);
    const a = withLog('n1', 1, [1, 1]);
    elect(a, ['n2']);
    expect(c.check(view({ n1: a }))).toBeUndefined();
    expect(c.check(view({ n1: undefined }))).toBeUndefined(); // crashed
    expect(p.node(0)).toBeUndefined();
    const back = withLog('n1', 2, [1]); // came back with a shorter log (a planted lost write), then leads again
    elect(back, ['n2']);
    expect(c.check(view({ n1: back }))).toBeUndefined();
    expect(p.life(0)).toBe(1);
  });
});
