// The state rules (sim/protocols/raft/rules-state.ts): `replicated-state-agreement` (Figure 3 State
// Machine Safety taken to the machines' state, sessions included: thesis 6.3) on hand-made published
// states and on real machines (machine.ts digest), and `reply-claims-held` (Figure 2 AppendEntries
// success; Figure 13 lastIncludedIndex) on hand-made trace events, each loud and quiet. The outside
// mutants testdata/mutants/raft/raft-snapshot-{drops-sessions,reply-claims-last-index}.json are their
// end-to-end tests (minutes each: scripts/mutants.mjs, figures in sim/protocols/raft/README.md).

import { describe, expect, it } from 'vitest';
import type { Checker } from '../../sim/api/index.ts';
import type { JsonValue, SimView, TraceEvent } from '../../sim/engine/types.ts';
import { callHooks } from '../../sim/engine/hooks.ts';
import { ServerProbe } from '../../sim/protocols/raft/checkers.ts';
import { kvService } from '../../sim/protocols/raft/kv.ts';
import { ReplicatedMachine } from '../../sim/protocols/raft/machine.ts';
import { matchIndexClaimed, replicatedStateAgreement, replyClaimsHeld, snapshotFidelity } from '../../sim/protocols/raft/rules-state.ts';
import { firstFailure } from '../../sim/bench/search.ts';
import { parseScenario } from '../../sim/scenario/resolve.ts';
import type { RaftServerState } from '../../sim/protocols/raft/state.ts';
import type { Command } from '../../sim/protocols/raft/types.ts';
import { publishedView } from './published-view.ts';

const IDS = ['n1', 'n2', 'n3'];

/** A follower that applied up to `lastApplied` with digest `d` (its log is not what the rule reads). */
function applied(lastApplied: number, d: number | undefined): RaftServerState {
  return { role: 'follower', term: 1, votedFor: null, leader: null, commitIndex: lastApplied, lastApplied, ...(d === undefined ? {} : { appliedDigest: d }), snapshotIndex: 0, logStart: 1, log: [], lastIndex: lastApplied, snapshotTerm: 0, logFrom: lastApplied + 1, entries: [] };
}

describe('replicated-state-agreement on hand-made published states', () => {
  it('the same digest at the same index is quiet; another digest at an index already seen is loud, naming both servers', () => {
    const rule = replicatedStateAgreement(new ServerProbe(IDS));
    expect(rule.check(publishedView({ n1: applied(3, 7), n2: applied(2, 5), n3: applied(1, 4) }, IDS))).toBeUndefined();
    expect(rule.check(publishedView({ n1: applied(4, 8), n2: applied(3, 7), n3: applied(3, 7) }, IDS))).toBeUndefined();
    expect(rule.check(publishedView({ n1: applied(4, 8), n2: applied(4, 9), n3: applied(3, 7) }, IDS))).toMatch(
      /^n2 applied up to index 4 with state digest 0x00000009, but n1 had digest 0x00000008 at index 4: their state machines \(state or client sessions\) diverged/,
    );
  });

  it('indexes no server will publish again are forgotten (bounded memory); a restart that publishes an older index is still judged while it is remembered', () => {
    const rule = replicatedStateAgreement(new ServerProbe(IDS));
    expect(rule.check(publishedView({ n1: applied(2, 2), n2: applied(2, 2), n3: applied(2, 2) }, IDS))).toBeUndefined();
    expect(rule.check(publishedView({ n1: applied(5, 5), n2: applied(5, 5), n3: applied(3, 3) }, IDS))).toBeUndefined();
    // n3 restarts from a snapshot at 3 with another digest: 3 is still remembered (n3 published it)
    expect(rule.check(publishedView({ n1: applied(5, 5), n2: applied(5, 5), n3: applied(3, 33) }, IDS))).toMatch(/^n3 applied up to index 3 .* but n3 had digest/);
    // index 2 is below every server's lastApplied: forgotten, so a later claim there is not compared
    const fresh = replicatedStateAgreement(new ServerProbe(IDS));
    fresh.check(publishedView({ n1: applied(2, 2), n2: applied(2, 2), n3: applied(2, 2) }, IDS));
    fresh.check(publishedView({ n1: applied(4, 4), n2: applied(4, 4), n3: applied(4, 4) }, IDS));
    expect(fresh.check(publishedView({ n1: applied(4, 4), n2: applied(4, 4), n3: applied(2, 99) }, IDS))).toBeUndefined();
  });

  it('a state without a digest (hand-built, or nothing applied) is not judged', () => {
    const rule = replicatedStateAgreement(new ServerProbe(IDS));
    expect(rule.check(publishedView({ n1: applied(2, 1), n2: applied(2, undefined), n3: applied(0, 5) }, IDS))).toBeUndefined();
  });
});

describe('the apply digest of real machines (machine.ts)', () => {
  const cmd = (client: string, seq: number, op: JsonValue): Command => ({ kind: 'client', client, seq, op });
  const ops: Command[] = [{ kind: 'noop' }, cmd('c1', 1, { f: 'append', key: 'k', value: 'a' }), cmd('c2', 1, { f: 'put', key: 'j', value: 'b' }), cmd('c1', 2, { f: 'append', key: 'k', value: 'c' })];

  it('replicas applying the same entries agree at every index, also through a snapshot taken and restored midway', () => {
    const a = ReplicatedMachine.create(kvService);
    const b = ReplicatedMachine.create(kvService);
    for (const [i, c] of ops.entries()) {
      a.apply(c);
      b.apply(c);
      expect(a.digest).toBe(b.digest);
      if (i === 1) {
        const restored = ReplicatedMachine.restore(kvService, JSON.parse(JSON.stringify(b.snapshot())) as JsonValue);
        expect(restored.digest).toBe(b.digest);
      }
    }
    const retry = ops[3] as Command; // c1's seq 2 again: answered from the session table on both
    a.apply(retry);
    b.apply(retry);
    expect(a.digest).toBe(b.digest);
  });

  it('a replica restored from a snapshot without its sessions applies a retry again: its digest differs there, as the rule sees it', () => {
    const a = ReplicatedMachine.create(kvService);
    for (const c of ops) a.apply(c);
    const snap = a.snapshot() as { sessions: Record<string, JsonValue> };
    const broken = ReplicatedMachine.restore(kvService, { ...snap, sessions: {} } as unknown as JsonValue);
    expect(broken.digest).toBe(a.digest); // the same up to the snapshot
    const retry = ops[3] as Command;
    a.apply(retry); // answered from the table
    broken.apply(retry); // applied a second time ("c" appended twice)
    expect(broken.digest).not.toBe(a.digest);
    const rule = replicatedStateAgreement(new ServerProbe(['n1', 'n2']));
    expect(rule.check(publishedView({ n1: applied(5, a.digest), n2: applied(4, a.digest) }))).toBeUndefined();
    expect(rule.check(publishedView({ n1: applied(5, a.digest), n2: applied(5, broken.digest) }))).toMatch(/^n2 applied up to index 5 with state digest/);
  });
});

type Ev = TraceEvent extends infer E ? (E extends { seq: number; t: number } ? Omit<E, 'seq' | 't'> : never) : never;
const VIEW = {} as SimView; // the rule reads trace events only

/** Feed one step's events to the rule, then check it as the engine does after the step. */
function step(rule: Checker, events: Ev[]): string | undefined {
  // The reply rules follow the run through typed hooks (Checker.on): each event is fed to them as the engine would call them.
  for (const e of events) {
    const ev = { seq: 0, t: 0, ...e } as TraceEvent;
    if (rule.on) callHooks(rule.on, ev);
    else rule.observe?.(ev, VIEW);
  }
  return rule.check(VIEW);
}
const send = (id: number, from: string, to: string, msg: { [k: string]: JsonValue }): Ev => ({ type: 'send', id, from, to, msg });
const deliver = (id: number, from: string, to: string): Ev => ({ type: 'deliver', id, from, to });
const entry = (term: number): JsonValue => ({ term, cmd: { kind: 'noop' } });
const appendReq = (prev: number, n: number) => ({ type: 'append-req', term: 2, leader: 'n1', prevLogIndex: prev, prevLogTerm: 1, entries: Array.from({ length: n }, () => entry(2)), leaderCommit: 0, round: 1 });
const appendResp = (success: boolean, matchIndex: number) => ({ type: 'append-resp', term: 2, success, matchIndex, conflictTerm: 0, conflictIndex: 0, round: 1 });
const snapReq = { type: 'snapshot-req', term: 2, leader: 'n1', lastIncludedIndex: 5, lastIncludedTerm: 1, lastIncludedChain: 0, data: null, round: 1 };

describe('reply-claims-held on hand-made steps', () => {
  it('an AppendEntries success claiming prevLogIndex + entries is quiet; claiming more is loud; a refusal claims nothing', () => {
    const rule = replyClaimsHeld();
    expect(step(rule, [send(1, 'n1', 'n2', appendReq(3, 2)), send(2, 'n1', 'n3', appendReq(3, 2))])).toBeUndefined();
    expect(step(rule, [deliver(1, 'n1', 'n2'), send(3, 'n2', 'n1', appendResp(true, 5))])).toBeUndefined();
    expect(step(rule, [deliver(2, 'n1', 'n3'), send(4, 'n3', 'n1', appendResp(true, 7))])).toMatch(
      /^n3 answered n1's AppendEntries \(prevLogIndex 3, term 1, 2 entries\) with success and matchIndex 7, beyond index 5, the last the request checked/,
    );
    expect(step(rule, [send(5, 'n1', 'n2', appendReq(3, 0))])).toBeUndefined();
    expect(step(rule, [deliver(5, 'n1', 'n2'), send(6, 'n2', 'n1', appendResp(false, 9))])).toBeUndefined();
  });

  it('a claim beyond the request within the follower\'s committed prefix (its snapshot covers the request) is quiet; past it, loud', () => {
    const rule = replyClaimsHeld();
    const published = (node: string, commitIndex: number, snapshotIndex: number): Ev => ({ type: 'state', node, state: { commitIndex, snapshotIndex } });
    step(rule, [send(1, 'n1', 'n2', appendReq(3, 1)), send(2, 'n1', 'n3', appendReq(3, 1))]);
    step(rule, [published('n2', 6, 8), published('n3', 6, 0)]);
    expect(step(rule, [deliver(1, 'n1', 'n2'), send(3, 'n2', 'n1', appendResp(true, 8))])).toBeUndefined();
    expect(step(rule, [deliver(2, 'n1', 'n3'), send(4, 'n3', 'n1', appendResp(true, 8))])).toMatch(/matchIndex 8, beyond index 4, .*; its committed prefix ends at 6$/);
  });

  it('an InstallSnapshot reply claiming lastIncludedIndex (or less) is quiet; claiming a kept suffix beyond it is loud', () => {
    const rule = replyClaimsHeld();
    step(rule, [send(1, 'n1', 'n2', snapReq), send(2, 'n1', 'n3', snapReq)]);
    expect(step(rule, [deliver(1, 'n1', 'n2'), send(3, 'n2', 'n1', { type: 'snapshot-resp', term: 2, matchIndex: 5, round: 1 })])).toBeUndefined();
    expect(step(rule, [deliver(2, 'n1', 'n3'), send(4, 'n3', 'n1', { type: 'snapshot-resp', term: 2, matchIndex: 8, round: 1 })])).toMatch(
      /^n3 answered n1's InstallSnapshot \(lastIncludedIndex 5, term 1\) with matchIndex 8, beyond lastIncludedIndex/,
    );
  });

  it('a duplicate is judged as its original; a reply to someone else, or in a later step, or after a failed handler is not this request\'s', () => {
    const rule = replyClaimsHeld();
    step(rule, [send(1, 'n1', 'n2', appendReq(3, 1))]);
    step(rule, [{ type: 'duplicate', id: 2, of: 1, from: 'n1', to: 'n2' } as Ev]);
    expect(step(rule, [deliver(1, 'n1', 'n2'), send(3, 'n2', 'n3', appendResp(true, 9))])).toBeUndefined();
    expect(step(rule, [send(4, 'n2', 'n1', appendResp(true, 9))])).toBeUndefined(); // no request delivered in this step
    expect(step(rule, [deliver(2, 'n1', 'n2'), send(5, 'n2', 'n1', appendResp(true, 9))])).toMatch(/matchIndex 9, beyond index 4/);
    step(rule, [send(6, 'n1', 'n2', appendReq(3, 1))]);
    expect(step(rule, [deliver(6, 'n1', 'n2'), { type: 'violation', invariant: 'assertion', message: 'x', cause: 0 }, send(7, 'n2', 'n1', appendResp(true, 9))])).toBeUndefined();
  });
});

describe('match-index-claimed on hand-made steps', () => {
  const leader = (term: number, matchIndex: Record<string, number>): Ev => ({ type: 'state', node: 'n1', state: { role: 'leader', term, matchIndex } });

  it('a leader\'s matchIndex up to what the follower claimed in its term is quiet; above it, or taken from a reply of another term, loud', () => {
    const rule = matchIndexClaimed();
    expect(step(rule, [send(1, 'n2', 'n1', appendResp(true, 5)), send(2, 'n3', 'n1', appendResp(true, 3))])).toBeUndefined();
    expect(step(rule, [deliver(1, 'n2', 'n1'), leader(2, { n2: 5, n3: 0 })])).toBeUndefined();
    expect(step(rule, [deliver(2, 'n3', 'n1'), leader(2, { n2: 5, n3: 3 })])).toBeUndefined();
    expect(step(rule, [leader(2, { n2: 7, n3: 3 })])).toMatch(/^leader n1 of term 2 has matchIndex 7 for n2, but n2 claimed at most 5 in the success replies of term 2/);
    // a reply of term 2 does not vouch for the leader's matchIndex in term 3
    expect(step(rule, [leader(3, { n2: 5, n3: 0 })])).toMatch(/^leader n1 of term 3 has matchIndex 5 for n2, but n2 claimed at most 0/);
  });

  it('a refused reply claims nothing; a snapshot reply claims its matchIndex; a follower\'s publish is not judged', () => {
    const rule = matchIndexClaimed();
    step(rule, [send(1, 'n2', 'n1', appendResp(false, 4)), send(2, 'n3', 'n1', { type: 'snapshot-resp', term: 2, matchIndex: 6, round: 1 })]);
    expect(step(rule, [deliver(1, 'n2', 'n1'), deliver(2, 'n3', 'n1'), leader(2, { n2: 0, n3: 6 })])).toBeUndefined();
    expect(step(rule, [leader(2, { n2: 4, n3: 6 })])).toMatch(/matchIndex 4 for n2, but n2 claimed at most 0/);
    expect(step(rule, [{ type: 'state', node: 'n2', state: { role: 'follower', term: 2 } }])).toBeUndefined();
  });
});

describe('snapshot-fidelity: the state digest of real machines (machine.ts stateDigest) and the rule on hand-made publishes', () => {
  const cmd = (client: string, seq: number, op: JsonValue): Command => ({ kind: 'client', client, seq, op });
  const ops: Command[] = [{ kind: 'noop' }, cmd('c1', 1, { f: 'append', key: 'k', value: 'a' }), cmd('c2', 1, { f: 'put', key: 'j', value: 'b' }), cmd('c1', 2, { f: 'append', key: 'k', value: 'c' })];
  const checkpoint = (node: string, index: number, digest: number, restored: boolean): Ev => ({ type: 'state', node, state: { role: 'follower', term: 1, checkpoints: [{ index, digest, restored }] } });

  it('a restored machine has the digest of the one that took the snapshot; one restored without its sessions does not, and the rule names the restore', () => {
    const a = ReplicatedMachine.create(kvService);
    for (const c of ops) a.apply(c);
    const snap = JSON.parse(JSON.stringify(a.snapshot())) as { sessions: Record<string, JsonValue> };
    const good = ReplicatedMachine.restore(kvService, snap as unknown as JsonValue);
    const broken = ReplicatedMachine.restore(kvService, { ...snap, sessions: {} } as unknown as JsonValue);
    expect(good.stateDigest()).toBe(a.stateDigest());
    expect(broken.stateDigest()).not.toBe(a.stateDigest());
    expect(broken.digest).toBe(a.digest); // the apply digest alone cannot tell them apart
    const rule = snapshotFidelity();
    expect(step(rule, [checkpoint('n1', 4, a.stateDigest(), false)])).toBeUndefined();
    expect(step(rule, [checkpoint('n2', 4, good.stateDigest(), true)])).toBeUndefined();
    expect(step(rule, [checkpoint('n3', 4, broken.stateDigest(), true)])).toMatch(/^n3 restored its state machine from a snapshot at index 4 with state digest 0x[0-9a-f]{8}, but n1 took a snapshot at index 4 with state digest/);
  });

  it('the digest is of the state, not its history: the same state reached in another order agrees; a different state at the same index is loud', () => {
    const a = ReplicatedMachine.create(kvService);
    const b = ReplicatedMachine.create(kvService);
    a.apply(cmd('c1', 1, { f: 'put', key: 'x', value: '1' }));
    a.apply(cmd('c2', 1, { f: 'put', key: 'y', value: '2' }));
    b.apply(cmd('c2', 1, { f: 'put', key: 'y', value: '2' }));
    b.apply(cmd('c1', 1, { f: 'put', key: 'x', value: '1' }));
    expect(b.stateDigest()).toBe(a.stateDigest());
    b.apply(cmd('c1', 2, { f: 'put', key: 'x', value: '3' }));
    a.apply(cmd('c1', 2, { f: 'get', key: 'x' }));
    const rule = snapshotFidelity();
    expect(step(rule, [checkpoint('n1', 3, a.stateDigest(), false), checkpoint('n1', 5, 1, false)])).toBeUndefined();
    expect(step(rule, [checkpoint('n2', 3, b.stateDigest(), false)])).toMatch(/^n2 took a snapshot at index 3 with state digest .* but n1 took a snapshot at index 3 .*: their state machines \(state or client sessions\) differ/);
    expect(step(rule, [checkpoint('n2', 5, 1, true), { type: 'state', node: 'n3', state: { role: 'follower', term: 1 } }])).toBeUndefined();
  });

  it('installDropsSessions (InstallSnapshot restores without the session table) -> snapshot-fidelity within 100 guided runs on some campaign seed 1-3', () => {
    const base = parseScenario({ name: 'raft-fuzz', description: 'snapshots', protocol: 'raft', config: { bugs: { installDropsSessions: true } }, duration: '5s' });
    const found = [1, 2, 3]
      .map((seed) => {
        let ticks = 0;
        return firstFailure(base, 'guided', seed, 100, () => ticks++);
      })
      .find((r) => r.found);
    expect(found?.invariant).toBe('snapshot-fidelity');
  });
});
