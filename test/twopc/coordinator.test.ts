// The coordinator state machine (presumed abort), rule by rule, with exact effects.

import { describe, expect, it } from 'vitest';
import { Coordinator, type CoordinatorOptions, type CoordinatorTimer } from '../../sim/protocols/twopc/coordinator.ts';
import type { CoordinatorState } from '../../sim/protocols/twopc/state.ts';
import { bugs, FakeIo } from './fake-io.ts';

const OPTS: CoordinatorOptions = { accountsPerShard: 10, voteTimeout: 200_000, retryInterval: 50_000, resendInterval: 150_000, lazyFlush: 20_000, bugs: bugs() };
const TRANSFER = { from: 'a3', to: 'a12', amount: 7 };

type CoIo = FakeIo<CoordinatorTimer, CoordinatorState>;

function begun(opts: Partial<CoordinatorOptions> = {}): { io: CoIo; co: Coordinator } {
  const io: CoIo = new FakeIo('co');
  const co = new Coordinator({ ...OPTS, ...opts });
  co.start(io);
  co.onBegin(io, 'c1', 't1', TRANSFER);
  return { io, co };
}

/** Through the work phase: both participants staged their part and got prepare. */
function voting(opts: Partial<CoordinatorOptions> = {}): { io: CoIo; co: Coordinator } {
  const s = begun(opts);
  s.co.onWorkAck(s.io, 'p1', 't1', true, undefined);
  s.co.onWorkAck(s.io, 'p2', 't1', true, undefined);
  s.io.take();
  return s;
}

describe('coordinator: work and phase 1', () => {
  it('ships each participant its part of the transfer and writes nothing to the log yet', () => {
    const { io } = begun();
    expect(io.take()).toEqual([
      { to: 'p1', msg: { type: 'work', tx: 't1', epoch: 0, ops: [{ account: 'a3', delta: -7 }], participants: ['p1', 'p2'] } },
      { to: 'p2', msg: { type: 'work', tx: 't1', epoch: 0, ops: [{ account: 'a12', delta: 7 }], participants: ['p1', 'p2'] } },
    ]);
    expect(io.disk.keys('dec/')).toEqual([]);
    expect(io.timers.get('vote/t1')).toBe(200_000);
  });

  it('sends prepare only when every participant has staged its work', () => {
    const { io, co } = begun();
    io.take();
    co.onWorkAck(io, 'p1', 't1', true, undefined);
    expect(io.take()).toEqual([]);
    co.onWorkAck(io, 'p2', 't1', true, undefined);
    expect(io.take()).toEqual([
      { to: 'p1', msg: { type: 'prepare', tx: 't1' } },
      { to: 'p2', msg: { type: 'prepare', tx: 't1' } },
    ]);
  });
});

describe('coordinator: re-sending over lossy links', () => {
  it('re-sends work, then prepare, only to the participants that have not answered, and stops once decided', () => {
    const { io, co } = begun();
    io.take();
    co.onWorkAck(io, 'p2', 't1', true, undefined);
    co.onRetry(io, 't1');
    expect(io.take()).toEqual([{ to: 'p1', msg: { type: 'work', tx: 't1', epoch: 0, ops: [{ account: 'a3', delta: -7 }], participants: ['p1', 'p2'] } }]);
    co.onWorkAck(io, 'p1', 't1', true, undefined);
    co.onVote(io, 'p1', 't1', true, undefined);
    io.take();
    co.onRetry(io, 't1');
    expect(io.take()).toEqual([{ to: 'p2', msg: { type: 'prepare', tx: 't1' } }]);
    co.onVote(io, 'p2', 't1', true, undefined);
    io.take();
    expect(io.timers.has('retry/t1')).toBe(false);
    co.onRetry(io, 't1');
    expect(io.take()).toEqual([]);
  });
});

describe('coordinator: the decision', () => {
  it('commit: forces the commit record before sending the decision, then tells the client', () => {
    const { io, co } = voting();
    co.onVote(io, 'p1', 't1', true, undefined);
    expect(io.take()).toEqual([]);
    co.onVote(io, 'p2', 't1', true, undefined);
    expect(io.disk.unsynced).toBe(0);
    expect(io.disk.durableView().get('dec/t1')).toEqual({ decision: 'commit', participants: ['p1', 'p2'], client: 'c1', ended: false });
    expect(io.take()).toEqual([
      { to: 'p1', msg: { type: 'decision', tx: 't1', commit: true } },
      { to: 'p2', msg: { type: 'decision', tx: 't1', commit: true } },
      { to: 'c1', msg: { type: 'outcome', tx: 't1', commit: true, reason: 'every participant voted yes' } },
    ]);
    expect(co.snapshot().txs.t1).toEqual({ state: 'committing', votes: { p1: 'yes', p2: 'yes' } });
  });

  it('a single no vote aborts at once, without forcing anything, and the transaction is done', () => {
    const { io, co } = voting();
    co.onVote(io, 'p2', 't1', false, 'insufficient funds in a12');
    expect(io.disk.unsynced).toBe(1); // the abort record is lazy
    expect(io.take().map((s) => [s.to, s.msg.type])).toEqual([
      ['p1', 'decision'],
      ['p2', 'decision'],
      ['c1', 'outcome'],
    ]);
    expect(co.snapshot().txs.t1).toEqual({ state: 'done', votes: { p1: null, p2: 'no' } });
  });

  it('a vote timeout aborts; with presumeYesOnTimeout it commits without the missing vote', () => {
    const ok = voting();
    ok.co.onVote(ok.io, 'p1', 't1', true, undefined);
    ok.co.onVoteTimeout(ok.io, 't1');
    expect(ok.io.take()[0]?.msg).toEqual({ type: 'decision', tx: 't1', commit: false });
    const bad = voting({ bugs: bugs({ presumeYesOnTimeout: true }) });
    bad.co.onVote(bad.io, 'p1', 't1', true, undefined);
    bad.co.onVoteTimeout(bad.io, 't1');
    expect(bad.io.take()[0]?.msg).toEqual({ type: 'decision', tx: 't1', commit: true });
  });

  it('planted bug commitBeforeLog: the decision is sent with its record unsynced until the lazy flush', () => {
    const { io, co } = voting({ bugs: bugs({ commitBeforeLog: true }) });
    co.onVote(io, 'p1', 't1', true, undefined);
    co.onVote(io, 'p2', 't1', true, undefined);
    expect(io.take()[0]?.msg).toEqual({ type: 'decision', tx: 't1', commit: true });
    expect(io.disk.durableView().has('dec/t1')).toBe(false);
    expect(io.timers.get('flush')).toBe(20_000);
    co.onFlush(io);
    expect(io.disk.durableView().get('dec/t1')).toMatchObject({ decision: 'commit' });
  });
});

describe('coordinator: phase 2 and the end record', () => {
  it('re-sends the commit to participants that have not acknowledged, and ends the transaction when all have', () => {
    const { io, co } = voting();
    co.onVote(io, 'p1', 't1', true, undefined);
    co.onVote(io, 'p2', 't1', true, undefined);
    io.take();
    co.onAck(io, 'p1', 't1');
    co.onResend(io, 't1');
    expect(io.take()).toEqual([{ to: 'p2', msg: { type: 'decision', tx: 't1', commit: true } }]);
    co.onAck(io, 'p2', 't1');
    expect(io.timers.has('resend/t1')).toBe(false);
    expect(io.disk.get('dec/t1')).toMatchObject({ decision: 'commit', ended: true });
    expect(co.snapshot().txs.t1?.state).toBe('done');
  });
});

describe('coordinator: queries and presumed abort', () => {
  it('does not answer while collecting votes; answers from memory, then from the log; no record means abort', () => {
    const { io, co } = voting();
    co.onQuery(io, 'p1', 't1');
    expect(io.take()).toEqual([]);
    co.onVote(io, 'p1', 't1', true, undefined);
    co.onVote(io, 'p2', 't1', true, undefined);
    io.take();
    co.onQuery(io, 'p1', 't1');
    co.onQuery(io, 'p1', 'never-heard-of');
    expect(io.take().map((s) => s.msg)).toEqual([
      { type: 'decision', tx: 't1', commit: true },
      { type: 'decision', tx: 'never-heard-of', commit: false },
    ]);
  });
});

describe('coordinator: recovery from the log', () => {
  it('re-sends every commit without an end record, forgets undecided transactions, and bumps its epoch', () => {
    const { io, co } = voting();
    co.onVote(io, 'p1', 't1', true, undefined);
    co.onVote(io, 'p2', 't1', true, undefined);
    co.onBegin(io, 'c2', 't2', TRANSFER);
    const io2 = io.restart();
    const r = new Coordinator(OPTS);
    r.recover(io2);
    expect(r.epoch).toBe(1);
    expect(io2.take()).toEqual([
      { to: 'p1', msg: { type: 'decision', tx: 't1', commit: true } },
      { to: 'p2', msg: { type: 'decision', tx: 't1', commit: true } },
      { to: 'c1', msg: { type: 'outcome', tx: 't1', commit: true, reason: 'committed (re-sent after coordinator recovery)' } },
    ]);
    r.onQuery(io2, 'p1', 't2');
    expect(io2.take()).toEqual([{ to: 'p1', msg: { type: 'decision', tx: 't2', commit: false } }]);
    r.onBegin(io2, 'c2', 't3', TRANSFER);
    expect(io2.take()[0]?.msg).toMatchObject({ type: 'work', epoch: 1 });
  });

  it('after a crash that lost an unsynced commit record (commitBeforeLog), it answers abort: the bug decision-stable catches', () => {
    const { io, co } = voting({ bugs: bugs({ commitBeforeLog: true }) });
    co.onVote(io, 'p1', 't1', true, undefined);
    co.onVote(io, 'p2', 't1', true, undefined);
    const io2 = io.restart();
    const r = new Coordinator(OPTS);
    r.recover(io2);
    r.onQuery(io2, 'p2', 't1');
    expect(io2.take()).toEqual([{ to: 'p2', msg: { type: 'decision', tx: 't1', commit: false } }]);
  });
});
