// Early episode starts (session 9, opt-in `faults.earlyShare`): a share of untriggered starts drawn
// log-uniform from the window's start. Off by default: the draws are then exactly the uniform ones.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EARLY_SHARE, episodesArb, resolveFaultGen, startArb } from '../../sim/fuzz/arbitraries.ts';

const W = { from: 0, until: 3_500_000 };
const share = (xs: number[], lo: number, hi: number): number => xs.filter((x) => x >= lo && x < hi).length / xs.length;

describe('startArb', () => {
  it('without a share it is the uniform draw, value for value', () => {
    const a = fc.sample(startArb(W), { numRuns: 500, seed: 3 });
    const b = fc.sample(fc.integer({ min: W.from, max: W.until - 1 }), { numRuns: 500, seed: 3 });
    expect(a).toEqual(b);
    // The default generator has no share: same episodes as before the option existed.
    const gen = resolveFaultGen({ roles: ['leader'], triggers: ['became-leader'] }, ['n1', 'n2', 'n3'], 5_000_000);
    expect(gen.earlyShare).toBe(0);
    expect(fc.sample(episodesArb(gen), { numRuns: 50, seed: 9 })).toEqual(fc.sample(episodesArb({ ...gen, earlyShare: 0 }), { numRuns: 50, seed: 9 }));
  });

  it('with a share, starts stay in the window and 10 ms-1 s after its start is hit more often', () => {
    const from = 200_000;
    const g = { from, until: from + W.until };
    const uniform = fc.sample(startArb(g), { numRuns: 5000, seed: 1 });
    const early = fc.sample(startArb({ ...g, earlyShare: EARLY_SHARE }), { numRuns: 5000, seed: 1 });
    for (const x of early) {
      expect(x).toBeGreaterThanOrEqual(g.from);
      expect(x).toBeLessThan(g.until);
    }
    expect(share(early, from + 10_000, from + 100_000)).toBeGreaterThan(2 * share(uniform, from + 10_000, from + 100_000));
    expect(share(early, from + 100_000, from + 1_000_000)).toBeGreaterThan(share(uniform, from + 100_000, from + 1_000_000));
  });

  it('shrinks toward the window start', () => {
    const arb = startArb({ ...W, earlyShare: 1 });
    const details = fc.check(fc.property(arb, (t) => t < 1_000_000), { seed: 5, numRuns: 200 });
    expect(details.failed).toBe(true);
    expect(details.counterexample?.[0]).toBeLessThan(1_100_000);
  });
});
