// TigerBeetle's discipline for two-phase commit's tables: every table that grows with the
// workload has a bound, asserted; a config that would exceed a bound is bad input.
// - coordinator: at most maxOpenTransactions open transactions; a begin beyond is refused
//   (the client gets an abort; no record, presumed abort); config rule maxOpenTransactions >= clients.
// - participant: unresolved transactions <= the shard's accounts (each holds a distinct lock);
//   resolved ones kept in memory <= RESOLVED_IN_MEMORY, older ones answered from the log alike.

import { describe, expect, it } from 'vitest';
import { Coordinator, type CoordinatorTimer } from '../../sim/protocols/twopc/coordinator.ts';
import { Participant, RESOLVED_IN_MEMORY, type ParticipantTimer } from '../../sim/protocols/twopc/participant.ts';
import type { CoordinatorState, ParticipantState } from '../../sim/protocols/twopc/state.ts';
import { InputError } from '../../sim/scenario/errors.ts';
import { parseScenario } from '../../sim/scenario/resolve.ts';
import { runScenario } from '../../sim/scenario/run.ts';
import { bugs, FakeIo } from './fake-io.ts';

const CO = { accountsPerShard: 10, voteTimeout: 200_000, retryInterval: 50_000, resendInterval: 150_000, lazyFlush: 20_000, bugs: bugs() };
const P = { accounts: ['a0', 'a1'], initialBalance: 100, workTimeout: 400_000, queryInterval: 150_000, cooperative: false, cooperativeAfter: 1, bugs: bugs() };

function configError(config: Record<string, unknown>): string {
  try {
    parseScenario({ name: 'x', description: 'd', protocol: 'twopc', duration: '1s', config }, 'f.json');
  } catch (e) {
    if (e instanceof InputError) return e.describe();
    throw e;
  }
  return 'accepted';
}

describe('twopc coordinator: open transactions are bounded by maxOpenTransactions', () => {
  it('refuses a begin beyond the bound with an abort outcome and keeps the table at the bound', () => {
    const io = new FakeIo<CoordinatorTimer, CoordinatorState>('co');
    const co = new Coordinator({ ...CO, maxOpen: 2, clients: 2 });
    co.start(io);
    co.onBegin(io, 'c1', 't1', { from: 'a3', to: 'a12', amount: 7 });
    co.onBegin(io, 'c2', 't2', { from: 'a4', to: 'a13', amount: 7 });
    io.take();
    co.onBegin(io, 'c1', 't3', { from: 'a5', to: 'a14', amount: 7 });
    expect(io.take()).toEqual([{ to: 'c1', msg: { type: 'outcome', tx: 't3', commit: false, reason: 'coordinator busy: 2 open transactions (maxOpenTransactions)' } }]);
    expect([...co.txs.keys()]).toEqual(['t1', 't2']);
    expect(io.disk.keys('dec/')).toEqual([]);
  });

  it('a bound below the number of clients is bad input naming the field; the bound itself is capped', () => {
    expect(configError({ clients: 5, maxOpenTransactions: 4 })).toBe('f.json: config.maxOpenTransactions: expected at least one open transaction per client: maxOpenTransactions >= clients (5)');
    expect(configError({ clients: 5, maxOpenTransactions: 5000 })).toMatch(/^f\.json: config\.maxOpenTransactions: expected a number at most 4096 \(got 5000\)/);
    expect(configError({ clients: 5, maxOpenTransactions: 5 })).toBe('accepted');
    expect(() => new Coordinator({ ...CO, maxOpen: 4, clients: 5 })).toThrow('coordinator: maxOpen 4 below the 5 clients');
  });

  it('a run at the bound (one open transaction per client) keeps every invariant', () => {
    const r = runScenario({ name: 'x', description: 'd', protocol: 'twopc', duration: '3s', seed: 3, config: { clients: 4, maxOpenTransactions: 4, participants: 2 }, faults: { timeline: [{ at: '500ms', kind: 'crash', node: 'p1' }, { at: '1500ms', kind: 'restart', node: 'p1' }, { at: '1600ms', kind: 'quiesce' }] }, expect: 'no-violation' }, { hash: false });
    expect(r.violations).toEqual([]);
    expect(r.expectation.held).toBe(true);
  });
});

describe('twopc participant: resolved transactions kept in memory are bounded; older ones answered from the log', () => {
  it(`keeps at most ${RESOLVED_IN_MEMORY} resolved transactions in memory over 200, and answers a late decision of the first as before`, () => {
    const io = new FakeIo<ParticipantTimer, ParticipantState>('p1');
    const p = new Participant(P);
    p.start(io);
    let maxSize = 0;
    for (let i = 1; i <= 200; i++) {
      p.onWork(io, 'co', `t${i}`, 0, [{ account: 'a0', delta: 1 }], ['p1', 'p2']);
      p.onPrepare(io, 'co', `t${i}`);
      p.onDecision(io, `t${i}`, i % 3 !== 0, 'coordinator');
      maxSize = Math.max(maxSize, p.txs.size);
    }
    expect(maxSize).toBeLessThanOrEqual(RESOLVED_IN_MEMORY);
    expect(p.txs.has('t1')).toBe(false);
    io.take();
    // t1 committed long ago: a duplicate commit is acknowledged again, a duplicate work or prepare gets the same answers.
    p.onDecision(io, 't1', true, 'coordinator');
    p.onWork(io, 'co', 't3', 0, [{ account: 'a0', delta: 1 }], ['p1', 'p2']);
    p.onPrepare(io, 'co', 't1');
    p.onPrepare(io, 'co', 't3');
    expect(io.take()).toEqual([
      { to: 'co', msg: { type: 'ack', tx: 't1' } },
      { to: 'co', msg: { type: 'work-ack', tx: 't3', ok: false, reason: 'already aborted' } },
      { to: 'co', msg: { type: 'vote', tx: 't1', yes: true } },
      { to: 'co', msg: { type: 'vote', tx: 't3', yes: false, reason: 'already aborted' } },
    ]);
    expect(p.txs.size).toBeLessThanOrEqual(RESOLVED_IN_MEMORY);
    // The shard's balance counts every commit exactly once.
    expect(p.snapshot().balance).toBe(200 + 200 - Math.floor(200 / 3));
  });

  it('unresolved transactions never outnumber the accounts: each holds a distinct lock', () => {
    const io = new FakeIo<ParticipantTimer, ParticipantState>('p1');
    const p = new Participant(P);
    p.start(io);
    for (let i = 1; i <= 5; i++) p.onWork(io, 'co', `t${i}`, 0, [{ account: `a${i % 2}`, delta: 1 }], ['p1', 'p2']);
    expect(p.snapshot().txs).toEqual({ t1: 'working', t2: 'working', t3: 'aborted', t4: 'aborted', t5: 'aborted' });
  });
});
