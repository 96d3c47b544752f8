// The explorer counts what TLC counts. Numbers for the TLA+ spec TwoPhase of
// tlaplus/Examples (specifications/transaction_commit/TwoPhase.tla):
// - 3 RMs: 288 distinct states, 1146 states generated, depth 11 (TLC counts the
//   initial state as depth 1; we count steps, so 10): manifest.json of
//   specifications/transaction_commit in tlaplus/Examples (TwoPhase.cfg, RM = {r1, r2, r3}).
// - 4 and 5 RMs: 1,568 and 8,832 distinct states; with SYMMETRY Permutations(RM):
//   80, 166 and 314 for 3, 4 and 5 RMs (TLC numbers given in issue 12).
import { describe, expect, it } from 'vitest';
import { explore } from '../../sim/explore/explorer.ts';
import { TwoPhaseModel } from '../../sim/explore/twophase.ts';

const TLC: { rms: number; distinct: number; symmetric: number }[] = [
  { rms: 3, distinct: 288, symmetric: 80 },
  { rms: 4, distinct: 1568, symmetric: 166 },
  { rms: 5, distinct: 8832, symmetric: 314 },
];

describe('twopc-spec (TLA+ TwoPhase) explored exhaustively', () => {
  for (const { rms, distinct, symmetric } of TLC) {
    for (const strategy of ['bfs', 'dfs'] as const) {
      it(`${rms} RMs, ${strategy}: ${distinct} distinct states, ${symmetric} with symmetry, TCConsistent holds`, () => {
        const plain = explore(new TwoPhaseModel({ rms }), { strategy });
        expect(plain.end).toBe('complete');
        expect(plain.cut).toBe(false);
        expect(plain.distinct).toBe(distinct);
        expect(plain.counterexample).toBeUndefined();
        expect(Object.keys(plain.goals).sort()).toEqual(['all-aborted', 'all-committed']);
        const sym = explore(new TwoPhaseModel({ rms }), { strategy, symmetry: true });
        expect(sym.distinct).toBe(symmetric);
      });
    }
  }

  it('3 RMs: 1146 states generated and depth 10 (TLC: 1146, depth 11 counting the initial state)', () => {
    const r = explore(new TwoPhaseModel({ rms: 3 }));
    expect(r.states).toBe(1146);
    expect(r.depth).toBe(10);
    // BFS: the first state where all RMs committed is at the shortest depth: 3 prepares, 3 receipts, commit, 3 commits.
    expect(r.goals['all-committed']).toBe(10);
    expect(r.goals['all-aborted']).toBe(3);
  });

  it('a depth bound cuts the space and says so', () => {
    const r = explore(new TwoPhaseModel({ rms: 3 }), { maxDepth: 4 });
    expect(r.cut).toBe(true);
    expect(r.depth).toBe(4);
    expect(r.distinct).toBeLessThan(288);
  });

  it('shouldStop (Ctrl-C) ends the exploration with what was covered', () => {
    let polls = 0;
    const r = explore(new TwoPhaseModel({ rms: 4 }), { shouldStop: () => ++polls > 50 });
    expect(r.end).toBe('stopped');
    expect(r.distinct).toBeGreaterThan(0);
    expect(r.distinct).toBeLessThan(1568);
    expect(r.queued).toBeGreaterThan(0);
  });

  it('max-states stops at the budget', () => {
    const r = explore(new TwoPhaseModel({ rms: 4 }), { maxStates: 100 });
    expect(r.end).toBe('max-states');
    expect(r.distinct).toBe(100);
  });

  it('planted bug (TM commits on the first Prepared): BFS finds the shortest TCConsistent counterexample', () => {
    const model = new TwoPhaseModel({ rms: 3, commitOnFirstPrepared: true });
    const r = explore(model);
    expect(r.end).toBe('violation');
    expect(r.counterexample?.violation.invariant).toBe('TCConsistent');
    // Shortest: one RM prepares, TM hears it and commits, that RM commits, another RM aborts (5 steps).
    expect(r.counterexample?.labels).toEqual(['RMPrepare(r1)', 'TMRcvPrepared(r1)', 'TMCommit', 'RMRcvCommitMsg(r1)', 'RMChooseToAbort(r2)']);
    // Replaying the path reaches a violating state.
    let s = model.initial();
    for (const i of r.counterexample?.path ?? []) s = model.step(s, i);
    expect(model.violation(s)?.invariant).toBe('TCConsistent');
    // DFS finds one too, not necessarily the shortest.
    const d = explore(model, { strategy: 'dfs' });
    expect(d.counterexample?.violation.invariant).toBe('TCConsistent');
    expect(d.counterexample?.path.length).toBeGreaterThanOrEqual(5);
  });
});
