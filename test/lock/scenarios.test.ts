// The lock scenarios, with their exact effects read off the trace: who got
// which token, which writes the resource took or refused, what a crash did.

import { describe, expect, it } from 'vitest';
import unsafePause from '../../scenarios/lock-unsafe-pause.ts';
import fencingPause from '../../scenarios/lock-fencing-pause.ts';
import serverRestart from '../../scenarios/lock-server-restart.ts';
import driftUnsafe from '../../scenarios/lock-drift-unsafe.ts';
import driftFencing from '../../scenarios/lock-drift-fencing.ts';
import volatileTable from '../../scenarios/lock-bug-volatile-table.ts';
import { acks, grants, runLock } from './helpers.ts';

describe('lock-unsafe-pause: Redis-style lock, the paused holder overwrites its successor', () => {
  const { result, events } = runLock(unsafePause);

  it('reports exactly the mutual-exclusion violation, so the scenario expectation holds', () => {
    expect(result.violations.map((v) => v.invariant)).toEqual(['mutual-exclusion']);
    expect(result.expectation.held).toBe(true);
  });

  it('c1 held token 1, c2 got the lock only after c1 lease expired on the server, and c1 wrote after c2', () => {
    const g = grants(events);
    expect(g.map((x) => [x.session.split('/')[0], x.token])).toEqual([['c1', 1], ['c2', 2]]);
    const expiry = events.find((e) => e.type === 'log' && e.node === 's1' && e.text.includes('expired'));
    expect(expiry?.t).toBeLessThan((g[1] as { t: number }).t);
    const accepted = acks(events).filter((a) => a.ok);
    expect(accepted.map((a) => `${a.client}:${a.seq}`)).toEqual(['c1:1', 'c2:1', 'c2:2', 'c2:3', 'c1:2']);
    // Without fencing no write carries a token.
    expect(accepted.every((a) => a.token === null)).toBe(true);
  });

  it('the server is not at fault: with only the server and history checkers, nothing fires', () => {
    const r = runLock(unsafePause, {}, { checkers: ['single-holder', 'token-order', 'linearizable'], expect: 'no-violation' });
    expect(r.result.violations).toEqual([]);
  });
});

describe('lock-fencing-pause: the same sequence with fencing tokens', () => {
  const { result, events } = runLock(fencingPause);

  it('has no violation', () => {
    expect(result.violations).toEqual([]);
  });

  it('c2 waited in the queue and was granted token 2 when c1 session expired; c1 stale write is refused', () => {
    const g = grants(events);
    expect(g.map((x) => [x.session.split('/')[0], x.token])).toEqual([['c1', 1], ['c2', 2]]);
    const a = acks(events);
    expect(a.map((x) => `${x.client}:${x.seq}:${x.token}:${x.ok ? 'ok' : 'rejected'}`)).toEqual(['c1:1:1:ok', 'c2:1:2:ok', 'c2:2:2:ok', 'c2:3:2:ok', 'c1:2:1:rejected']);
    expect(a.at(-1)?.highestToken).toBe(2);
  });

  it('without fencing at the resource the very same run violates mutual exclusion', () => {
    const r = runLock(fencingPause, { fencing: false });
    expect(r.result.violations.map((v) => v.invariant)).toEqual(['mutual-exclusion']);
  });
});

describe('lock-server-restart: crashes while leases are out', () => {
  const { result, events } = runLock(serverRestart);

  it('has no violation and keeps serving after both restarts', () => {
    expect(result.violations).toEqual([]);
    const restarts = events.filter((e) => e.type === 'restart').map((e) => e.t);
    expect(restarts).toEqual([650_000, 2_100_000]);
    const after = grants(events).filter((g) => g.t > 2_100_000);
    expect(after.length).toBeGreaterThan(0);
  });

  it('every token after a restart is above every token before the crash', () => {
    const g = grants(events);
    for (const [crash, restart] of [[500_000, 650_000], [1_500_000, 2_100_000]] as const) {
      const before = Math.max(...g.filter((x) => x.t < crash).map((x) => x.token));
      const after = g.filter((x) => x.t > restart).map((x) => x.token);
      expect(after.length).toBeGreaterThan(0);
      expect(Math.min(...after)).toBeGreaterThan(before);
    }
  });

  it('planted bug skipFsync: the restarted server reuses tokens, and token-order catches it', () => {
    const r = runLock(serverRestart, { bugs: { skipFsync: true } }, { checkers: ['token-order'] });
    expect(r.result.violations.map((v) => v.invariant)).toEqual(['token-order']);
    expect(r.result.violations[0]?.t).toBeGreaterThan(650_000);
  });

  it('planted bug skipFsync: the restarted server grants a held lock again, and single-holder catches it', () => {
    const r = runLock(serverRestart, { bugs: { skipFsync: true } }, { checkers: ['single-holder'] });
    expect(r.result.violations.map((v) => v.invariant)).toEqual(['single-holder']);
  });

});

describe('a crash in the middle of a critical section', () => {
  // c1 holds L1 for ~300 ms of writes; the server crashes 100 ms in and is back 50 ms later; c2 keeps asking.
  const midSection = {
    name: 'lock-crash-mid-section',
    description: 'server crash while c1 is inside its critical section',
    protocol: 'lock',
    config: { clients: 2, ttl: '1s', keepAlive: '100ms', margin: '100ms', writes: 10, work: '30ms', think: '0ms', stagger: '20ms', cycles: 1 },
    duration: '2s',
    faults: { timeline: [{ at: '100ms', kind: 'crash' as const, node: 's1' }, { at: '150ms', kind: 'restart' as const, node: 's1' }] },
  };

  it('correct server: c2 gets the lock only after c1 released it, with token 2', () => {
    const { result, events } = runLock(midSection);
    expect(result.violations).toEqual([]);
    const g = grants(events);
    expect(g.map((x) => [x.session.split('/')[0], x.token])).toEqual([['c1', 1], ['c2', 2]]);
    const c1Release = events.find((e) => e.type === 'invoke' && e.process === 'c1' && e.f === 'release');
    expect(c1Release?.t).toBeLessThan((g[1] as { t: number }).t);
  });

  it('planted bug skipFsync: c2 is granted while c1 holds, and the history is not a linearizable lock', () => {
    const r = runLock(midSection, { bugs: { skipFsync: true } }, { checkers: ['linearizable'] });
    expect(r.result.violations.map((v) => v.invariant)).toEqual(['linearizable']);
    expect(r.result.violations[0]?.message).toContain('L1');
  });
});

describe('lock-bug-volatile-table: the planted skipFsync bug as a scenario', () => {
  it('every black-box checker it names sees the damage (collect them all)', () => {
    const { result } = runLock(volatileTable, {}, { stopOnViolation: false });
    const names = [...new Set(result.violations.map((v) => v.invariant))];
    expect(names).toEqual(['single-holder', 'token-order', 'linearizable']);
    expect(result.violations.find((v) => v.invariant === 'token-order')?.message).toMatch(/^s1 granted L1 to c2\/\w+ with token 1, but token 1 was already granted to c1\/\w+$/);
  });

  it('without the bug the same run is clean', () => {
    expect(runLock(volatileTable, { bugs: { skipFsync: false } }, { expect: 'no-violation' }).result.violations).toEqual([]);
  });
});

describe('FIFO waiters', () => {
  it('are granted in arrival order by a hand-over notification as each holder releases', () => {
    const fifo = { name: 'lock-fifo', description: 'three clients queue for one lock', protocol: 'lock', config: { clients: 3, locks: 1, think: '0ms', stagger: '5ms', cycles: 1, writes: 3, work: '10ms' }, duration: '1s', network: { latency: { kind: 'constant' as const, value: '1ms' } } };
    const { result, events } = runLock(fifo);
    expect(result.violations).toEqual([]);
    const g = grants(events);
    expect(g.map((x) => [x.session.split('/')[0], x.token])).toEqual([['c1', 1], ['c2', 2], ['c3', 3]]);
    // c2 and c3 were queued (first answers: positions 0 and 1) and learned of their turn from a 'granted' message.
    const serverSends = events.flatMap((e) => (e.type === 'send' && e.from === 's1' ? [e.msg as { type: string; session?: string; reply?: { kind: string; position?: number } }] : []));
    const firstQueued = (c: string) => serverSends.find((m) => m.reply?.kind === 'queued' && m.session?.startsWith(`${c}/`))?.reply?.position;
    expect([firstQueued('c2'), firstQueued('c3')]).toEqual([0, 1]);
    expect(serverSends.filter((m) => m.type === 'granted')).toHaveLength(2);
  });
});

describe('disk corruption on the lock server', () => {
  it('the server refuses to serve from a corrupt table (fail-stop) instead of reusing tokens', () => {
    const { result, events } = runLock(serverRestart, {}, {
      faults: { timeline: [{ at: '500ms', kind: 'crash', node: 's1' }, { at: '510ms', kind: 'corrupt', node: 's1', key: 'lock-table' }, { at: '650ms', kind: 'restart', node: 's1' }] },
      checkers: ['single-holder', 'token-order', 'durable-grants', 'fenced-writes', 'mutual-exclusion', 'linearizable'],
    });
    expect(result.violations).toEqual([]);
    expect(events.some((e) => e.type === 'log' && e.node === 's1' && e.text.startsWith('lock table on disk is corrupt'))).toBe(true);
    expect(grants(events).filter((g) => g.t > 500_000)).toEqual([]);
  });
});

describe('clock drift', () => {
  it('lock-drift-unsafe: the slow-clock client writes after its successor', () => {
    const { result, events } = runLock(driftUnsafe);
    expect(result.violations.map((v) => v.invariant)).toEqual(['mutual-exclusion']);
    const accepted = acks(events).filter((a) => a.ok);
    expect(accepted.at(-1)?.client).toBe('c1');
  });

  it('lock-drift-fencing: the slow-clock client is fenced off', () => {
    const { result, events } = runLock(driftFencing);
    expect(result.violations).toEqual([]);
    const rejected = acks(events).filter((a) => !a.ok);
    expect(rejected.length).toBeGreaterThan(0);
    expect(rejected.every((a) => a.client === 'c1' && a.token === 1)).toBe(true);
  });

  it('lock-drift-fencing without the drift: c1 finishes its section in time and nothing is rejected', () => {
    const { result, events } = runLock(driftFencing, {}, { clocks: {} });
    expect(result.violations).toEqual([]);
    expect(acks(events).filter((a) => !a.ok)).toEqual([]);
  });
});

describe('planted bugs in the server and the resource', () => {
  it('skipFsync: durable-grants sees the first grant leave before the table is on disk, with no crash needed', () => {
    const r = runLock(fencingPause, { bugs: { skipFsync: true } });
    expect(r.result.violations.map((v) => v.invariant)).toEqual(['durable-grants']);
    expect(r.result.violations[0]?.message).toContain('(token 1) before making it durable: nothing durable');
  });

  it('grantBeforeExpiry: the server hands the lock over while the lease runs, and single-holder catches it', () => {
    const r = runLock(fencingPause, { bugs: { grantBeforeExpiry: true } });
    expect(r.result.violations.map((v) => v.invariant)).toEqual(['single-holder']);
  });

  it('ignoreStaleTokens: the resource lets the stale write through, and fenced-writes catches it', () => {
    const r = runLock(fencingPause, { bugs: { ignoreStaleTokens: true } });
    expect(r.result.violations.map((v) => v.invariant)).toEqual(['fenced-writes']);
  });

  it('neverRelease: a client keeps its lock (and its session) forever, and lock-progress sees the others starve', () => {
    const quiet = { name: 'lock-quiet', description: 'no faults', protocol: 'lock', config: { clients: 3, locks: 1 }, duration: '3s' };
    expect(runLock(quiet).result.violations).toEqual([]);
    const r = runLock(quiet, { bugs: { neverRelease: true } }, { checkers: ['lock-progress'] });
    expect(r.result.violations.map((v) => v.invariant)).toEqual(['lock-progress']);
    expect(r.result.violations[0]?.message).toMatch(/^no lock granted to (c\d, )*c\d in the 3s after the start$/);
  });

  it('neverRelease: the history has an acquire by the holder itself, which linearizable rejects', () => {
    const quiet = { name: 'lock-quiet', description: 'no faults', protocol: 'lock', config: { clients: 3, locks: 1 }, duration: '3s' };
    const r = runLock(quiet, { bugs: { neverRelease: true } }, { checkers: ['linearizable'] });
    expect(r.result.violations.map((v) => v.invariant)).toEqual(['linearizable']);
  });

  it('ignoreStaleTokens: mutual-exclusion catches it too', () => {
    const r = runLock(fencingPause, { bugs: { ignoreStaleTokens: true } }, { checkers: ['mutual-exclusion'] });
    expect(r.result.violations.map((v) => v.invariant)).toEqual(['mutual-exclusion']);
  });
});
