// Swarm over run length (session 8): targeted and guided runs draw how much of the scenario's duration
// they last (SPAN_SHARES); the fault window scales with it, the calm after it is kept; a failure found in a short run is reported
// with that duration and replays. Random keeps the whole duration (the baseline).
import { describe, expect, it } from 'vitest';
import { fuzz, fuzzCaseOf, runScenario, strategyGen } from '../../sim/fuzz/fuzz.ts';
import { SPAN_SHARES, spanDuration, windowEnd, type EpisodeCase } from '../../sim/fuzz/guided.ts';
import { parseScenario } from '../../sim/scenario/resolve.ts';

const base = parseScenario({ name: 'raft-span', description: 'span test', protocol: 'raft', config: { bugs: { leaderTruncatesOnConflict: true } }, duration: '5s' });

describe('run length (span)', () => {
  it('a short case lasts its share of the duration, its fault window scaled alike, and drops what falls after it', () => {
    const { gen } = strategyGen(base, 'guided', {}, true);
    const c: EpisodeCase = {
      seed: '7',
      window: 100,
      span: 50,
      workload: {},
      episodes: [
        { kind: 'crash', node: 'n1', at: 100_000, length: 50_000 },
        { kind: 'crash', node: 'n2', at: gen.until - 1, length: 50_000 },
        { kind: 'reseed', at: base.duration - 1, salt: '3' },
      ],
    };
    const fc = fuzzCaseOf(c, gen, base.duration);
    const until = windowEnd(gen, 100, 50);
    // The scaled window, then the same calm after the quiesce as the whole-length run has.
    expect(fc.duration).toBe(until + (base.duration - windowEnd(gen, 100)));
    expect(fc.duration).toBeLessThan(base.duration);
    expect(until).toBe(gen.from + Math.floor((gen.until - gen.from) / 2));
    expect(fc.faults.at(-1)).toEqual({ at: until, kind: 'quiesce' });
    // The late crash (past the scaled window) and the reseed past the run's end are gone; the early crash stays.
    expect(fc.faults.filter((f) => f.kind === 'crash').map((f) => (f as { node: string }).node)).toEqual(['n1']);
    expect(fc.faults.some((f) => f.kind === 'reseed')).toBe(false);
    // The whole length: no duration of its own, the base's window.
    const whole = fuzzCaseOf({ ...c, span: 100 }, gen, base.duration);
    expect(whole.duration).toBeUndefined();
    expect(whole.faults.find((f) => f.kind === 'quiesce')?.at).toBe(windowEnd(gen, 100));
    expect(whole.faults.some((f) => f.kind === 'reseed')).toBe(true);
    expect(spanDuration({ from: 0, until: 3_500_000 }, { window: 100, span: 25 }, 5_000_000)).toBe(875_000 + 1_500_000);
    expect(spanDuration({ from: 0, until: 3_500_000 }, { window: 30, span: 50 }, 5_000_000)).toBe(525_000 + 3_950_000);
  });

  it('asked for, targeted and guided draw run lengths; random and a fixed fault window do not; by default none does', () => {
    expect(strategyGen(base, 'guided', {}, true).spans).toEqual(SPAN_SHARES);
    expect(strategyGen(base, 'targeted', {}, true).spans).toEqual(SPAN_SHARES);
    expect(strategyGen(base, 'random', {}, true).spans).toEqual([100]);
    expect(strategyGen(base, 'guided', { until: 3_000_000 }, true).spans).toEqual([100]);
    expect(strategyGen(base, 'guided', { from: 1000 }, true).spans).toEqual([100]);
    // Off by default (FuzzOptions.spans): the draws are the ones without the option.
    expect(strategyGen(base, 'guided').spans).toEqual([100]);
  });

  it('a failure found in a short run carries its duration and replays to the same violation', () => {
    // Search campaign seeds 1-8 for a failure found in a short run (unshrunk: shrinking moves the length back to the whole, when that still fails).
    const early = parseScenario({ ...base, name: 'raft-span-apply', config: { bugs: { applyBeforeCommit: true } } });
    let short = 0;
    for (let seed = 1; seed <= 8 && short === 0; seed++) {
      const r = fuzz({ scenario: early, runs: 40, seed, strategy: 'targeted', shrink: false, spans: true });
      for (const f of r.failures) {
        if (f.scenario.duration >= early.duration) continue;
        short++;
        expect(f.scenario.faults.timeline.find((x) => x.kind === 'quiesce')?.at).toBeLessThan(f.scenario.duration);
        const again = runScenario(f.scenario);
        expect(again.violations[0]?.invariant).toBe(f.violation.invariant);
      }
    }
    expect(short).toBeGreaterThan(0);
  });
});
