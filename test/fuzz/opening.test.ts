// The systematic opening (session 10, opt-in `fuzz({ opening })`): one short run per protocol trigger x fault
// kind, the fault started on the trigger at its node. Off by default: guided's runs are then exactly those of
// a campaign without the option.

import { describe, expect, it } from 'vitest';
import { rootRng } from '../../sim/engine/random.ts';
import { fuzz, runScenario, strategyGen, strategyWorkload, type FuzzOptions } from '../../sim/fuzz/fuzz.ts';
import { OPENING_SPANS, openingCase, openingPlan } from '../../sim/fuzz/guided.ts';
import { parseScenario } from '../../sim/scenario/resolve.ts';

const raft = (bugs: Record<string, boolean> = {}) => parseScenario({ name: 'raft-fuzz', description: 'opening', protocol: 'raft', config: { bugs }, duration: '5s' });
const { gen } = strategyGen(raft(), 'guided');

describe('openingPlan', () => {
  it('holds every trigger x drawable kind exactly once, in an order drawn from the seed', () => {
    const a = openingPlan(gen, rootRng('opening/1'));
    const key = (c: { trigger: string; kind: string }): string => `${c.trigger}/${c.kind}`;
    expect(gen.triggers.length).toBeGreaterThan(0);
    expect(a).toHaveLength(gen.triggers.length * gen.kinds.length);
    expect(new Set(a.map(key)).size).toBe(a.length);
    expect(openingPlan(gen, rootRng('opening/1')).map(key)).toEqual(a.map(key));
    expect(openingPlan(gen, rootRng('opening/2')).map(key)).not.toEqual(a.map(key));
    expect(openingPlan({ ...gen, triggers: [] }, rootRng('opening/1'))).toEqual([]);
  });
});

describe('openingCase', () => {
  it('one episode of the cell kind, armed at the window start on the first occurrence of the cell trigger, in a short run', () => {
    const rng = rootRng('opening/cases');
    for (const cell of openingPlan(gen, rng)) {
      const c = openingCase(cell, gen, rng, strategyWorkload('raft', 'guided'));
      expect(c.episodes).toHaveLength(1);
      const e = c.episodes[0]!;
      expect(e.kind).toBe(cell.kind);
      expect(e.at).toBe(gen.from);
      expect(e.on?.event).toBe(cell.trigger);
      expect(e.on?.nth).toBe(1);
      expect(e.on?.delay).toBeGreaterThanOrEqual(0);
      expect(e.on?.delay).toBeLessThanOrEqual(gen.maxDelay);
      expect((OPENING_SPANS as readonly number[]).includes(c.span ?? 100)).toBe(true);
      if (e.kind === 'crash' || e.kind === 'pause' || e.kind === 'isolate') expect(e.node).toBe('@trigger');
    }
  });
});

describe('fuzz({ opening })', () => {
  const opts = (extra: Partial<FuzzOptions> = {}): FuzzOptions => ({ scenario: raft(), runs: 12, seed: 5, shrink: false, workload: strategyWorkload('raft', 'guided'), ...extra });

  it('off by default: the same runs as opening 0', () => {
    expect(fuzz(opts()).stateSet).toEqual(fuzz(opts({ opening: 0 })).stateSet);
  });

  it('on: a pure function of its seed, and its runs differ from a campaign without it', () => {
    const a = fuzz(opts({ opening: 0.75 }));
    expect(fuzz(opts({ opening: 0.75 }))).toEqual(a);
    expect(a.stateSet).not.toEqual(fuzz(opts()).stateSet);
    expect(() => fuzz(opts({ opening: 2 }))).toThrow(/opening must be between 0 and 1/);
  });

  it('a failure an opening run finds shrinks and its shrunk scenario replays the same violation (campaign seeds 1-3 searched)', () => {
    // Every fresh draw but the first is an opening cell (share 1): a failure after run 0 was found by one.
    let found = false;
    for (const seed of [1, 2, 3]) {
      const r = fuzz({ scenario: raft({ leaderTruncatesOnConflict: true }), runs: 12, seed, opening: 1, shrinkBudget: 60, workload: strategyWorkload('raft', 'guided') });
      const f = r.failures[0];
      if (!f || f.run === 0) continue;
      found = true;
      expect(f.origin).toBe('mutant');
      expect(runScenario(f.scenario).violations[0]?.invariant).toBe(f.violation.invariant);
      break;
    }
    expect(found).toBe(true);
  });
});
