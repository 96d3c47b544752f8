// The lock client across a crash: the engine makes a fresh instance at every restart
// (sim/api/node.ts), so nothing volatile survives ("a restarted process remembers nothing");
// what it keeps is its incarnation, on disk, so that its request numbers stay above every
// earlier life's and the server's per-client late-duplicate table (server.ts) keeps working.

import { describe, expect, it } from 'vitest';
import { step, type JsonValue } from '../../sim/api/index.ts';
import { rootRng } from '../../sim/engine/random.ts';
import { INCARNATION_KEY, LockClient, REQS_PER_LIFE, type LockClientOptions } from '../../sim/protocols/lock/client.ts';
import type { LockMessage } from '../../sim/protocols/lock/messages.ts';
import { runLock, sends } from './helpers.ts';

const CLIENT: LockClientOptions = { recipe: 'fencing', server: 's1', resource: 'r1', locks: ['L1'], ttl: 500_000, keepAlive: 100_000, margin: 50_000, retry: 50_000, writes: 3, work: 5_000, think: 0, startAfter: 0, cycles: 0, neverRelease: false };

describe('lock client across a crash', () => {
  it('counts its lives on disk (fsynced before it sends) and numbers its requests after every earlier life', () => {
    const disk = new Map<string, JsonValue>([[INCARNATION_KEY, 2]]);
    const env = { id: 'c1', nodes: ['c1'], rng: rootRng('c1'), disk };
    const c = new LockClient(CLIENT);
    const rec = step(c, { kind: 'recover' }, env);
    expect(rec.filter((x) => x.kind === 'put' || x.kind === 'fsync').map((x) => (x.kind === 'put' ? `put ${x.key}=${JSON.stringify(x.value)}` : x.kind))).toEqual([`put ${INCARNATION_KEY}=3`, 'fsync']);
    const sent = step(c, { kind: 'timer', timer: { name: 'think' } }, env).find((x) => x.kind === 'send');
    expect(sent?.kind === 'send' && sent.msg.type === 'acquire' ? sent.msg.req : 0).toBe(2 * REQS_PER_LIFE + 1);
  });

  it('a corrupt incarnation record stops the process (fail-stop) instead of reusing request numbers', () => {
    const env = { id: 'c1', nodes: ['c1'], rng: rootRng('c1'), disk: new Map<string, JsonValue>() };
    const c = new LockClient(CLIENT);
    const corrupt = Object.assign(new Error('incarnation'), { name: 'DiskCorruptionError' });
    const io = { ...env, disk: { get: () => { throw corrupt; }, has: () => true, keys: () => [INCARNATION_KEY][Symbol.iterator]() } as unknown as Map<string, JsonValue> };
    const cmds = step(c, { kind: 'recover' }, io);
    expect(cmds.filter((x) => x.kind === 'send' || x.kind === 'set-timer')).toEqual([]);
    expect(step(c, { kind: 'timer', timer: { name: 'think' } }, env)).toEqual([]);
  });

  it('in a run, a client crashed while holding comes back as a new process: new session, higher request numbers, no violation', () => {
    const input = {
      name: 'lock-client-crash',
      description: 'c1 crashes inside its critical section and restarts',
      protocol: 'lock' as const,
      duration: '3s',
      seed: 4,
      config: { clients: 2, writes: 3, work: '40ms' },
      faults: { timeline: [{ at: '60ms', kind: 'crash' as const, node: 'c1' }, { at: '200ms', kind: 'restart' as const, node: 'c1' }] },
      expect: 'no-violation' as const,
    };
    const { result, events } = runLock(input);
    expect(result.violations).toEqual([]);
    const reqs = sends(events, 'c1').filter((s) => s.to === 's1' && s.msg.type === 'acquire') as { t: number; msg: Extract<LockMessage, { type: 'acquire' }> }[];
    const before = reqs.filter((s) => s.t < 60_000);
    const after = reqs.filter((s) => s.t >= 200_000);
    expect(before.length).toBeGreaterThan(0);
    expect(after.length).toBeGreaterThan(0);
    expect(Math.max(...before.map((s) => s.msg.req))).toBeLessThan(REQS_PER_LIFE);
    expect(Math.min(...after.map((s) => s.msg.req))).toBeGreaterThan(REQS_PER_LIFE);
    expect(new Set(after.map((s) => s.msg.session)).has(before[0]?.msg.session ?? '')).toBe(false);
  });
});
