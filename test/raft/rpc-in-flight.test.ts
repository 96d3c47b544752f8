// RpcInFlight (sim/protocols/raft/rpc-in-flight.ts), the Raft RPCs in flight that rpc-answered,
// reply-claims-held, match-index-claimed and stale-reply-discarded share in a run: on generated
// runs of sends, duplicates, deliveries and drops (enough in flight at once to fill its ring and
// spill), every delivery reports what a plain map by message id holds, whether each hook is called
// once or, as by several rules, several times in a row.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Message } from '../../sim/api/index.ts';
import { APPEND_REQ, APPEND_RESP, RpcInFlight, SNAPSHOT_REQ, SNAPSHOT_RESP, VOTE_REQ, VOTE_RESP } from '../../sim/protocols/raft/rpc-in-flight.ts';

interface Kept {
  kind: number;
  pre: boolean;
  term: number;
  a: number;
  b: number;
  count: number;
  success: boolean;
}

const num = (v: unknown): number => (typeof v === 'number' ? v : NaN);
const KINDS: Record<string, number> = { 'vote-req': VOTE_REQ, 'append-req': APPEND_REQ, 'snapshot-req': SNAPSHOT_REQ, 'vote-resp': VOTE_RESP, 'append-resp': APPEND_RESP, 'snapshot-resp': SNAPSHOT_RESP };

/** What the tracker must report for a message, read with a plain object per message (the rules' old maps). */
function expected(msg: Record<string, unknown>): Kept | undefined {
  const kind = KINDS[String(msg.type)];
  if (kind === undefined) return undefined;
  const [a, b, count] =
    kind === APPEND_REQ
      ? [num(msg.prevLogIndex), num(msg.prevLogTerm), Array.isArray(msg.entries) ? msg.entries.length : 0]
      : kind === SNAPSHOT_REQ
        ? [num(msg.lastIncludedIndex), num(msg.lastIncludedTerm), 0]
        : [num(msg.matchIndex), NaN, 0];
  return { kind, pre: msg.pre === true, term: num(msg.term), a, b, count, success: msg.success !== false };
}

const message = fc.oneof(
  fc.record({ type: fc.constant('vote-req'), term: fc.nat(9), pre: fc.boolean() }),
  fc.record({ type: fc.constant('append-req'), term: fc.nat(9), prevLogIndex: fc.nat(50), prevLogTerm: fc.nat(9), entries: fc.array(fc.nat(9), { maxLength: 3 }) }),
  fc.record({ type: fc.constant('snapshot-req'), term: fc.nat(9), lastIncludedIndex: fc.nat(50), lastIncludedTerm: fc.nat(9) }),
  fc.record({ type: fc.constant('vote-resp'), term: fc.oneof(fc.nat(9), fc.constant('x')), pre: fc.boolean(), granted: fc.boolean() }),
  fc.record({ type: fc.constantFrom('append-resp', 'snapshot-resp'), term: fc.nat(9), success: fc.boolean(), matchIndex: fc.oneof(fc.nat(50), fc.constant(null)) }),
  fc.record({ type: fc.constantFrom('client-req', 'client-resp'), op: fc.nat(9) }),
);

/** One event: send a new message, duplicate, deliver or drop one in flight (picked by position), or hold (send many). */
const action = fc.oneof(
  fc.record({ do: fc.constant('send' as const), msg: message, burst: fc.constantFrom(1, 1, 1, 600) }),
  fc.record({ do: fc.constantFrom('duplicate' as const, 'deliver' as const, 'drop' as const), pick: fc.nat() }),
);

type Action = { do: 'send'; msg: Record<string, unknown>; burst: number } | { do: 'duplicate' | 'deliver' | 'drop'; pick: number };

function replay(actions: readonly Action[], calls: number): void {
  const tracker = new RpcInFlight();
  const model = new Map<number, Kept | undefined>();
  let next = 0;
  for (const act of actions) {
    if (act.do === 'send') {
      for (let i = 0; i < act.burst; i++) {
        const id = next++;
        model.set(id, expected(act.msg));
        for (let c = 0; c < calls; c++) tracker.send(id, act.msg as unknown as Message);
      }
      continue;
    }
    const ids = [...model.keys()];
    if (ids.length === 0) continue;
    const id = ids[act.pick % ids.length] as number;
    if (act.do === 'duplicate') {
      const copy = next++;
      model.set(copy, model.get(id));
      for (let c = 0; c < calls; c++) tracker.duplicate(copy, id);
    } else if (act.do === 'drop') {
      model.delete(id);
      for (let c = 0; c < calls; c++) tracker.drop(id);
    } else {
      const want = model.get(id);
      model.delete(id);
      for (let c = 0; c < calls; c++) {
        expect(tracker.deliver(id)).toBe(want !== undefined);
        if (want === undefined) continue;
        expect({ kind: tracker.kind, pre: tracker.pre, term: tracker.term, a: tracker.a, b: tracker.b, count: tracker.count, success: tracker.success }).toEqual(want);
      }
    }
  }
  // Everything still in flight is delivered as sent.
  for (const [id, want] of model) {
    expect(tracker.deliver(id)).toBe(want !== undefined);
    if (want !== undefined) expect(tracker.kind).toBe(want.kind);
  }
}

describe('RpcInFlight', () => {
  it('reports every delivered Raft RPC as sent (copies included), nothing for client messages, dropped or delivered ones, across ring and spill', () => {
    fc.assert(
      fc.property(fc.array(action, { maxLength: 120 }), (actions) => replay(actions as Action[], 1)),
      { seed: 14, numRuns: 150 },
    );
  });

  it('a hook called by several rules for one event does the work once', () => {
    fc.assert(
      fc.property(fc.array(action, { maxLength: 120 }), (actions) => replay(actions as Action[], 3)),
      { seed: 15, numRuns: 100 },
    );
  });

  it('a message whose ring slot is held (a server paused past 1024 later messages) is still reported', () => {
    const t = new RpcInFlight();
    t.send(5, { type: 'append-req', term: 2, prevLogIndex: 7, prevLogTerm: 1, entries: [2, 2] } as unknown as Message);
    t.send(5 + 1024, { type: 'append-resp', term: 3, success: false, matchIndex: 4 } as unknown as Message);
    expect(t.deliver(5 + 1024)).toBe(true);
    expect([t.kind, t.term, t.a, t.success]).toEqual([APPEND_RESP, 3, 4, false]);
    expect(t.deliver(5)).toBe(true);
    expect([t.kind, t.a, t.b, t.count]).toEqual([APPEND_REQ, 7, 1, 2]);
  });
});
