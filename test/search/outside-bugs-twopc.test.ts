// "Outside" planted 2PC bugs (issue 11): mistakes of the kind a user might
// make, planted to measure whether search is general. Each is off by default
// and caught by a checker in a campaign like `faultline fuzz twopc --bug <name>`
// (default config, twopc's default workload, guided search, campaign seed 1),
// within a stated budget of runs (deterministic per seed).

import { describe, expect, it } from 'vitest';
import { firstFailure } from '../../sim/bench/search.ts';
import { runScenario } from '../../sim/fuzz/fuzz.ts';
import { parseScenario } from '../../sim/scenario/resolve.ts';
import preparedPeerGuesses from '../../scenarios/twopc-prepared-peer-guesses.ts';

function campaign(bug: string, budgetRuns: number, seed = 1): ReturnType<typeof firstFailure> {
  const base = parseScenario({ name: 'twopc-fuzz', description: 'outside bug', protocol: 'twopc', config: { bugs: { [bug]: true } }, duration: '5s' });
  let ticks = 0;
  // A clock that ticks once per run: the budget is a run count, not wall time.
  return firstFailure(base, 'guided', seed, budgetRuns, () => ticks++);
}

describe('outside planted 2PC bugs are caught by their checkers', () => {
  it('preparedPeerAnswersAbort -> answers-known-outcome by a guided campaign within 40 runs on some campaign seed 1-3 (seen at 4 / 9 / 147)', () => {
    const found = [1, 2, 3].map((seed) => campaign('preparedPeerAnswersAbort', 40, seed)).find((r) => r.found);
    expect(found?.invariant).toBe('answers-known-outcome');
  });

  it('answerQueryWhileVoting (the coordinator answers an in-doubt query while it still collects votes) -> in-doubt-resolves or decision-stable within 80 runs on some campaign seed 1-3 (seen at 179 / 39 / 40): the participant aborted on the premature answer, so the later commit is never acknowledged (in-doubt-resolves), or the commit reaches it after it aborted (decision-stable)', () => {
    const r = [1, 2, 3].map((seed) => campaign('answerQueryWhileVoting', 80, seed)).find((x) => x.found);
    expect(['in-doubt-resolves', 'decision-stable']).toContain(r?.invariant);
  });

  it('preparedPeerAnswersAbort (a prepared participant answers a cooperative-termination peer "abort") -> answers-known-outcome in twopc-prepared-peer-guesses (atomicity later, test/twopc/rules-step.test.ts); without the bug both commit', () => {
    const buggy = runScenario(parseScenario(preparedPeerGuesses));
    expect(buggy.violations.map((v) => v.invariant)).toEqual(['answers-known-outcome']);
    const correct = runScenario(parseScenario({ ...preparedPeerGuesses, config: { ...preparedPeerGuesses.config, bugs: {} }, expect: undefined }));
    expect(correct.violations).toEqual([]);
  });
});
