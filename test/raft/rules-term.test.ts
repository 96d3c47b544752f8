// The step rule `stale-reply-discarded` (sim/protocols/raft/rules-term.ts): a reply whose term is
// below the receiver's currentTerm changes nothing (Figure 2; raft.tla DropStaleResponse). Shown on
// hand-made steps fed through the typed hooks as the engine calls them (loud on a stale reply that
// was acted on, quiet on each allowed path), then end to end: the planted bug staleAppendReplyCounted
// is caught by it under guided fuzzing.

import { describe, expect, it } from 'vitest';
import type { Checker } from '../../sim/api/index.ts';
import { firstFailure } from '../../sim/bench/search.ts';
import { callHooks } from '../../sim/engine/hooks.ts';
import type { JsonValue, SimView, TraceEvent } from '../../sim/engine/types.ts';
import { staleReplyDiscarded } from '../../sim/protocols/raft/rules-term.ts';
import { parseScenario } from '../../sim/scenario/resolve.ts';

type Ev = TraceEvent extends infer E ? (E extends { seq: number; t: number } ? Omit<E, 'seq' | 't'> : never) : never;

const VIEW = {} as SimView; // the rule reads events only (through its typed hooks, Checker.on)

/** Feed one step's events to the rule, then check it as the engine does after the step. */
function step(rule: Checker, events: Ev[]): string | undefined {
  for (const e of events) callHooks(rule.on ?? {}, { seq: 0, t: 0, ...e } as TraceEvent);
  return rule.check(VIEW);
}

const send = (id: number, from: string, to: string, msg: { [k: string]: JsonValue }): Ev => ({ type: 'send', id, from, to, msg });
const deliver = (id: number, from: string, to: string): Ev => ({ type: 'deliver', id, from, to });
const published = (node: string, term: number, role = 'leader', commitIndex = 0): Ev => ({ type: 'state', node, state: { role, term, commitIndex } });
const appendResp = (term: number, success = true) => ({ type: 'append-resp', term, success, matchIndex: 4, conflictTerm: 0, conflictIndex: 0, round: 1 });
const voteResp = (term: number, pre = false) => ({ type: 'vote-resp', term, granted: true, pre });
const snapResp = (term: number) => ({ type: 'snapshot-resp', term, matchIndex: 4, round: 1 });

/** A rule that saw n1 publish term `t` (it leads) and n2 reply to n1 with each message of `replies` (ids 1..). */
function setUp(t: number, replies: { [k: string]: JsonValue }[]): Checker {
  const rule = staleReplyDiscarded();
  expect(step(rule, [published('n1', t)])).toBeUndefined();
  expect(step(rule, replies.map((m, i) => send(i + 1, 'n2', 'n1', m)))).toBeUndefined();
  return rule;
}

describe('stale-reply-discarded on hand-made steps', () => {
  it.each([
    ['AppendEntries', appendResp(2)],
    ['AppendEntries (refused)', appendResp(2, false)],
    ['RequestVote', voteResp(2)],
    ['PreVote', voteResp(2, true)],
    ['InstallSnapshot', snapResp(2)],
  ])('a %s reply of an older term: dropped silently is quiet; acted on (a send, or a publish) is loud', (_, reply) => {
    expect(step(setUp(3, [reply]), [deliver(1, 'n2', 'n1')])).toBeUndefined();
    expect(step(setUp(3, [reply]), [deliver(1, 'n2', 'n1'), send(9, 'n1', 'n2', { type: 'append-req', term: 3 })])).toMatch(
      /^n1 in term 3 handled n2's \w+ reply of term 2 and sent append-req in that step: a reply of an older term must be dropped/,
    );
    expect(step(setUp(3, [reply]), [deliver(1, 'n2', 'n1'), published('n1', 3, 'leader', 7)])).toMatch(
      /^n1 in term 3 handled n2's \w+ reply of term 2 and changed its published state in that step \(now leader of term 3, commitIndex 7\)/,
    );
  });

  it('a reply of the current term or a later one may be acted on; only the step of the delivery is judged', () => {
    expect(step(setUp(3, [appendResp(3)]), [deliver(1, 'n2', 'n1'), send(9, 'n1', 'n2', { type: 'append-req', term: 3 }), published('n1', 3, 'leader', 4)])).toBeUndefined();
    expect(step(setUp(3, [appendResp(4)]), [deliver(1, 'n2', 'n1'), published('n1', 4, 'follower')])).toBeUndefined();
    const rule = setUp(3, [appendResp(2)]);
    expect(step(rule, [deliver(1, 'n2', 'n1')])).toBeUndefined();
    expect(step(rule, [{ type: 'timer', node: 'n1', name: 'heartbeat' }, send(9, 'n1', 'n2', { type: 'append-req', term: 3 }), published('n1', 3, 'leader', 7)])).toBeUndefined();
  });

  it('a duplicated copy is judged like the original; a request of an older term is not a reply (rpc-answered answers it)', () => {
    const rule = setUp(3, [appendResp(2)]);
    step(rule, [{ type: 'duplicate', id: 5, of: 1, from: 'n2', to: 'n1' }]);
    expect(step(rule, [deliver(1, 'n2', 'n1')])).toBeUndefined();
    expect(step(rule, [deliver(5, 'n2', 'n1'), published('n1', 3, 'leader', 7)])).toBeDefined();
    const req = setUp(3, [{ type: 'append-req', term: 2 }]);
    expect(step(req, [deliver(1, 'n2', 'n1'), send(9, 'n1', 'n2', appendResp(3, false))])).toBeUndefined();
  });

  it('a receiver not published since it (re)started has no known term: not judged; a dropped reply is forgotten', () => {
    const rule = setUp(3, [appendResp(2), appendResp(2)]);
    step(rule, [{ type: 'restart', node: 'n1' }]);
    expect(step(rule, [deliver(1, 'n2', 'n1'), send(9, 'n1', 'n2', { type: 'append-req', term: 3 })])).toBeUndefined();
    step(rule, [published('n1', 3)]);
    step(rule, [{ type: 'drop', id: 2, from: 'n2', to: 'n1', reason: 'loss' }]);
    expect(step(rule, [deliver(2, 'n2', 'n1'), send(9, 'n1', 'n2', { type: 'append-req', term: 3 })])).toBeUndefined();
  });
});

describe('stale-reply-discarded end to end (guided, default workload)', () => {
  const base = (bugs: Record<string, boolean>) => parseScenario({ name: 'raft-fuzz', description: 'stale replies', protocol: 'raft', config: { bugs }, duration: '5s' });

  it('staleAppendReplyCounted -> stale-reply-discarded within 150 runs on some campaign seed 1-3', () => {
    const found = [1, 2, 3].map((seed) => {
      let ticks = 0;
      return firstFailure(base({ staleAppendReplyCounted: true }), 'guided', seed, 150, () => ticks++);
    }).find((r) => r.found);
    expect(found?.invariant).toBe('stale-reply-discarded');
  });
});
