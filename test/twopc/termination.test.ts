// A unilateral abort is final, and cooperative termination while faults last.
//
// - The reported atomicity violation of the correct protocol (a participant
//   aborted alone while nobody could hear it, crashed, and accepted the retried
//   work after its restart) is fixed by forcing the unilateral abort record:
//   the reported run holds and its trace shows p2 refusing the retried work;
//   test/twopc/participant.test.ts shows the record surviving a crash.
// - cooperative-termination: an in-doubt participant that cannot reach its
//   coordinator but can reach a decided peer decides within the bound; one with
//   no decided peer reachable stays blocked without a violation (2PC blocks).

import { describe, expect, it } from 'vitest';
import { fuzz, runScenario } from '../../sim/fuzz/fuzz.ts';
import type { TwoPcBugs } from '../../sim/protocols/twopc/config.ts';
import { cooperativeBound } from '../../sim/protocols/twopc/checkers.ts';
import { parseScenario } from '../../sim/scenario/resolve.ts';
import type { Scenario } from '../../sim/scenario/schema.ts';
import reported from '../../scenarios/twopc-correct-atomicity-after-forgotten-abort.json' with { type: 'json' };
import cooperative from '../../scenarios/twopc-cooperative-termination.ts';
import coordinatorCrash from '../../scenarios/twopc-coordinator-crash.ts';
import transfers from '../../scenarios/twopc-transfers.ts';

/** The Figure-style properties without the step rules (rules.ts): what the liveness property sees alone. */
const LIVENESS_AND_SAFETY = ['atomicity', 'commit-validity', 'decision-stable', 'money-conserved', 'locks-released', 'cooperative-termination', 'in-doubt-resolves'];

function withBugs(input: { config?: object }, bugs: Partial<TwoPcBugs>, extra: Record<string, unknown> = {}): Scenario {
  return parseScenario({ ...input, config: { ...(input.config ?? {}), ...extra, bugs } } as never);
}

describe('a unilateral abort survives a crash (Gray and Lamport TCommit; BHG 7.3, AC2)', () => {
  it('the reported run now holds: after its restart p2 refuses the retried work of the transaction it aborted alone', () => {
    const r = runScenario(withBugs(reported, {}), { trace: true });
    expect(r.violations).toEqual([]);
    const lines = (r.trace ?? '').split('\n').filter((l) => l.includes('c4.74'));
    // p2 aborted c4.74 alone, and after the restart answered the retried work with a refusal.
    expect(lines.some((l) => l.includes('"node":"p2"') && l.includes('abort c4.74 alone'))).toBe(true);
    expect(lines.some((l) => l.includes('"from":"p2"') && l.includes('"type":"work-ack"') && l.includes('"ok":false') && l.includes('already aborted'))).toBe(true);
    expect(lines.some((l) => l.includes('"from":"p2"') && l.includes('"type":"vote"') && l.includes('"yes":true'))).toBe(false);
  });
});

describe('cooperative-termination', () => {
  it('the bound: cooperativeAfter + 1 query intervals until the first peer query, one for the answer, two for lost messages', () => {
    expect(cooperativeBound(2, 150_000)).toBe(900_000);
    expect(cooperativeBound(0, 100_000)).toBe(400_000);
  });

  it('the correct participant learns the commit from its peer while the coordinator is down: no violation', () => {
    expect(runScenario(withBugs(cooperative, {})).violations).toEqual([]);
  });

  it('ignorePeerOutcome: the participant stays in doubt although p1 knows the commit -> acts-on-outcome at the answer; without the step rules, cooperative-termination at the bound after the coordinator was lost', () => {
    const r = runScenario(withBugs(cooperative, { ignorePeerOutcome: true }));
    const step = r.violations[0];
    expect(step?.invariant).toBe('acts-on-outcome');
    expect(step?.message).toBe('p2 is in doubt about c1.0 and p1 told it commit, but it stayed prepared');
    const liveness = runScenario(parseScenario({ ...cooperative, checkers: LIVENESS_AND_SAFETY, config: { ...(cooperative.config ?? {}), bugs: { ignorePeerOutcome: true } } } as never));
    const v = liveness.violations[0];
    expect(v?.invariant).toBe('cooperative-termination');
    expect(v?.message).toMatch(/^p2 is still in doubt about c1\.0 \d+(\.\d+)?ms after it lost its coordinator co while p1, which decided it, stayed reachable \(bound 750ms\)$/);
    // The coordinator crashed at 55 ms and p1 committed about then: judged within one query interval past the bound.
    expect(v?.t).toBeGreaterThan(55_000 + 750_000);
    expect(v?.t).toBeLessThan(55_000 + 750_000 + 150_000 + 20_000);
    // The step rule sees the ignored answer itself, before the liveness bound runs out.
    expect(step!.t).toBeLessThan(v!.t);
  });

  it('without cooperative termination nothing is promised: the same bug is not judged', () => {
    expect(runScenario(withBugs(cooperative, { ignorePeerOutcome: true }, { cooperative: false })).violations).toEqual([]);
  });

  it('blocked with no decided peer (coordinator crashed after every yes vote): expected for 2PC, not a violation', () => {
    const r = runScenario(withBugs(coordinatorCrash, {}, { cooperative: true, cooperativeAfter: 0 }), { trace: true });
    expect(r.violations).toEqual([]);
    // They did ask each other: nobody knew.
    expect((r.trace ?? '').includes('"outcome":"uncertain"')).toBe(true);
  });

  it('ignorePeerOutcome is caught under fuzz() with long-lasting faults, by the liveness property alone too, on one of campaign seeds 1-4; the correct protocol passes the same campaigns', () => {
    const base = (bugs: Partial<TwoPcBugs>, checkers?: string[]) =>
      withBugs({ ...transfers, duration: '3s', ...(checkers ? { checkers } : {}) } as { config?: object }, bugs, { cooperative: true, livenessBound: '400ms' });
    for (const [checkers, expected] of [[undefined, 'acts-on-outcome'], [LIVENESS_AND_SAFETY, 'cooperative-termination']] as const) {
      const found = [1, 2, 3, 4].find((seed) => fuzz({ scenario: base({ ignorePeerOutcome: true }, checkers ? [...checkers] : undefined), runs: 100, shrink: false, seed, faults: { until: 2_900_000 } }).failures[0]?.violation.invariant === expected);
      expect(found, `${expected}: no seed of 1-4 found ignorePeerOutcome in 100 runs`).toBeDefined();
      const correct = fuzz({ scenario: base({}, checkers ? [...checkers] : undefined), runs: 60, shrink: false, seed: found!, faults: { until: 2_900_000 } });
      expect(correct.failures.map((f) => `${f.violation.invariant}: ${f.violation.message} (${f.replay})`)).toEqual([]);
    }
  });
});
