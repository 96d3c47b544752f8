// Liveness while faults last (quorum-elects-leader): the stable quorum is
// computed from the fault state exactly; the planted bug candidateNeverRetries
// is caught while faults go on (no quiesce needed); correct Raft never trips it,
// neither under long-lasting generated faults nor in a minority that is
// expected to stay leaderless.

import { describe, expect, it } from 'vitest';
import { fuzzCluster } from './run.ts';
import { FaultState } from '../../sim/engine/fault-state.ts';
import type { SimView } from '../../sim/engine/types.ts';
import { fuzz, runScenario } from '../../sim/fuzz/fuzz.ts';
import { stableQuorum } from '../../sim/protocols/raft/checkers.ts';
import type { RaftBugs } from '../../sim/protocols/raft/node.ts';
import { parseScenario } from '../../sim/scenario/resolve.ts';
import type { Scenario } from '../../sim/scenario/schema.ts';
import prevote from '../../scenarios/raft-prevote-higher-term.ts';
import narrow from '../../scenarios/raft-narrow-spread-split-votes.ts';
import fc from 'fast-check';
import { raftFuzzWorkload } from '../../sim/protocols/raft/fuzz-workload.ts';

const SERVERS = ['n1', 'n2', 'n3', 'n4', 'n5'];

/** A fault state over five servers and a client, all running, that `setup` changes. */
function quorumOf(setup: (f: FaultState, i: (id: string) => number) => void): string | undefined {
  const ids = [...SERVERS, 'c1'];
  const index = new Map(ids.map((id, k) => [id, k]));
  const f = new FaultState(index);
  ids.forEach((_, k) => f.nodeRunning(k, true, 0));
  setup(f, (id) => index.get(id) as number);
  const g = stableQuorum({ faults: f } as unknown as SimView, SERVERS);
  return g?.map((k) => SERVERS[k]).join(',');
}

/** Cut both directions between a and b. */
const cut = (f: FaultState, a: number, b: number): void => {
  f.linkBlocked(a, b, true, 1);
  f.linkBlocked(b, a, true, 1);
};

describe('stableQuorum', () => {
  it('everyone running and connected: all five', () => {
    expect(quorumOf(() => {})).toBe('n1,n2,n3,n4,n5');
  });

  it('a clean 3-2 partition: the majority side; a 2-2-1 split: none', () => {
    const split = (groups: string[][]) => (f: FaultState, i: (id: string) => number) => {
      for (const g of groups) for (const h of groups) if (g !== h) for (const a of g) for (const b of h) f.linkBlocked(i(a), i(b), true, 1);
    };
    expect(quorumOf(split([['n1', 'n2'], ['n3', 'n4', 'n5']]))).toBe('n3,n4,n5');
    expect(quorumOf(split([['n1', 'n2'], ['n3', 'n4'], ['n5']]))).toBeUndefined();
  });

  it('crashed or paused servers are outside; too few running: none', () => {
    expect(quorumOf((f, i) => f.nodeRunning(i('n1'), false, 5))).toBe('n2,n3,n4,n5');
    expect(quorumOf((f, i) => ['n1', 'n2', 'n3'].forEach((id) => f.nodeRunning(i(id), false, 5)))).toBeUndefined();
  });

  it('a server outside that can still send into the majority (one-way cut) spoils it: it can disrupt elections', () => {
    // n5 hears nobody but can still send to n1: no stable quorum.
    expect(
      quorumOf((f, i) => {
        for (const s of ['n1', 'n2', 'n3', 'n4']) f.linkBlocked(i(s), i('n5'), true, 1);
        for (const s of ['n2', 'n3', 'n4']) f.linkBlocked(i('n5'), i(s), true, 1);
      }),
    ).toBeUndefined();
    // The other way round (n5 can hear but not send): n5 cannot disrupt, the four form the quorum.
    expect(quorumOf((f, i) => ['n1', 'n2', 'n3', 'n4'].forEach((s) => f.linkBlocked(i('n5'), i(s), true, 1)))).toBe('n1,n2,n3,n4');
  });

  it('a majority that is not a clique (one pair cut) is not stable; a loss burst suspends every quorum', () => {
    expect(quorumOf((f, i) => cut(f, i('n1'), i('n2')))).toBeUndefined();
    expect(quorumOf((f) => f.setLossBurst(0.2, 3))).toBeUndefined();
  });

  it('clients do not count: a client cut off from everyone changes nothing', () => {
    expect(quorumOf((f, i) => SERVERS.forEach((s) => cut(f, i('c1'), i(s))))).toBe('n1,n2,n3,n4,n5');
  });
});

/** Three servers, two clients, short timeouts (bound: 10 x 100 ms = 1 s), 4 s runs. */
function cluster(bugs: Partial<RaftBugs>, extra: Record<string, unknown> = {}): Scenario {
  return fuzzCluster(bugs as Record<string, boolean>, { extra, duration: '4s' });
}

describe('quorum-elects-leader', () => {
  it('candidateNeverRetries (section 5.2) is caught while faults last: faults until 3.9 s leave no time for the check after the quiesce point', () => {
    const report = fuzz({ scenario: cluster({ candidateNeverRetries: true }), runs: 30, shrink: false, seed: 2, faults: { until: 3_900_000 } }); // seed 2: found within 30 runs under the guided schedule of the search branch (seed 1 no longer is)
    const v = report.failures[0]?.violation;
    expect(v?.invariant).toBe('quorum-elects-leader');
    expect(v?.message).toMatch(/have been up and mutually connected, with no other server able to reach them, since t=[\d.]+(?:us|ms|s), but none has led them for [\d.]+(?:us|ms|s) \(bound 1s = 10 election timeouts/);
    // Detected while faults still went on, before the quiesce point.
    expect(v?.t).toBeLessThan(3_900_000);
  });

  it('preVoteDropsLowerTerm (the PreVote deadlock of etcd-io/raft) -> quorum-elects-leader in raft-prevote-higher-term; the correct servers elect n2', () => {
    const correct = runScenario(parseScenario(prevote), { trace: true });
    expect(correct.violations).toEqual([]);
    expect(correct.trace).toContain('"node":"n2","text":"becomes leader of term 6"');
    // The step rule rpc-answered (rules-rpc.ts) sees the first unanswered PreVote; the run goes on so the liveness checker is judged too.
    const buggy = runScenario(parseScenario({ ...prevote, stopOnViolation: false, config: { ...prevote.config, bugs: { preVoteDropsLowerTerm: true } } }));
    expect(buggy.violations[0]).toMatchObject({ invariant: 'rpc-answered' });
    const live = buggy.violations.find((v) => v.invariant === 'quorum-elects-leader');
    expect(live?.message).toMatch(/^n1, n2 have been up and mutually connected, with no other server able to reach them, since t=1us, but none has led them for [\d.]+(?:us|ms|s) \(bound 2s = 10 election timeouts; now n1 follower of term 5, n2 follower of term 1\)$/);
  });

  it('correct Raft under long-lasting generated faults (no quiesce until 3.9 s): never a leaderless stable quorum, also with PreVote and with five servers', () => {
    for (const extra of [{}, { preVote: true }, { servers: 5, clients: 3, snapshotEvery: 25 }]) {
      const report = fuzz({ scenario: cluster({}, extra), runs: 25, shrink: false, seed: 5, faults: { until: 3_900_000 } });
      expect(report.failures.map((f) => `${f.violation.invariant}: ${f.violation.message} (${f.replay})`)).toEqual([]);
    }
  });

  it('a minority cut off for the whole run stays leaderless without a violation, and a 2-2-1 split (no stable quorum) is not judged', () => {
    const minority = parseScenario({
      ...cluster({}, { servers: 5 }),
      faults: { timeline: [{ at: '0s', kind: 'partition', groups: [['n1', 'n2'], ['n3', 'n4', 'n5']] }] },
    });
    expect(runScenario(minority).violations).toEqual([]);
    const split = parseScenario({
      ...cluster({}, { servers: 5 }),
      faults: { timeline: [{ at: '0s', kind: 'partition', groups: [['n1', 'n2'], ['n3', 'n4'], ['n5']] }] },
    });
    const r = runScenario(split);
    expect(r.violations.map((v) => v.invariant)).not.toContain('quorum-elects-leader');
  });
});

describe('the election-timeout range against the network (Raft section 9.3)', () => {
  /** How many of seeds 1..n of the narrow-spread scenario, with its range's max set to `maxMs`, break quorum-elects-leader. */
  const failing = (maxMs: number, n: number): number[] => {
    const out: number[] = [];
    for (let seed = 1; seed <= n; seed++) {
      const s = parseScenario({ ...narrow, seed: String(seed), config: { ...narrow.config, electionTimeout: { min: '100ms', max: `${maxMs}ms` } }, expect: 'no-violation' });
      if (runScenario(s).violations.some((v) => v.invariant === 'quorum-elects-leader')) out.push(seed);
    }
    return out;
  };

  it('a 10 ms range over 1-10 ms latencies splits votes past the bound on correct Raft; a 30 ms range does not', () => {
    expect(failing(110, 5)).toEqual([2, 5]);
    expect(failing(130, 40)).toEqual([]);
  });

  it("the default fuzz workload never draws a range under 30 ms (three of the default network's one-way latencies)", () => {
    for (const w of fc.sample(raftFuzzWorkload, { seed: 11, numRuns: 500 })) {
      const t = w.electionTimeout as { min: number; max: number };
      expect(t.max - t.min, JSON.stringify(t)).toBeGreaterThanOrEqual(30_000);
    }
  });
});

