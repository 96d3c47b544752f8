// The replicated state machine of section 8: the KV store, the lock table, and
// client sessions that make a retried command apply once.

import { describe, expect, it } from 'vitest';
import { kvService } from '../../sim/protocols/raft/kv.ts';
import { lockService } from '../../sim/protocols/raft/lock-service.ts';
import { ReplicatedMachine, type StateMachineDefinition } from '../../sim/protocols/raft/machine.ts';
import { raftClientNodes, type Workload } from '../../sim/protocols/raft/client.ts';
import { raftConfig, raftProtocolCheckers, raftServerIds, raftServerNodes } from '../../sim/protocols/raft/protocol.ts';
import { MS } from '../../sim/engine/time.ts';
import { runTraced } from '../engine/harness.ts';
import type { Command } from '../../sim/protocols/raft/types.ts';

const cmd = (client: string, seq: number, op: Record<string, unknown>): Command => ({ kind: 'client', client, seq, op: op as never });

describe('section 8 client sessions', () => {
  it('a retried command (same client and seq) is applied once and answered with the first result', () => {
    const m = ReplicatedMachine.create(kvService);
    expect(m.apply(cmd('c1', 1, { f: 'append', key: 'k', value: 'a' }))).toBeNull();
    expect(m.apply(cmd('c1', 1, { f: 'append', key: 'k', value: 'a' }))).toBeNull();
    expect(m.apply(cmd('c2', 1, { f: 'get', key: 'k' }))).toBe('a');
    expect(m.apply(cmd('c2', 1, { f: 'get', key: 'k' }))).toBe('a');
    expect(m.answered('c2', 1)).toBe('a');
    expect(m.answered('c2', 2)).toBeUndefined();
  });

  it("a command older than the client's latest is not applied", () => {
    const m = ReplicatedMachine.create(kvService);
    m.apply(cmd('c1', 2, { f: 'put', key: 'k', value: 'new' }));
    expect(m.apply(cmd('c1', 1, { f: 'put', key: 'k', value: 'old' }))).toBeNull();
    expect(m.query({ f: 'get', key: 'k' })).toBe('new');
  });

  it('get, put, append and compare-and-set, with "" for an absent key', () => {
    const m = ReplicatedMachine.create(kvService);
    expect(m.apply(cmd('c', 1, { f: 'get', key: 'x' }))).toBe('');
    expect(m.apply(cmd('c', 2, { f: 'cas', key: 'x', expected: '', value: 'v1' }))).toBe(true);
    expect(m.apply(cmd('c', 3, { f: 'cas', key: 'x', expected: 'v0', value: 'v2' }))).toBe(false);
    m.apply(cmd('c', 4, { f: 'append', key: 'x', value: '+' }));
    expect(m.query({ f: 'get', key: 'x' })).toBe('v1+');
    m.apply(cmd('c', 5, { f: 'put', key: 'x', value: 'p' }));
    expect(m.query({ f: 'get', key: 'x' })).toBe('p');
  });

  it('a snapshot restores the data and the sessions: a retry after a restore is still not applied twice', () => {
    const m = ReplicatedMachine.create(kvService);
    m.apply(cmd('c1', 1, { f: 'append', key: 'k', value: 'a' }));
    const r = ReplicatedMachine.restore(kvService, JSON.parse(JSON.stringify(m.snapshot())));
    expect(r.apply(cmd('c1', 1, { f: 'append', key: 'k', value: 'a' }))).toBeNull();
    expect(r.query({ f: 'get', key: 'k' })).toBe('a');
    const [before, after] = [m.snapshot() as { state: unknown; sessions: unknown }, r.snapshot() as { state: unknown; sessions: unknown }];
    expect([after.state, after.sessions]).toEqual([before.state, before.sessions]);
  });

  it("the lock table replicated: same commands (with the leader's timestamps), same grants and fencing tokens", () => {
    const m = ReplicatedMachine.create(lockService);
    const a = m.apply(cmd('c1', 1, { f: 'acquire', lock: 'L', ttl: 1000, wait: false, session: 'c1', now: 10 }));
    const b = m.apply(cmd('c2', 1, { f: 'acquire', lock: 'L', ttl: 1000, wait: false, session: 'c2', now: 20 }));
    expect(a).toMatchObject({ kind: 'granted', grant: { token: 1 } });
    expect(b).toMatchObject({ kind: 'busy', holder: 'c1' });
    expect(m.apply(cmd('c1', 2, { f: 'release', lock: 'L', token: 1, session: 'c1', now: 30 }))).toMatchObject({ kind: 'released', token: 1 });
    const replica = ReplicatedMachine.restore(lockService, JSON.parse(JSON.stringify(m.snapshot())));
    expect(replica.apply(cmd('c2', 2, { f: 'acquire', lock: 'L', ttl: 1000, wait: false, session: 'c2', now: 40 }))).toMatchObject({ kind: 'granted', grant: { token: 2 } });
  });
});

describe('another state machine on this Raft (raftServerNodes)', () => {
  /** A counter: `incr` answers the new value. Each increment must be applied exactly once, so the answers are distinct. */
  const counter: StateMachineDefinition = {
    name: 'counter',
    create(snapshot) {
      let n = snapshot === null ? 0 : (snapshot as number);
      return { apply: () => ++n, snapshot: () => n };
    },
    describe: () => 'incr',
  };
  const incr: Workload = {
    next: (_rng, client, seq) => (seq > 40 ? undefined : { call: { process: client, f: 'incr' }, op: { f: 'incr' }, outcome: (value) => ({ outcome: 'ok', value }) }),
  };

  it('three servers replicate a counter through a leader crash and snapshots: every increment is applied once, Figure 3 holds', () => {
    const config = raftConfig.parse({ servers: 3, clients: 2, snapshotEvery: 5, client: { requestTimeout: '100ms' } });
    const servers = raftServerIds(config);
    const nodes = [
      ...raftServerNodes(config, counter),
      ...raftClientNodes(2, { servers, thinkTime: 5 * MS, requestTimeout: 100 * MS, backoff: 10 * MS, stopAt: 0 }, () => incr),
    ];
    const run = runTraced({ nodes, until: 6_000 * MS, checkers: raftProtocolCheckers(config), faults: [
      { at: 1_500 * MS, kind: 'crash', node: 'n1' },
      { at: 1_500 * MS, kind: 'crash', node: 'n2' },
      { at: 1_800 * MS, kind: 'restart', node: 'n1' },
      { at: 2_500 * MS, kind: 'restart', node: 'n2' },
    ] });
    expect(run.violations).toEqual([]);
    const answers = run.events.flatMap((e) => (e.type === 'return' && e.outcome === 'ok' ? [e.value as number] : []));
    expect(answers.length).toBe(80);
    expect(new Set(answers).size).toBe(answers.length);
    expect(Math.max(...answers)).toBe(80);
    // The log was compacted and the published entries name the counter's commands.
    const last = run.events.filter((e) => e.type === 'state' && e.node === 'n3').at(-1);
    expect(last?.type === 'state' && (last.state as { snapshotIndex: number }).snapshotIndex).toBeGreaterThan(0);
    expect(run.events.some((e) => e.type === 'state' && JSON.stringify(e.state).includes('"cmd":"incr"'))).toBe(true);
  });
});
