// TigerBeetle's discipline for the lock server's tables: the locks (holders and fencing tokens)
// are bounded by the config's lock names, asserted; waiters of a lock are distinct live sessions,
// asserted. A config beyond the bound is bad input (one line naming the field).

import { describe, expect, it } from 'vitest';
import { AssertionFailure } from '../../sim/engine/assert.ts';
import { LockTable, type LockCommand } from '../../sim/protocols/common/lock-table.ts';
import { InputError } from '../../sim/scenario/errors.ts';
import { parseScenario } from '../../sim/scenario/resolve.ts';
import { runScenario } from '../../sim/scenario/run.ts';

const acquire = (session: string, lock: string, now: number): LockCommand => ({ op: 'acquire', session, lock, ttl: 100, wait: true, now });

describe('lock table bounds', () => {
  it('holds at most maxLocks lock names: one more is an assertion, the ones it has keep working', () => {
    const t = new LockTable({ maxLocks: 2 });
    t.apply(acquire('a', 'L1', 0));
    t.apply(acquire('b', 'L2', 0));
    expect(() => t.apply(acquire('c', 'L3', 1))).toThrow(AssertionFailure);
    expect(() => t.apply(acquire('c', 'L3', 1))).toThrow('lock table: a lock "L3" beyond the 2 it may hold');
    expect(t.apply(acquire('c', 'L1', 2)).reply).toMatchObject({ kind: 'queued', lock: 'L1', position: 0 });
    expect(() => LockTable.restore({ now: 0, nextToken: 4, sessions: { a: { expiresAt: 9 } }, locks: { L1: { holder: 'a', token: 1, waiters: [] }, L2: { holder: null, token: 2, waiters: [] }, L3: { holder: null, token: 3, waiters: [] } } }, { maxLocks: 2 })).toThrow('lock table: restored 3 locks, more than the 2 it may hold');
  });

  it('a lock config over the bound is bad input naming the field; a run with every lock in use passes', () => {
    let message = 'accepted';
    try {
      parseScenario({ name: 'x', description: 'd', protocol: 'lock', duration: '1s', config: { locks: 65 } }, 'f.json');
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      message = e.describe();
    }
    expect(message).toMatch(/^f\.json: config\.locks: expected a number at most 64 \(got 65\)$/);
    const r = runScenario({ name: 'x', description: 'd', protocol: 'lock', duration: '4s', seed: 2, config: { locks: 3, clients: 6 }, expect: 'no-violation' }, { hash: false });
    expect(r.violations).toEqual([]);
    expect(r.stats.operations.ok).toBeGreaterThan(3);
  });
});

// The server's late-duplicate table and the resource's duplicate table: one entry per client (and
// lock), however many sessions and tenures the workload opens; a late copy is still recognised.
import { step, type JsonValue, type ProtocolNode, type Timer } from '../../sim/api/index.ts';
import { rootRng } from '../../sim/engine/random.ts';
import type { LockMessage } from '../../sim/protocols/lock/messages.ts';
import { LockResource } from '../../sim/protocols/lock/resource.ts';
import { LockServer } from '../../sim/protocols/lock/server.ts';

function feed<T extends Timer, P extends JsonValue>(node: ProtocolNode<LockMessage, T, P>, id: string, inputs: { from: string; msg: LockMessage }[], disk = new Map<string, JsonValue>()): string[][] {
  const env = { id, nodes: [id], rng: rootRng(id), disk };
  step(node, { kind: 'start' }, env);
  return inputs.map(({ from, msg }) =>
    step(node, { kind: 'message', from, msg }, env).flatMap((c) => (c.kind === 'send' ? [`${c.to} ${c.msg.type}${c.msg.type === 'lock-reply' ? ` ${c.msg.reply.kind}` : c.msg.type === 'write-ack' ? ` dup=${c.msg.dup}` : ''}`] : [])),
  );
}

const acq = (session: string, req: number, lock = 'L1'): { from: string; msg: LockMessage } => ({ from: session.split('/')[0] ?? session, msg: { type: 'acquire', req, session, lock, ttl: 1_000_000, wait: false, open: true } });
const rel = (session: string, req: number, lock = 'L1'): { from: string; msg: LockMessage } => ({ from: session.split('/')[0] ?? session, msg: { type: 'release', req, session, lock } });
const wr = (client: string, tenure: string, seq: number, order: number): { from: string; msg: LockMessage } => ({ from: client, msg: { type: 'write', lock: 'L1', client, tenure, token: null, seq, order, value: `${tenure}:${seq}` } });

describe('lock server: late-duplicate table bounded by clients x locks', () => {
  it('a Redis-style client with a session per attempt keeps one entry; a late copy of an earlier session is dropped', () => {
    const server = new LockServer({ skipFsync: false, expireEarlyBy: 0, maxLocks: 1, maxClients: 1 });
    const inputs = [];
    for (let i = 0; i < 50; i++) inputs.push(acq(`c1/s${i}`, 2 * i + 1), rel(`c1/s${i}`, 2 * i + 2));
    const out = feed(server, 's1', [...inputs, acq('c1/s0', 1)]);
    expect(out.slice(0, 4)).toEqual([['c1 lock-reply granted'], ['c1 lock-reply released'], ['c1 lock-reply granted'], ['c1 lock-reply released']]);
    // Before, session s0's acquire (request 1) was judged only against s0's own requests and took the free lock for a dead session.
    expect(out.at(-1)).toEqual([]);
  });

  it('a client beyond clients x locks is an assertion, not a silently growing table', () => {
    const server = new LockServer({ skipFsync: false, expireEarlyBy: 0, maxLocks: 1, maxClients: 2 });
    expect(() => feed(server, 's1', [acq('c1/a', 1), acq('c2/a', 1), acq('c3/a', 1)])).toThrow('lock server: 3 request-number entries, bound 2 clients x 1 locks');
  });
});

describe('lock resource: duplicate table bounded by clients', () => {
  it('one entry per client across tenures: a retransmission is acknowledged again, an older write dropped', () => {
    const r = new LockResource({ fencing: false, ignoreStaleTokens: false, maxClients: 1 });
    const inputs = [];
    for (let i = 1; i <= 40; i++) inputs.push(wr('c1', `c1/s${i}#0`, 1, i));
    const out = feed(r, 'r1', [...inputs, wr('c1', 'c1/s40#0', 1, 40), wr('c1', 'c1/s3#0', 1, 3)]);
    expect(out.slice(0, 40).every((o) => o[0] === 'c1 write-ack dup=false')).toBe(true);
    expect(out.slice(40)).toEqual([['c1 write-ack dup=true'], []]);
  });

  it('a client beyond the bound is an assertion', () => {
    const r = new LockResource({ fencing: false, ignoreStaleTokens: false, maxClients: 1 });
    expect(() => feed(r, 'r1', [wr('c1', 't1', 1, 1), wr('c2', 't2', 1, 1)])).toThrow('resource: 2 clients in the duplicate table, bound 1');
  });
});
