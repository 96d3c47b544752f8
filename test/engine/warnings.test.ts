// What a checker cannot decide is never silent: SimView.warn records it in the
// run's warnings and in the trace, without making it a violation.

import { describe, expect, it } from 'vitest';
import { linearizableChecker } from '../../sim/check/linearizability/engine-checker.ts';
import { registerModel } from '../../sim/check/linearizability/models.ts';
import { ofType, runTraced, scripted } from './harness.ts';

describe('checker warnings', () => {
  it('a warning goes into the trace and the result, and is not a violation', () => {
    const r = runTraced({
      nodes: [scripted('n1', {})],
      until: 1000,
      checkers: [{ name: 'undecided', description: 'd', when: 'final', check: (view) => (view.warn('undecided', 'could not tell'), undefined) }],
    });
    expect(r.violations).toEqual([]);
    expect(r.warnings).toEqual([{ checker: 'undecided', message: 'could not tell', t: 1000 }]);
    expect(ofType(r.events, 'log').map((e) => e.text)).toEqual(['warning from undecided: could not tell']);
  });

  it('an exhausted linearizability budget is reported as a warning, not passed silently', () => {
    // Four concurrent writers and a reader: more than a 1-step budget can decide.
    const nodes = ['c1', 'c2', 'c3', 'c4'].map((id, i) =>
      scripted(id, {
        start: (ctx) => {
          const op = ctx.invoke({ process: id, f: 'write', value: i });
          ctx.setTimer(`done:${op}`, 100);
        },
        timer: (ctx, name) => ctx.complete(Number(name.slice(5)), 'ok'),
      }),
    );
    const checked = (maxSteps: number) => runTraced({ nodes, until: 1000, checkers: [linearizableChecker(registerModel, { maxSteps })] });
    const starved = checked(1);
    expect(starved.violations).toEqual([]);
    expect(starved.warnings).toHaveLength(1);
    expect(starved.warnings[0]?.message).toMatch(/search budget of 1 model steps ran out over 4 operations/);
    expect(checked(1_000_000).warnings).toEqual([]);
  });
});
