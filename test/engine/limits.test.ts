// TigerBeetle's discipline in the engine: every queue that can grow has a bound with
// an assertion (EngineLimits), so a run that would exhaust memory stops with an error
// naming the bound instead of an out-of-memory crash; lookups the engine relies on are
// asserted (getOrFail / atOrFail) instead of cast.

import { describe, expect, it } from 'vitest';
import { AssertionFailure, atOrFail, getOrFail } from '../../sim/engine/assert.ts';
import { defaultEngineConfig, type TimedFault } from '../../sim/engine/config.ts';
import { DEFAULT_LIMITS, EngineLimitError, type EngineLimits } from '../../sim/engine/limits.ts';
import { DEFAULT_MAX_STEPS, Simulation } from '../../sim/engine/simulation.ts';
import type { NodeSpec } from '../../sim/engine/types.ts';
import { scripted } from './harness.ts';

function sim(nodes: NodeSpec[], limits: Partial<Omit<EngineLimits, 'steps'>>, faults: TimedFault[] = [], maxSteps?: number): Simulation {
  return new Simulation({ seed: 'limits', nodes, config: defaultEngineConfig(), faults, limits, ...(maxSteps !== undefined ? { maxSteps } : {}) });
}

function limitError(fn: () => unknown): EngineLimitError {
  try {
    fn();
  } catch (err) {
    if (err instanceof EngineLimitError) return err;
    throw err;
  }
  throw new Error('expected an EngineLimitError');
}

/** n1 sends one message to n2 every millisecond. */
const sender = scripted('n1', {
  start: (ctx) => ctx.setTimer('tick', 1000),
  timer: (ctx) => {
    ctx.send('n2', { type: 'ping' });
    ctx.setTimer('tick', 1000);
  },
});
const counted = (seen: { n: number }) => scripted('n2', { message: () => void seen.n++ });

describe('EngineLimits: bounds on what grows during a run', () => {
  it('the defaults are far above what a scenario reaches, and the step limit is the documented default', () => {
    expect(DEFAULT_LIMITS.pausedEvents).toBeGreaterThanOrEqual(100_000);
    expect(DEFAULT_LIMITS.steps).toBe(DEFAULT_MAX_STEPS);
  });

  it('events held for a paused node: within the bound they are all delivered on resume; one more is an EngineLimitError naming the node', () => {
    const seen = { n: 0 };
    const pause: TimedFault[] = [
      { at: 500, kind: 'pause', node: 'n2' },
      { at: 40_500, kind: 'resume', node: 'n2' },
    ];
    // 40 messages fall due while n2 is paused (one per ms).
    const ok = sim([sender, counted(seen)], { pausedEvents: 45 }, pause).run(40_400);
    expect(ok.end).toBe('time');
    expect(seen.n).toBe(0);
    const seen2 = { n: 0 };
    sim([sender, counted(seen2)], { pausedEvents: 45 }, pause).run(41_000);
    expect(seen2.n).toBeGreaterThan(30); // the ones held, delivered at the resume
    const err = limitError(() => sim([sender, counted({ n: 0 })], { pausedEvents: 10 }, pause).run(40_400));
    expect(err.limit).toBe('pausedEvents');
    expect(err.bound).toBe(10);
    expect(err.message).toContain('paused node n2');
    expect(err.t).toBeGreaterThan(500);
    expect(err.t).toBeLessThan(40_500);
  });

  it('timers per node: re-arming one name never grows the table; one distinct name too many is an EngineLimitError', () => {
    const rearm = scripted('n1', {
      start: (ctx) => {
        for (let i = 0; i < 100; i++) ctx.setTimer('same', 10 + i);
      },
    });
    expect(sim([rearm], { timersPerNode: 3 }).run(1000).end).not.toBe('violation');
    const many = scripted('n1', {
      start: (ctx) => {
        for (let i = 0; i < 4; i++) ctx.setTimer(`t${i}`, 10);
      },
    });
    const s3 = sim([many], { timersPerNode: 4 });
    expect(s3.run(1000).stats.timers).toBe(4);
    const err = limitError(() => sim([many], { timersPerNode: 3 }).run(1000));
    expect(err.limit).toBe('timersPerNode');
    expect(err.message).toContain('node n1');
  });

  it('disk keys per node: rewriting or deleting keys never grows the disk; one distinct key too many is an EngineLimitError naming the node', () => {
    const writer = (keys: number) =>
      scripted('n1', {
        start: (ctx) => {
          for (let i = 0; i < 50; i++) ctx.disk.put('same', i);
          ctx.disk.fsync();
          for (let i = 0; i < keys; i++) ctx.disk.put(`k${i}`, i);
          ctx.disk.fsync();
          ctx.disk.delete('same');
          ctx.disk.fsync();
          ctx.disk.put('again', 1); // the delete freed a place
        },
      });
    const ok = sim([writer(3)], { diskKeys: 4 });
    expect(ok.run(1000).end).not.toBe('violation');
    expect(ok.diskOf('n1').durableKeys()).toEqual(['k0', 'k1', 'k2']);
    const err = limitError(() => sim([writer(4)], { diskKeys: 4 }).run(1000));
    expect(err.limit).toBe('diskKeys');
    expect(err.bound).toBe(4);
    expect(err.message).toContain('disk of node n1');
  });

  it('history: one event past the bound is an EngineLimitError', () => {
    const client = scripted('c1', {
      start: (ctx) => ctx.setTimer('op', 10),
      timer: (ctx) => {
        const op = ctx.invoke({ process: 'p', f: 'read' });
        ctx.complete(op, 'ok', 1);
        ctx.setTimer('op', 10);
      },
    });
    const ok = sim([client], { historyEvents: 10 });
    ok.run(50); // five operations: ten events, at the bound
    expect(ok.history).toHaveLength(10);
    const err = limitError(() => sim([client], { historyEvents: 10 }).run(60));
    expect(err.limit).toBe('historyEvents');
  });

  it('the event queue: more events in flight than the bound is an EngineLimitError', () => {
    const burst = (k: number) =>
      scripted('n1', {
        start: (ctx) => {
          for (let i = 0; i < k; i++) ctx.send('n2', { type: 'x' });
        },
      });
    const sink = scripted('n2', {});
    // Two start events are queued first; each send queues one delivery.
    expect(sim([burst(48), sink], { queuedEvents: 50 }).run(1_000_000).stats.messages.delivered).toBe(48);
    const err = limitError(() => sim([burst(60), sink], { queuedEvents: 50 }).run(1_000_000));
    expect(err.limit).toBe('queuedEvents');
    expect(err.bound).toBe(50);
  });

  it('the step limit ends the run with end "max-steps" (the scenario layer refuses it)', () => {
    const r = sim([sender, counted({ n: 0 })], {}, [], 25).run(1_000_000);
    expect(r.end).toBe('max-steps');
    expect(r.stats.steps).toBe(25);
  });
});

describe('asserting accessors', () => {
  it('getOrFail returns what is there (even undefined stored on purpose) and fails naming the map and key otherwise', () => {
    const m = new Map<string, number | undefined>([
      ['a', 1],
      ['u', undefined],
    ]);
    expect(getOrFail(m, 'a', 'test map')).toBe(1);
    expect(getOrFail(m, 'u', 'test map')).toBeUndefined();
    expect(() => getOrFail(m, 'b', 'timers of n1')).toThrow(AssertionFailure);
    expect(() => getOrFail(m, 'b', 'timers of n1')).toThrow('timers of n1: no entry for b');
  });

  it('atOrFail returns an element in range and fails on holes outside it', () => {
    const a = [10, 20];
    expect(atOrFail(a, 1, 'slots')).toBe(20);
    for (const i of [-1, 2, 0.5, Number.NaN]) expect(() => atOrFail(a, i, 'slots')).toThrow(AssertionFailure);
  });
});

describe('EngineLimits.reports: violations and warnings of one run', () => {
  /** n1 throws in every tick: one `exception` violation per tick when the run does not stop on the first. */
  const thrower = scripted('n1', {
    start: (ctx) => ctx.setTimer('tick', 1000),
    timer: (ctx) => {
      ctx.setTimer('tick', 1000);
      throw new Error('broken');
    },
  });

  it('a handler that throws at every step of a run that goes on: within the bound every violation is recorded; past it an EngineLimitError', () => {
    const mk = (reports: number) => new Simulation({ seed: 'r', nodes: [thrower], config: defaultEngineConfig(), stopOnViolation: false, limits: { reports } });
    const ok = mk(20).run(10_500);
    expect(ok.violations.map((v) => v.invariant)).toEqual(Array.from({ length: 10 }, () => 'exception'));
    const err = limitError(() => mk(5).run(10_500));
    expect(err.limit).toBe('reports');
    expect(err.message).toContain('violations');
  });

  it('a checker that warns at every step: past the bound an EngineLimitError, not a violation of the checker', () => {
    const ticker = scripted('n1', { start: (ctx) => ctx.setTimer('tick', 1000), timer: (ctx) => ctx.setTimer('tick', 1000) });
    const warning = { name: 'warns', description: 'warns', when: 'always' as const, check: (view: { warn(c: string, m: string): void }) => (view.warn('warns', 'cannot tell'), undefined) };
    const mk = (reports: number) => new Simulation({ seed: 'r', nodes: [ticker], config: defaultEngineConfig(), checkers: [warning], limits: { reports } });
    expect(mk(50).run(10_500).warnings.length).toBe(11);
    const err = limitError(() => mk(5).run(10_500));
    expect(err.limit).toBe('reports');
    expect(err.message).toContain('warnings of the run (warns)');
  });
});
