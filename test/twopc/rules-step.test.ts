// Two-phase commit step rules (sim/protocols/twopc/rules.ts; the nodes' paper
// rules as tables are in rules.test.ts): each fires at the first wrong step of
// a planted bug, before atomicity sees the damage, and never on the correct
// protocol.

import { describe, expect, it } from 'vitest';
import { fuzz, runScenario, strategyWorkload } from '../../sim/fuzz/fuzz.ts';
import { parseScenario } from '../../sim/scenario/resolve.ts';
import type { Scenario } from '../../sim/scenario/schema.ts';
import preparedPeerGuesses from '../../scenarios/twopc-prepared-peer-guesses.ts';
import decidesAlone from '../../scenarios/twopc-in-doubt-decides-alone.ts';

const FIGURE = ['atomicity', 'commit-validity', 'decision-stable', 'money-conserved', 'locks-released', 'cooperative-termination', 'in-doubt-resolves'];

function violations(s: Scenario): [string, string][] {
  return runScenario(s).violations.map((v) => [v.invariant, v.message]);
}

describe('twopc step rules', () => {
  it('answers-known-outcome: a prepared participant that answers a peer "abort" (preparedPeerAnswersAbort) is caught at the answer, 60 ms before the atomicity violation; the correct protocol passes', () => {
    const s = parseScenario(preparedPeerGuesses);
    expect(runScenario(s).violations[0]).toMatchObject({ invariant: 'answers-known-outcome', message: "p1 answered p2's cooperative-termination query with abort of c1.0, but it is prepared itself" });
    const withoutRules = parseScenario({ ...preparedPeerGuesses, checkers: FIGURE, expect: undefined });
    expect(violations(withoutRules)).toEqual([['atomicity', 'c1.0 committed at p1 but aborted at p2']]);
    expect(runScenario(s).violations[0]!.t).toBeLessThan(runScenario(withoutRules).violations[0]!.t);
    expect(violations(parseScenario({ ...preparedPeerGuesses, config: { ...preparedPeerGuesses.config, bugs: {} }, expect: undefined }))).toEqual([]);
  });

  it('in-doubt-waits: a participant that voted yes and aborts on its own timeout (inDoubtDecidesAlone) is caught; the correct protocol passes', () => {
    const only = parseScenario({ ...decidesAlone, checkers: ['in-doubt-waits'], expect: undefined });
    const v = runScenario(only).violations;
    expect(v.map((x) => x.invariant)).toEqual(['in-doubt-waits']);
    expect(v[0]!.message).toMatch(/voted yes for c1\.0 and then aborted it before any outcome reached it/);
    const correct = parseScenario({ ...decidesAlone, config: { ...decidesAlone.config, bugs: {} }, expect: undefined });
    expect(violations(correct)).toEqual([]);
  });

  it('correct twopc under guided fuzzing with the default workload (cooperative termination drawn), seeds 1-2, 30 runs each: no violation', () => {
    const workload = strategyWorkload('twopc', 'guided');
    const s = parseScenario({ name: 'twopc-fuzz', description: 'rules', protocol: 'twopc', duration: '5s' });
    for (const seed of [1, 2]) {
      const r = fuzz({ scenario: s, runs: 30, seed, strategy: 'guided', shrink: false, keepGoing: true, ...(workload ? { workload } : {}) });
      expect(r.failures.map((f) => `${f.violation.invariant}: ${f.violation.message}`)).toEqual([]);
    }
  });
});
