// Every checker catches its planted bug under fuzz() (sim/fuzz/fuzz.ts):
// generated fault schedules (crashes, partitions, one-way blocks, pauses,
// clock faults, loss bursts; then a quiesce) over the transfer workload, within
// the stated budget of runs; the shrunk counterexample replays to the same
// violation. The correct protocol survives a campaign with every checker on.

import { describe, expect, it } from 'vitest';
import { fuzz, runScenario } from '../../sim/fuzz/fuzz.ts';
import type { TwoPcBugs } from '../../sim/protocols/twopc/config.ts';
import { parseScenario } from '../../sim/scenario/resolve.ts';
import transfers from '../../scenarios/twopc-transfers.ts';

/** 3 participants, 5 clients, 1% loss; 2 s with the quiesce at 1.4 s, so the liveness bound must be under 0.6 s. */
function base(bugs: Partial<TwoPcBugs>) {
  return parseScenario({ ...transfers, duration: '2s', config: { ...transfers.config, livenessBound: '400ms', bugs } });
}

const CASES: { bug: keyof TwoPcBugs; invariant: string; budget: number; shrink?: boolean }[] = [
  // The three of the issue.
  { bug: 'commitBeforeLog', invariant: 'decision-stable', budget: 60 },
  { bug: 'voteYesWithoutLog', invariant: 'atomicity', budget: 150 },
  { bug: 'inDoubtDecidesAlone', invariant: 'atomicity', budget: 20 },
  // One per remaining checker.
  { bug: 'presumeYesOnTimeout', invariant: 'commit-validity', budget: 60 },
  { bug: 'nonIdempotentCommit', invariant: 'money-conserved', budget: 20 },
  { bug: 'keepLocksOnAbort', invariant: 'locks-released', budget: 20 },
  // Liveness is judged at the end of each run, so shrinking it costs a full run per step
  // (about 15 s of shrinking here, to crash co, crash+restart p1, restart co): found and replayed only.
  { bug: 'noQueryAfterRecovery', invariant: 'in-doubt-resolves', budget: 150, shrink: false },
];

describe('twopc planted bugs under fuzz()', () => {
  it.each(CASES)('$bug is caught by $invariant within $budget runs, and the (shrunk) run replays it', ({ bug, invariant, budget, shrink = true }) => {
    const report = fuzz({ scenario: base({ [bug]: true }), runs: budget, shrink });
    const failure = report.failures[0];
    expect(failure?.violation.invariant).toBe(invariant);
    expect(report.runs).toBeLessThanOrEqual(budget);
    // Shrunk to a handful of faults (plus the quiesce), and deterministic.
    if (shrink) expect(failure!.scenario.faults.timeline.length).toBeLessThanOrEqual(6);
    const again = runScenario(failure!.scenario);
    expect(again.violations[0]?.invariant).toBe(invariant);
    expect(again.violations[0]?.message).toBe(failure!.violation.message);
  });

  it('the correct protocol keeps every invariant over a fuzz campaign', () => {
    const report = fuzz({ scenario: base({}), runs: 60, seed: 7 });
    expect(report.failures.map((f) => `${f.violation.invariant}: ${f.violation.message}`)).toEqual([]);
    expect(report.runs).toBe(60);
  });
});
