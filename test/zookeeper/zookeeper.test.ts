// ZooKeeper-style lock: the data tree's rules (pure), each recipe bug against the
// same run without it, the pause story with and without fencing, and short fuzz
// campaigns: the correct recipe breaks no checker; a planted bug is found.

import { describe, expect, it } from 'vitest';
import { fuzz, runScenario } from '../../sim/fuzz/fuzz.ts';
import { DataTree, type WatchEvent } from '../../sim/protocols/zookeeper/tree.ts';
import { zookeeperConfig } from '../../sim/protocols/zookeeper/protocol.ts';
import { initialTree } from '../../sim/protocols/zookeeper/service.ts';
import { parseScenario } from '../../sim/scenario/resolve.ts';
import type { ScenarioInput } from '../../sim/scenario/schema.ts';
import herd from '../../scenarios/zookeeper-herd.ts';
import noRecheck from '../../scenarios/zookeeper-no-recheck.ts';
import orphan from '../../scenarios/zookeeper-orphan.ts';
import unfenced from '../../scenarios/zookeeper-unfenced-pause.ts';
import fenced from '../../scenarios/zookeeper-fenced-pause.ts';
import leaderCrash from '../../scenarios/zookeeper-leader-crash.ts';
import leaderPartition from '../../scenarios/zookeeper-leader-partition.ts';

const create = (t: DataTree, session: string, fired: WatchEvent[] = []) => t.apply({ op: 'create', path: '/lock/lock-', data: '', ephemeral: true, sequential: true, session }, fired);
const open = (t: DataTree, client: string): string => (t.apply({ op: 'create-session', client }, []) as { session: string }).session;

describe('data tree', () => {
  it('sequential names count up per parent and are never reused', () => {
    const t = initialTree();
    const a = open(t, 'a');
    const b = open(t, 'b');
    expect(create(t, a)).toMatchObject({ ok: true, path: '/lock/lock-0000000000' });
    t.apply({ op: 'delete', path: '/lock/lock-0000000000', session: a }, []);
    expect(create(t, b)).toMatchObject({ ok: true, path: '/lock/lock-0000000001' });
  });

  it('closing a session removes its ephemeral znodes and fires each watch once; the closed session can do nothing more', () => {
    const t = initialTree();
    const [a, b, c] = ['a', 'b', 'c'].map((x) => open(t, x)) as [string, string, string];
    create(t, a);
    create(t, b);
    t.apply({ op: 'exists', path: '/lock/lock-0000000000', watch: true, session: b }, []);
    t.apply({ op: 'children', path: '/lock', watch: true, session: c }, []);
    const fired: WatchEvent[] = [];
    t.apply({ op: 'close-session', session: a }, fired);
    expect(fired.map((e) => `${e.session} ${e.type} ${e.path}`)).toEqual([`${b} deleted /lock/lock-0000000000`, `${c} children /lock`]);
    expect(t.children('/lock')).toEqual(['lock-0000000001']);
    expect(create(t, a)).toEqual({ ok: false, error: 'SESSIONEXPIRED' });
    const again: WatchEvent[] = [];
    t.apply({ op: 'close-session', session: b }, again);
    expect(again).toEqual([]); // one-shot: both watches were used up
  });

  it('with a zxid given (the Raft log index), every change of the operation takes it; sessions are named by it', () => {
    const t = initialTree();
    expect(t.apply({ op: 'create-session', client: 'c1' }, [], 7)).toMatchObject({ ok: true, session: 'c1.7' });
    expect(create(t, 'c1.7', [])).toMatchObject({ ok: true }); // no zxid: the next of the counter
    const r = t.apply({ op: 'create', path: '/lock/lock-', data: '', ephemeral: true, sequential: true, session: 'c1.7' }, [], 12);
    expect(r).toMatchObject({ ok: true, zxid: 12 });
    expect(t.apply({ op: 'children', path: '/lock', watch: false, session: 'c1.7' }, [], 13)).toMatchObject({ children: ['lock-0000000000', 'lock-0000000001'], czxids: [8, 12] });
    t.apply({ op: 'close-session', session: 'c1.7' }, [], 20);
    expect(t.lastZxid).toBe(20);
    expect(t.sessionIds()).toEqual([]);
  });

  it('a snapshot restores the same tree, sessions included', () => {
    const t = initialTree();
    const a = open(t, 'a');
    create(t, a);
    const u = DataTree.from(JSON.parse(JSON.stringify(t.snapshot())));
    expect(u.snapshot()).toEqual(t.snapshot());
    expect(create(u, a)).toMatchObject({ path: '/lock/lock-0000000001' });
  });
});

function run(s: ScenarioInput, patch: Record<string, unknown> = {}): string[] {
  return runScenario(parseScenario({ ...s, expect: 'no-violation', config: { ...(s.config as object), ...patch } })).violations.map((v) => v.invariant);
}

describe('stories: each planted bug breaks its checker, and the same run without it holds', () => {
  const cases: [string, ScenarioInput, string, string][] = [
    ['watchParent', herd, 'watchParent', 'no-herd'],
    ['noRecheck', noRecheck, 'noRecheck', 'lock-order'],
    ['createWithoutId', orphan, 'createWithoutId', 'lock-progress'],
  ];
  it.each(cases)('%s', (_name, scenario, bug, checker) => {
    expect(run(scenario)).toEqual([checker]);
    expect(run(scenario, { bugs: { [bug]: false } })).toEqual([]);
  });

  it('session expiry during a pause: double access without fencing, a rejected stale write with it', () => {
    expect(run(unfenced)).toEqual(['mutual-exclusion']);
    const r = runScenario(parseScenario(fenced), { trace: true });
    expect(r.violations).toEqual([]);
    expect(r.trace).toMatch(/"type":"write-ack"[^\n]*"ok":false/);
  });
});

describe('replicated on Raft', () => {
  const events = (trace: string | undefined): Record<string, unknown>[] => (trace ?? '').trim().split('\n').slice(1).map((l) => JSON.parse(l) as Record<string, unknown>);

  it('the leader crashes while a client holds the lock: the holder keeps its session and finishes its writes', () => {
    const r = runScenario(parseScenario(leaderCrash), { trace: true });
    expect(r.violations).toEqual([]);
    const evs = events(r.trace);
    const crash = evs.find((e) => e.type === 'crash') as { node: string; t: number };
    const before = evs.filter((e) => e.type === 'state' && e.node === crash.node && (e.t as number) <= crash.t).at(-1) as { state: { role: string } };
    expect(before.state.role).toBe('leader');
    const holder = evs.filter((e) => e.type === 'state' && (e.state as { phase?: string }).phase === 'holding' && (e.t as number) <= crash.t).at(-1) as { node: string; state: { session: string } };
    // The holder's session outlived the crash: its writes were accepted after it, under the same holding.
    const later = evs.filter((e) => e.type === 'send' && (e.msg as { type: string }).type === 'write-ack' && e.to === holder.node && (e.t as number) > crash.t);
    expect(later.length).toBeGreaterThan(0);
    expect((later[0]!.msg as { tenure: string; ok: boolean })).toMatchObject({ ok: true });
    expect((later[0]!.msg as { tenure: string }).tenure.startsWith(`${holder.state.session}/`)).toBe(true);
    expect(evs.some((e) => e.type === 'log' && String(e.text).includes(`session ${holder.state.session} expired`))).toBe(false);
  });

  it('a partition isolates the leader with the holder: the majority elects a leader that expires the holder\'s session by a log entry, and the next client takes the lock', () => {
    const r = runScenario(parseScenario(leaderPartition), { trace: true });
    expect(r.violations).toEqual([]);
    const evs = events(r.trace);
    const cut = evs.find((e) => e.type === 'log' && String(e.text).includes('partition n1,c1'))!;
    const expiry = evs.find((e) => e.type === 'log' && /^session c1\.\d+ expired/.test(String(e.text)))!;
    expect(['n2', 'n3']).toContain(expiry.node);
    const other = evs.find((e) => e.type === 'state' && e.node !== 'c1' && (e.t as number) > (expiry.t as number) && (e.state as { phase?: string }).phase === 'holding');
    expect(other).toBeDefined();
    expect((cut.t as number) < (expiry.t as number)).toBe(true);
  });
});

describe('config rules: a precondition is a config error naming the field', () => {
  it.each([
    [{ requestTimeout: 1000 }, 'requestTimeout'],
    [{ sessionTimeout: 3 }, 'sessionTimeout'],
    [{ electionTimeout: { min: 5000, max: 8000 } }, 'electionTimeout.min'],
    [{ tick: 400_000 }, 'tick'],
    [{ servers: 3, electionTimeoutOf: { n4: { min: 50_000, max: 60_000 } } }, 'electionTimeoutOf.n4'],
  ])('%j', (config, field) => {
    const r = zookeeperConfig.safeParse(config);
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => i.path.join('.'))).toContain(field);
  });
});

const base = (config: Record<string, unknown> = {}) => parseScenario({ name: 'zookeeper-fuzz', description: 'zookeeper lock under generated faults', protocol: 'zookeeper', config, duration: '4s' });

describe('fuzzing', () => {
  it('the correct recipe breaks no checker (faults on the server: crashes, partitions, pauses, clocks, loss)', () => {
    const report = fuzz({ scenario: base(), runs: 30, seed: 21 });
    expect(report.failures.map((f) => `${f.violation.invariant}: ${f.violation.message}`)).toEqual([]);
  }, 120_000);

  it('watchParent is found', () => {
    const report = fuzz({ scenario: base({ bugs: { watchParent: true } }), runs: 20, seed: 22 });
    expect(report.failures[0]?.violation.invariant).toBe('no-herd');
  }, 120_000);

  it('every drawn workload patch is a valid config with no bug on', async () => {
    const fc = (await import('fast-check')).default;
    const { zkFuzzWorkload } = await import('../../sim/protocols/zookeeper/fuzz-workload.ts');
    for (const patch of fc.sample(zkFuzzWorkload, { numRuns: 200, seed: 1 })) {
      const r = zookeeperConfig.safeParse(patch);
      expect(r.success, JSON.stringify(patch)).toBe(true);
      expect(Object.values(r.data!.bugs).some(Boolean)).toBe(false);
    }
  });
});
