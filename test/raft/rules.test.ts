// Raft's step rules (sim/protocols/raft/rules.ts): each fires at the first wrong
// step of a planted bug, in a campaign like `faultline fuzz raft --bug X`
// (default config, raft's default workload, guided, run counts deterministic
// per campaign seed), and never on correct Raft under the same campaigns.

import { describe, expect, it } from 'vitest';
import { firstFailure } from '../../sim/bench/search.ts';
import { fuzz, strategyWorkload } from '../../sim/fuzz/fuzz.ts';
import { parseScenario } from '../../sim/scenario/resolve.ts';
import type { Scenario } from '../../sim/scenario/schema.ts';

const RULES = ['one-vote-per-term', 'leader-commits-current-term', 'term-monotonic', 'leader-has-vote-quorum', 'read-index'];

/** The recovery oracle (sim/api/recovery.ts) off: these campaigns measure the step rules (the oracle catches the persistence bugs earlier: test/raft/recovery.test.ts). */
function base(bugs: Record<string, boolean> = {}): Scenario {
  return parseScenario({ name: 'raft-fuzz', description: 'rules', protocol: 'raft', config: { bugs }, duration: '5s', recovery: false });
}

/** The first failing run of a guided campaign on seeds 1, 2, 3 in turn (a clock ticking once per run): seed, runs, invariant. */
function firstOfSeeds(bug: string, budgetRuns: number): { seed: number; runs: number; invariant: string | undefined } | undefined {
  for (const seed of [1, 2, 3]) {
    let ticks = 0;
    const r = firstFailure(base({ [bug]: true }), 'guided', seed, budgetRuns, () => ticks++);
    if (r.found) return { seed, runs: r.runs, invariant: r.invariant };
  }
  return undefined;
}

describe('raft step rules catch planted bugs at their first wrong step (guided, default workload)', () => {
  it('commitPreviousTermByCounting -> leader-commits-current-term within 60 runs on every campaign seed 1-3 (seen at 11 / 4 / 5; the Figure 3 damage needs two more leader changes)', () => {
    for (const seed of [1, 2, 3]) {
      let ticks = 0;
      const r = firstFailure(base({ commitPreviousTermByCounting: true }), 'guided', seed, 60, () => ticks++);
      expect([seed, r.invariant]).toEqual([seed, 'leader-commits-current-term']);
    }
  });

  it('notPersistingVotedFor -> one-vote-per-term within 150 runs on some campaign seed 1-3 (seen at 79 / 106 / 396)', () => {
    expect(firstOfSeeds('notPersistingVotedFor', 150)?.invariant).toBe('one-vote-per-term');
  });

  it('notPersistingTerm -> term-monotonic at the restart that brings back an older term, within 100 runs on some campaign seed 1-3 (seen at 52 / 25 / over 150)', () => {
    expect(firstOfSeeds('notPersistingTerm', 100)?.invariant).toBe('term-monotonic');
  });

  it('electionQuorumOffByOne -> leader-has-vote-quorum at the first 5-server election won with a minority, within 40 runs on every campaign seed 1-3 (election-safety needs a second winner of the term)', () => {
    for (const seed of [1, 2, 3]) {
      let ticks = 0;
      const r = firstFailure(base({ electionQuorumOffByOne: true }), 'guided', seed, 40, () => ticks++);
      expect([seed, r.invariant]).toEqual([seed, 'leader-has-vote-quorum']);
    }
  });
});

describe('raft step rules stay quiet on correct Raft', () => {
  it('guided campaigns with the default workload (drawn histories, PreVote, maxBatch 1-3, snapshots), seeds 1-2, 40 runs each: no violation of any checker', () => {
    const workload = strategyWorkload('raft', 'guided');
    for (const seed of [1, 2]) {
      const r = fuzz({ scenario: base(), runs: 40, seed, strategy: 'guided', shrink: false, keepGoing: true, ...(workload ? { workload } : {}) });
      expect(r.failures.map((f) => `${f.violation.invariant}: ${f.violation.message}`)).toEqual([]);
      expect(r.runs).toBe(40);
    }
  });

  it('the rules are registered among raft checkers', () => {
    const names = parseScenario({ ...base(), checkers: RULES }).checkers;
    expect(names).toEqual(RULES);
  });
});
