// The raft scenarios of scenarios/, each checked for the effect it exists to
// show (test/scenarios.test.ts separately checks that every scenario meets its
// expectation and is deterministic).

import { describe, expect, it } from 'vitest';
import { Simulation } from '../../sim/engine/simulation.ts';
import { raftBenchScenario } from '../../sim/bench/raft.ts';
import { traceHeader } from '../../sim/scenario/run.ts';
import { parseScenario, prepareRun } from '../../sim/scenario/resolve.ts';
import { leadersByTerm, logTerms, runTraced, scenario } from './run.ts';

describe('raft scenarios', () => {
  it('raft-leader-crash (5.2): n1 leads, crashes, another server wins a later term; clients go on; n1 restarts from disk and catches up', async () => {
    const run = runTraced(await scenario('raft-leader-crash'));
    expect(run.result.violations).toEqual([]);
    const leaders = leadersByTerm(run);
    expect(leaders.get(1)).toBe('n1');
    const later = [...leaders].filter(([, id]) => id !== 'n1');
    expect(later.length).toBeGreaterThan(0);
    const okAfterCrash = run.events.filter((e) => e.type === 'return' && e.outcome !== 'info' && e.t > 1_000_000 && e.t < 2_000_000);
    expect(okAfterCrash.length).toBeGreaterThan(10);
    const f = run.final;
    expect(f.n1!.commitIndex).toBe(f.n2!.commitIndex);
    expect(logTerms(f.n1!)).toEqual(logTerms(f.n2!));
  });

  it('raft-partition-heal: the minority leader steps down, the majority elects a new one and serves (ReadIndex reads), the old leader rejoins', async () => {
    const run = runTraced(await scenario('raft-partition-heal'));
    expect(run.result.violations).toEqual([]);
    const stepDown = run.notes.find((n) => n.node === 'n1' && n.text.startsWith('steps down') && n.t > 1_000_000 && n.t < 2_500_000);
    expect(stepDown).toBeDefined();
    const majorityLeader = run.notes.find((n) => ['n3', 'n4', 'n5'].includes(n.node) && n.text.startsWith('becomes leader') && n.t > 1_000_000 && n.t < 2_500_000);
    expect(majorityLeader).toBeDefined();
    const getsDuring = run.events.filter((e) => e.type === 'return' && e.outcome === 'ok' && e.t > 1_500_000 && e.t < 2_500_000);
    expect(getsDuring.length).toBeGreaterThan(10);
    const terms = Object.values(run.final).map((s) => logTerms(s).join());
    expect(new Set(terms).size).toBe(1);
  });

  it('raft-figure7: the leader of term 8 brings followers a-f into agreement (missing, extra and conflicting entries)', async () => {
    const run = runTraced(await scenario('raft-figure7'));
    expect(run.result.violations).toEqual([]);
    expect(leadersByTerm(run).get(8)).toBe('n1');
    const leaderPrefix = [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 8];
    for (const id of ['n1', 'n2', 'n3', 'n4', 'n5', 'n6', 'n7']) {
      const s = run.final[id]!;
      expect(s.logStart).toBe(1);
      expect(logTerms(s).slice(0, 11), id).toEqual(leaderPrefix);
    }
    // d's entries of term 7 and c's extra entry of term 6 were removed.
    expect(logTerms(run.final.n5!)).not.toContain(7);
    expect(new Set(Object.values(run.final).map((s) => logTerms(s).join())).size).toBe(1);
  });

  it('raft-figure8: index 2 (term 2) reaches a majority under the leader of term 4 but is not committed; the leader of term 5 overwrites it', async () => {
    const run = runTraced(await scenario('raft-figure8'));
    expect(run.result.violations).toEqual([]);
    const leaders = leadersByTerm(run);
    expect(leaders.get(4)).toBe('n1');
    expect(leaders.get(5)).toBe('n5');
    // Figure 8 (c): n1, n2 and n3 hold index 2 of term 2 at 106 ms, and n1's commit index stays 0.
    const at106 = new Map<string, { commitIndex: number; log: number[] }>();
    for (const e of run.events) {
      if (e.type === 'state' && e.t <= 106_000) {
        const s = e.state as unknown as { commitIndex: number; log: { term: number }[] };
        at106.set(e.node, { commitIndex: s.commitIndex, log: s.log.map((x) => x.term) });
      }
    }
    expect(at106.get('n3')?.log).toEqual([1, 2]);
    expect(at106.get('n1')?.commitIndex).toBe(0);
    // (d)-(e): everyone ends with n5's entry of term 3 at index 2.
    for (const s of Object.values(run.final)) expect(logTerms(s).slice(0, 3)).toEqual([1, 3, 5]);
  });

  it('raft-two-down: three of five servers keep committing while two are down', async () => {
    const run = runTraced(await scenario('raft-two-down'));
    expect(run.result.violations).toEqual([]);
    const during = run.events.filter((e) => e.type === 'return' && e.outcome !== 'info' && e.t > 600_000 && e.t < 1_500_000);
    expect(during.length).toBeGreaterThan(20);
    expect(run.final.n4!.commitIndex).toBe(run.final.n1!.commitIndex);
  });

  it('raft-snapshot (7): servers compact their logs and the restarted n3 is caught up with InstallSnapshot', async () => {
    const run = runTraced(await scenario('raft-snapshot'));
    expect(run.result.violations).toEqual([]);
    const installs = run.events.filter((e) => e.type === 'send' && e.to === 'n3' && (e.msg as { type: string }).type === 'snapshot-req' && e.t >= 1_500_000);
    expect(installs.length).toBeGreaterThan(0);
    expect(run.final.n3!.snapshotIndex).toBeGreaterThan(0);
    expect(run.final.n3!.commitIndex).toBe(run.final.n1!.commitIndex);
    expect(run.final.n1!.snapshotIndex).toBeGreaterThanOrEqual(40);
  });

  it('raft-vote-persistence (Figure 2, persistent votedFor): the restarted voter refuses the second candidate of term 1', async () => {
    const run = runTraced(await scenario('raft-vote-persistence'));
    expect(run.result.violations).toEqual([]);
    expect(leadersByTerm(run).get(1)).toBe('n1');
    const restart = run.events.find((e) => e.type === 'restart' && e.node === 'n3');
    const answer = run.events.find((e) => e.type === 'send' && e.from === 'n3' && e.to === 'n2' && (e.msg as { type: string }).type === 'vote-resp');
    expect(restart && answer && answer.t > restart.t).toBe(true);
    expect((answer as unknown as { msg: { granted: boolean; term: number } }).msg).toMatchObject({ granted: false, term: 1 });
  });

  it('raft-lock-leader-crash: the replicated lock table survives the leader; the lock passes between clients before and after', async () => {
    const run = runTraced(await scenario('raft-lock-leader-crash'));
    expect(run.result.violations).toEqual([]);
    const grants = run.events.filter((e) => e.type === 'return' && e.outcome === 'ok' && typeof e.value === 'number');
    const before = new Set(grants.filter((e) => e.t < 1_000_000).map((e) => (e as { process: string }).process));
    const after = grants.filter((e) => e.t > 1_500_000);
    expect(before.size).toBeGreaterThanOrEqual(2);
    expect(after.length).toBeGreaterThan(0);
    // Fencing tokens keep increasing across the change of leader.
    const tokens = grants.map((e) => (e as { value: number }).value);
    expect(tokens).toEqual([...tokens].sort((a, b) => a - b));
    expect(new Set(tokens).size).toBe(tokens.length);
  });

  it('raft-flapping (PreVote): safety holds under flapping links and every client operation completes after the quiesce', async () => {
    const run = runTraced(await scenario('raft-flapping'));
    expect(run.result.violations).toEqual([]);
    const invoked = run.events.filter((e) => e.type === 'invoke' && e.t < 4_000_000).map((e) => (e as { op: number }).op);
    const returned = new Set(run.events.filter((e) => e.type === 'return').map((e) => (e as { op: number }).op));
    expect(invoked.every((op) => returned.has(op))).toBe(true);
  });

  it('a server whose disk fails its checksum stays down instead of forgetting its vote; the other two carry on', () => {
    const run = runTraced(
      parseScenario({
        name: 'raft-corrupt-disk',
        description: 'corrupt the hard state of n3, then restart it',
        protocol: 'raft',
        config: { servers: 3, clients: 2, client: { stopAt: '1.8s' } },
        duration: '2s',
        faults: {
          timeline: [
            { at: '500ms', kind: 'corrupt', node: 'n3', key: 'raft/hard' },
            { at: '600ms', kind: 'crash', node: 'n3' },
            { at: '700ms', kind: 'restart', node: 'n3' },
            { at: '700ms', kind: 'quiesce' },
          ],
        },
      }),
    );
    expect(run.result.violations).toEqual([]);
    expect(run.notes.find((n) => n.node === 'n3' && n.t === 700_000)?.text).toMatch(/disk record raft\/hard is corrupt: staying down/);
    expect(run.events.some((e) => e.type === 'send' && e.from === 'n3' && e.t > 700_000)).toBe(false);
    const after = run.events.filter((e) => e.type === 'return' && e.outcome !== 'info' && e.t > 800_000);
    expect(after.length).toBeGreaterThan(20);
  });

  it('PreVote (thesis 9.6): an isolated server does not inflate its term, so rejoining does not depose the leader', () => {
    const isolated = (preVote: boolean) =>
      runTraced(
        parseScenario({
          name: 'raft-isolated-server',
          description: 'n3 is isolated for 2 s, then rejoins',
          protocol: 'raft',
          config: { servers: 3, clients: 1, preVote, electionTimeoutOf: { n1: { min: '100ms', max: '120ms' } } },
          duration: '3s',
          faults: { timeline: [{ at: '500ms', kind: 'isolate', node: 'n3' }, { at: '2500ms', kind: 'heal' }] },
        }),
      );
    const without = isolated(false);
    const withPreVote = isolated(true);
    expect(without.result.violations).toEqual([]);
    expect(withPreVote.result.violations).toEqual([]);
    // Without PreVote, n3 campaigns alone every timeout; its higher term makes n1 step down when it rejoins.
    expect(without.final.n3!.term).toBeGreaterThan(5);
    expect(without.notes.some((n) => n.node === 'n1' && n.text.startsWith('steps down') && n.t >= 2_500_000)).toBe(true);
    // With PreVote, n3 never gets a majority of pre-votes, so its term stays at the leader's and n1 leads throughout.
    expect(withPreVote.final.n3!.term).toBe(1);
    expect([...leadersByTerm(withPreVote)]).toEqual([[1, 'n1']]);
  });

  it('raft never mutates what it sent or published: the bench workload gives the same trace with and without the engine copying messages', () => {
    const hashOf = (isolate: boolean): string | undefined => {
      const run = prepareRun(parseScenario(raftBenchScenario(3)), { seed: 'isolate' });
      const sim = new Simulation({ seed: run.seed, nodes: run.nodes, config: run.engine, faults: run.timeline, checkers: run.checkers, header: traceHeader(run), hash: true, isolate });
      const r = sim.run(run.scenario.duration);
      expect(r.violations).toEqual([]);
      return r.hash;
    };
    expect(hashOf(false)).toBe(hashOf(true));
  });

  it('every scenario is deterministic: the same seed gives the same trace', async () => {
    const s = await scenario('raft-leader-crash');
    expect(runTraced(s).result.hash).toBe(runTraced(s).result.hash);
    expect(runTraced(s, 2).result.hash).not.toBe(runTraced(s).result.hash);
  });
});
