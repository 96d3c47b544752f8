// How always-checkers are run (sim/engine/checking.ts): in order after every step, a periodic one
// every `every` steps, a checker that failed (or threw) never again while the others go on, and
// every violation of one step caused by that step's last event.

import { describe, expect, it } from 'vitest';
import type { Checker } from '../../sim/engine/types.ts';
import { runTraced, scripted } from './harness.ts';

/** n1 ticks every 10 µs: one step per tick. */
const ticker = scripted('n1', {
  start: (ctx) => ctx.setTimer('tick', 10),
  timer: (ctx) => ctx.setTimer('tick', 10),
});

/** n1 ticks every 10 µs and publishes `{ ticks }` at every third tick (a fresh count per call). */
function thirdTickPublisher(): ReturnType<typeof scripted> {
  let ticks = 0;
  return scripted('n1', {
    start: (ctx) => ctx.setTimer('tick', 10),
    timer: (ctx) => {
      ticks++;
      if (ticks % 3 === 0) ctx.publish({ ticks });
      ctx.setTimer('tick', 10);
    },
  });
}

function counting(name: string, failAt: number | undefined, calls: number[], extra: Partial<Checker> = {}): Checker {
  return {
    name,
    description: name,
    when: 'always',
    check: (view) => {
      calls.push(view.stepsTaken);
      if (failAt !== undefined && view.stepsTaken >= failAt) {
        if (name.startsWith('throws')) throw new Error(`${name} broke`);
        return `${name} failed at step ${view.stepsTaken}`;
      }
      return undefined;
    },
    ...extra,
  };
}

describe('always-checkers', () => {
  it('run in order after every step; one that fails is not called again, the others go on; one that throws is a violation of its own', () => {
    const order: string[] = [];
    const a: number[] = [];
    const b: number[] = [];
    const c: number[] = [];
    const trace = (name: string, calls: number[], failAt?: number) => {
      const inner = counting(name, failAt, calls);
      return { ...inner, check: (view: Parameters<Checker['check']>[0]) => (order.push(name), inner.check(view)) };
    };
    const r = runTraced({
      nodes: [ticker],
      until: 100,
      stopOnViolation: false,
      checkers: [trace('first', a, 3), trace('throws-second', b, 5), trace('third', c)],
    });
    expect(r.violations.map((v) => [v.invariant, v.message])).toEqual([
      ['first', 'first failed at step 3'],
      ['throws-second', 'checker threw: throws-second broke'],
    ]);
    expect(a).toEqual([1, 2, 3]);
    expect(b).toEqual([1, 2, 3, 4, 5]);
    expect(c).toEqual(Array.from({ length: r.stats.steps }, (_, i) => i + 1));
    expect(order.slice(0, 6)).toEqual(['first', 'throws-second', 'third', 'first', 'throws-second', 'third']);
    // Both violations of one step would name that step's last event as their cause.
    for (const v of r.violations) expect(v.cause).toBeLessThan(v.seq);
  });

  it('two violations in one step share the cause; a periodic checker runs every `every` steps', () => {
    const p: number[] = [];
    const r = runTraced({
      nodes: [ticker],
      until: 100,
      stopOnViolation: false,
      checkers: [counting('x', 4, []), counting('y', 4, []), counting('periodic', undefined, p, { every: 3 })],
    });
    expect(r.violations.map((v) => v.invariant)).toEqual(['x', 'y']);
    expect(r.violations[0]?.cause).toBe(r.violations[1]?.cause);
    expect(p).toEqual([3, 6, 9]);
  });

  it('stops the run at the first violation by default, and later checkers of that step do not run', () => {
    const later: number[] = [];
    const r = runTraced({ nodes: [ticker], until: 100, checkers: [counting('x', 2, []), counting('later', undefined, later)] });
    expect(r.end).toBe('violation');
    expect(r.violations.map((v) => v.invariant)).toEqual(['x']);
    expect(later).toEqual([1]);
  });

  it('one that declares onChange is skipped after a node step that published nothing, and called after the first step, every publish and every fault step', () => {
    // n1 ticks every 10 µs and publishes at every third tick; a fault (n2 crashes) at 55 µs.
    const publisher = thirdTickPublisher();
    const idle = scripted('n2', {});
    const every: number[] = [];
    const changes: number[] = [];
    // Written independently of the engine's bookkeeping: the first step, and the steps that were faults or changed what a node published.
    const expected: number[] = [];
    let last: unknown;
    const witness: Checker = {
      name: 'witness',
      description: 'witness',
      when: 'always',
      check: (view) => {
        const now = view.published('n1');
        if (view.stepsTaken === 1 || view.actor === undefined || now !== last) expected.push(view.stepsTaken);
        last = now;
        return undefined;
      },
    };
    const r = runTraced({ nodes: [publisher, idle], until: 100, faults: [{ at: 55, kind: 'crash', node: 'n2' }], checkers: [counting('every', undefined, every), counting('changes', undefined, changes, { onChange: true }), witness] });
    expect(every).toEqual(Array.from({ length: r.stats.steps }, (_, i) => i + 1));
    expect(r.events.some((e) => e.type === 'crash')).toBe(true);
    expect(changes.length).toBeGreaterThan(3);
    expect(changes.length).toBeLessThan(every.length);
    expect(changes).toEqual(expected);
  });

  it('one that declares wake is called only after the steps in which its hooks raised the flag, and its violation is that step\'s', () => {
    // n1 ticks every 10 µs and publishes at every third tick; the checker raises its flag in its publish hook.
    const publisher = thirdTickPublisher();
    const publishedAt: number[] = [];
    const calls: number[] = [];
    let steps = 0;
    const wake = { raised: false };
    let seen = 0;
    const woken: Checker = {
      name: 'woken',
      description: 'woken',
      when: 'always',
      wake,
      on: {
        publish: (_node, state) => {
          seen = (state as { ticks: number }).ticks;
          publishedAt.push(steps + 1); // the step being taken
          wake.raised = true;
        },
      },
      check: (view) => {
        calls.push(view.stepsTaken);
        return seen === 9 ? `published tick ${seen}` : undefined;
      },
    };
    const counter: Checker = { name: 'steps', description: 'steps', when: 'always', check: (view) => ((steps = view.stepsTaken), undefined) };
    const r = runTraced({ nodes: [publisher], until: 200, checkers: [counter, woken] });
    expect(calls).toEqual(publishedAt);
    expect(calls).toEqual([4, 7, 10]); // start, then ticks 3, 6, 9 (steps 4, 7, 10)
    expect(wake.raised).toBe(false);
    expect(r.violations.map((v) => [v.invariant, v.message])).toEqual([['woken', 'published tick 9']]);
    expect(r.stats.steps).toBe(10);
  });
});
