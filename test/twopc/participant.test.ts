// The participant state machine, rule by rule, with exact effects.

import { describe, expect, it } from 'vitest';
import { Participant, type ParticipantOptions, type ParticipantTimer } from '../../sim/protocols/twopc/participant.ts';
import type { ParticipantState } from '../../sim/protocols/twopc/state.ts';
import { bugs, FakeIo } from './fake-io.ts';

const OPTS: ParticipantOptions = {
  accounts: ['a0', 'a1'],
  initialBalance: 100,
  workTimeout: 400_000,
  queryInterval: 150_000,
  cooperative: false,
  cooperativeAfter: 1,
  bugs: bugs(),
};

type PIo = FakeIo<ParticipantTimer, ParticipantState>;

function fresh(opts: Partial<ParticipantOptions> = {}): { io: PIo; p: Participant } {
  const io: PIo = new FakeIo('p1');
  const p = new Participant({ ...OPTS, ...opts });
  p.start(io);
  return { io, p };
}

/** Work then prepare for a debit of `amount` from a0 in transaction t1 (with p2 as the other participant). */
function prepared(amount = 30, opts: Partial<ParticipantOptions> = {}): { io: PIo; p: Participant } {
  const s = fresh(opts);
  s.p.onWork(s.io, 'co', 't1', 0, [{ account: 'a0', delta: -amount }], ['p1', 'p2']);
  s.p.onPrepare(s.io, 'co', 't1');
  s.io.take();
  return s;
}

describe('participant: execution phase (strict two-phase locking, no wait)', () => {
  it('locks the accounts it writes, arms the work timer and acknowledges', () => {
    const { io, p } = fresh();
    p.onWork(io, 'co', 't1', 0, [{ account: 'a0', delta: -10 }], ['p1', 'p2']);
    expect(io.take()).toEqual([{ to: 'co', msg: { type: 'work-ack', tx: 't1', ok: true } }]);
    expect([...p.locks]).toEqual([['a0', 't1']]);
    expect(io.timers.get('work/t1')).toBe(400_000);
    expect(p.snapshot().txs).toEqual({ t1: 'working' });
  });

  it('aborts alone on a lock conflict and says so', () => {
    const { io, p } = fresh();
    p.onWork(io, 'co', 't1', 0, [{ account: 'a0', delta: -10 }], ['p1', 'p2']);
    p.onWork(io, 'co', 't2', 0, [{ account: 'a0', delta: 5 }], ['p1', 'p2']);
    expect(io.take()[1]).toEqual({ to: 'co', msg: { type: 'work-ack', tx: 't2', ok: false, reason: 'lock conflict on a0' } });
    expect([...p.locks]).toEqual([['a0', 't1']]);
    expect(p.snapshot().txs).toEqual({ t1: 'working', t2: 'aborted' });
  });

  it('an unvoted transaction aborts alone on its work timeout and releases its locks (TCommit RMChooseToAbort)', () => {
    const { io, p } = fresh();
    p.onWork(io, 'co', 't1', 0, [{ account: 'a0', delta: -10 }], ['p1', 'p2']);
    io.take();
    p.onWorkTimeout(io, 't1');
    expect(p.locks.size).toBe(0);
    expect(p.txs.get('t1')?.state).toBe('aborted');
    p.onPrepare(io, 'co', 't1');
    expect(io.take()).toEqual([{ to: 'co', msg: { type: 'vote', tx: 't1', yes: false, reason: 'already aborted' } }]);
  });

  it('refuses a second attempt of a transaction it holds from an earlier coordinator incarnation', () => {
    const { io, p } = fresh();
    p.onWork(io, 'co', 't1', 0, [{ account: 'a0', delta: -10 }], ['p1', 'p2']);
    p.onWork(io, 'co', 't1', 0, [{ account: 'a0', delta: -10 }], ['p1', 'p2']);
    p.onWork(io, 'co', 't1', 1, [{ account: 'a0', delta: -10 }], ['p1', 'p2']);
    expect(io.take().map((s) => s.msg)).toEqual([
      { type: 'work-ack', tx: 't1', ok: true },
      { type: 'work-ack', tx: 't1', ok: true },
      { type: 'work-ack', tx: 't1', ok: false, reason: 'already working' },
    ]);
  });
});

describe('participant: phase 1 (vote)', () => {
  it('forces the prepared record to disk before voting yes, then is in doubt', () => {
    const { io, p } = fresh();
    p.onWork(io, 'co', 't1', 0, [{ account: 'a0', delta: -30 }], ['p1', 'p2']);
    io.take();
    io.t = 1000;
    p.onPrepare(io, 'co', 't1');
    expect(io.take()).toEqual([{ to: 'co', msg: { type: 'vote', tx: 't1', yes: true } }]);
    expect(io.disk.unsynced).toBe(0);
    expect(io.disk.durableView().get('tx/t1')).toMatchObject({ state: 'prepared', ops: [{ account: 'a0', delta: -30 }], coordinator: 'co' });
    expect(p.snapshot()).toEqual({ txs: { t1: 'prepared' }, inDoubt: ['t1'], balance: 200, locks: { a0: 't1' } });
    expect(io.timers.has('work/t1')).toBe(false);
    expect(io.timers.get('in-doubt/t1')).toBe(151_000);
  });

  it('votes no and aborts when the debit exceeds the balance', () => {
    const { io, p } = fresh();
    p.onWork(io, 'co', 't1', 0, [{ account: 'a0', delta: -101 }], ['p1', 'p2']);
    io.take();
    p.onPrepare(io, 'co', 't1');
    expect(io.take()).toEqual([{ to: 'co', msg: { type: 'vote', tx: 't1', yes: false, reason: 'insufficient funds in a0' } }]);
    expect(p.locks.size).toBe(0);
    // A unilateral abort is final, so its record is forced (a restart must not forget it and accept retried work).
    expect(io.disk.durableView().get('tx/t1')).toMatchObject({ state: 'aborted' });
  });

  it('a unilateral abort survives a crash: after recovery the retried work of that transaction is refused, and its prepare gets a no', () => {
    const { io, p } = fresh();
    p.onWork(io, 'co', 't1', 0, [{ account: 'a0', delta: -10 }], ['p1', 'p2']);
    p.onWork(io, 'co', 't2', 0, [{ account: 'a0', delta: 5 }], ['p1', 'p2']); // lock conflict: t2 aborted alone
    io.take();
    const io2 = io.restart();
    const q = new Participant(OPTS);
    q.recover(io2);
    io2.take();
    q.onWork(io2, 'co', 't2', 0, [{ account: 'a0', delta: 5 }], ['p1', 'p2']); // the coordinator's retry of the same attempt
    expect(io2.take()).toEqual([{ to: 'co', msg: { type: 'work-ack', tx: 't2', ok: false, reason: 'already aborted' } }]);
    q.onPrepare(io2, 'co', 't2');
    expect(io2.take()).toEqual([{ to: 'co', msg: { type: 'vote', tx: 't2', yes: false, reason: 'already aborted' } }]);
    expect(q.locks.size).toBe(0);
  });

  it('votes no for a transaction whose work it does not have', () => {
    const { io, p } = fresh();
    p.onPrepare(io, 'co', 'tx9');
    expect(io.take()).toEqual([{ to: 'co', msg: { type: 'vote', tx: 'tx9', yes: false, reason: 'unknown transaction' } }]);
  });

  it('planted bug voteYesWithoutLog: the yes vote leaves the prepared record unsynced', () => {
    const { io, p } = fresh({ bugs: bugs({ voteYesWithoutLog: true }) });
    p.onWork(io, 'co', 't1', 0, [{ account: 'a0', delta: -30 }], ['p1', 'p2']);
    p.onPrepare(io, 'co', 't1');
    expect(io.take().at(-1)?.msg).toEqual({ type: 'vote', tx: 't1', yes: true });
    expect(io.disk.durableView().has('tx/t1')).toBe(false);
  });
});

describe('participant: phase 2 (decision)', () => {
  it('on commit forces the commit record and balances, releases the locks, acknowledges', () => {
    const { io, p } = prepared(30);
    p.onDecision(io, 't1', true, 'coordinator');
    expect(io.take()).toEqual([{ to: 'co', msg: { type: 'ack', tx: 't1' } }]);
    expect(p.locks.size).toBe(0);
    expect(p.balances.get('a0')).toBe(70);
    const durable = io.disk.durableView();
    expect(durable.get('acct/a0')).toBe(70);
    expect(durable.get('tx/t1')).toMatchObject({ state: 'committed' });
    expect(p.snapshot()).toEqual({ txs: { t1: 'committed' }, inDoubt: [], balance: 170, locks: {} });
  });

  it('applies a commit once however often it arrives, acknowledging each time', () => {
    const { io, p } = prepared(30);
    p.onDecision(io, 't1', true, 'coordinator');
    p.onDecision(io, 't1', true, 'coordinator');
    expect(io.take().length).toBe(2);
    expect(p.balances.get('a0')).toBe(70);
  });

  it('planted bug nonIdempotentCommit: a re-sent commit is applied again', () => {
    const { io, p } = prepared(30, { bugs: bugs({ nonIdempotentCommit: true }) });
    p.onDecision(io, 't1', true, 'coordinator');
    p.onDecision(io, 't1', true, 'coordinator');
    expect(p.balances.get('a0')).toBe(40);
  });

  it('on abort releases the locks without acknowledging (presumed abort)', () => {
    const { io, p } = prepared(30);
    p.onDecision(io, 't1', false, 'coordinator');
    expect(io.take()).toEqual([]);
    expect(p.locks.size).toBe(0);
    expect(p.balances.get('a0')).toBe(100);
  });

  it('planted bug keepLocksOnAbort: the abort leaves the lock behind', () => {
    const { io, p } = prepared(30, { bugs: bugs({ keepLocksOnAbort: true }) });
    p.onDecision(io, 't1', false, 'coordinator');
    expect([...p.locks]).toEqual([['a0', 't1']]);
  });
});

describe('participant: termination protocol while in doubt', () => {
  it('asks the coordinator on every in-doubt timeout and never decides alone', () => {
    const { io, p } = prepared();
    for (let i = 0; i < 5; i++) p.onInDoubtTimeout(io, 't1');
    expect(io.take()).toEqual(Array.from({ length: 5 }, () => ({ to: 'co', msg: { type: 'query', tx: 't1' } })));
    expect(p.txs.get('t1')?.state).toBe('prepared');
    expect([...p.locks]).toEqual([['a0', 't1']]);
  });

  it('with cooperative termination, asks the other participants after cooperativeAfter unanswered queries', () => {
    const { io, p } = prepared(30, { cooperative: true, cooperativeAfter: 1 });
    p.onInDoubtTimeout(io, 't1');
    p.onInDoubtTimeout(io, 't1');
    expect(io.take()).toEqual([
      { to: 'co', msg: { type: 'query', tx: 't1' } },
      { to: 'co', msg: { type: 'query', tx: 't1' } },
      { to: 'p2', msg: { type: 'peer-query', tx: 't1' } },
    ]);
    p.onMessage(io, 'p2', { type: 'peer-answer', tx: 't1', outcome: 'uncertain' });
    expect(p.txs.get('t1')?.state).toBe('prepared');
    p.onMessage(io, 'p2', { type: 'peer-answer', tx: 't1', outcome: 'commit' });
    expect(p.txs.get('t1')?.state).toBe('committed');
    expect(io.logs.at(-1)).toMatch(/^resolved t1: committed via peer p2 after/);
  });

  it('answers a peer query with what it knows; an unvoted participant aborts first and forces that abort', () => {
    const { io, p } = prepared();
    p.onPeerQuery(io, 'p2', 't1');
    p.onWork(io, 'co', 't2', 0, [{ account: 'a1', delta: 5 }], ['p1', 'p2']);
    io.take();
    p.onPeerQuery(io, 'p2', 't2');
    p.onPeerQuery(io, 'p2', 't3');
    expect(io.take().map((s) => s.msg)).toEqual([
      { type: 'peer-answer', tx: 't2', outcome: 'abort' },
      { type: 'peer-answer', tx: 't3', outcome: 'abort' },
    ]);
    expect(io.disk.durableView().get('tx/t3')).toMatchObject({ state: 'aborted' });
    p.onPrepare(io, 'co', 't3');
    expect(io.take()[0]?.msg).toMatchObject({ type: 'vote', tx: 't3', yes: false });
  });

  it('planted bug inDoubtDecidesAlone: the in-doubt timeout aborts', () => {
    const { io, p } = prepared(30, { bugs: bugs({ inDoubtDecidesAlone: true }) });
    p.onInDoubtTimeout(io, 't1');
    expect(p.txs.get('t1')?.state).toBe('aborted');
  });
});

describe('participant: recovery from the log', () => {
  it('keeps committed balances, forgets unvoted work, re-locks in-doubt transactions and asks the coordinator', () => {
    const { io, p } = fresh();
    p.onWork(io, 'co', 't1', 0, [{ account: 'a0', delta: -30 }], ['p1', 'p2']);
    p.onPrepare(io, 'co', 't1');
    p.onDecision(io, 't1', true, 'coordinator');
    p.onWork(io, 'co', 't2', 0, [{ account: 'a1', delta: 20 }], ['p1', 'p2']);
    p.onPrepare(io, 'co', 't2');
    p.onWork(io, 'co', 't3', 0, [{ account: 'a0', delta: 5 }], ['p1', 'p2']);
    const io2 = io.restart();
    const r = new Participant(OPTS);
    r.recover(io2);
    expect(Object.fromEntries(r.balances)).toEqual({ a0: 70, a1: 100 });
    expect([...r.locks]).toEqual([['a1', 't2']]);
    expect(r.snapshot()).toEqual({ txs: { t1: 'committed', t2: 'prepared' }, inDoubt: ['t2'], balance: 170, locks: { a1: 't2' } });
    expect(io2.take()).toEqual([{ to: 'co', msg: { type: 'query', tx: 't2' } }]);
    expect(io2.timers.has('in-doubt/t2')).toBe(true);
  });

  it('planted bug noQueryAfterRecovery: recovered in doubt, it never asks', () => {
    const { io, p } = prepared(30, { bugs: bugs({ noQueryAfterRecovery: true }) });
    const io2 = io.restart();
    const r = new Participant({ ...OPTS, bugs: bugs({ noQueryAfterRecovery: true }) });
    r.recover(io2);
    expect(r.snapshot().inDoubt).toEqual(['t1']);
    expect(io2.take()).toEqual([]);
    expect(io2.timers.size).toBe(0);
    void p;
  });
});
