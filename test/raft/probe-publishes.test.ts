// ServerProbe's quiet-step shortcut (SimView.publishes): after a step it looked at, a
// step by a node that published nothing is answered "nothing touched" without looking
// at the actor. Shown equivalent to the full look: two probes follow the same runs
// (crashes, restarts, partitions, loss bursts, the quiesce point), one through the
// engine's view and one through a view that hides `publishes` (so it always looks),
// and after every step they must name the same servers and hold the same states.

import { describe, expect, it } from 'vitest';
import { Simulation } from '../../sim/engine/simulation.ts';
import type { Checker, SimView } from '../../sim/engine/types.ts';
import { ServerProbe } from '../../sim/protocols/raft/checkers.ts';
import { parseScenario, prepareRun } from '../../sim/scenario/resolve.ts';
import flapping from '../../scenarios/raft-flapping.ts';
import leaderCrash from '../../scenarios/raft-leader-crash.ts';
import twoDown from '../../scenarios/raft-two-down.ts';

/** The engine's view with `publishes` hidden (one object for the whole run, as the engine's view is). */
function withoutPublishes(view: SimView): SimView {
  return new Proxy(view, {
    get(t, key) {
      if (key === 'publishes') return undefined;
      const v = Reflect.get(t, key, t) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(t) : v;
    },
  });
}

/** Run `input` with two probes side by side; returns the steps compared and the steps the probes found touched. */
function compare(input: unknown, seed: number, onChange: boolean): { calls: number; touched: number; mismatches: string[] } {
  const run = prepareRun(parseScenario(input), { seed });
  const servers = run.nodes.filter((n) => n.role === 'server').map((n) => n.id);
  const fast = new ServerProbe(servers);
  const slow = new ServerProbe(servers);
  let hidden: SimView | undefined;
  let calls = 0;
  let touched = 0;
  const mismatches: string[] = [];
  const twin: Checker = {
    name: 'probe-twin',
    description: 'the two probes agree',
    when: 'always',
    ...(onChange ? { onChange: true } : {}),
    check(view) {
      hidden ??= withoutPublishes(view);
      calls++;
      const a = fast.touched(view);
      const b = slow.touched(hidden);
      if (a.length > 0) touched++;
      if (a.join() !== b.join()) mismatches.push(`step ${view.stepsTaken}: touched ${a.join()} vs ${b.join()}`);
      for (const k of fast.everyone()) {
        if (fast.node(k) !== slow.node(k) || fast.life(k) !== slow.life(k) || fast.log(k).last !== slow.log(k).last) mismatches.push(`step ${view.stepsTaken}: server ${k} differs`);
      }
      return undefined;
    },
  };
  const sim = new Simulation({ seed: run.seed, nodes: run.nodes, config: run.engine, faults: run.timeline, checkers: [...run.checkers, twin] });
  sim.run(run.scenario.duration);
  return { calls, touched, mismatches };
}

describe('ServerProbe quiet-step shortcut', () => {
  const cases = [
    ['raft-flapping', flapping],
    ['raft-leader-crash', leaderCrash],
    ['raft-two-down', twoDown],
  ] as const;
  for (const [name, input] of cases) {
    for (const onChange of [false, true]) {
      it(`${name}: the same servers and states after every step (${onChange ? 'onChange checker' : 'every step'})`, () => {
        for (const seed of [1, 2]) {
          const r = compare(input, seed, onChange);
          expect(r.mismatches).toEqual([]);
          expect(r.touched).toBeGreaterThan(10);
          // Called after every step, most calls find nothing published (the shortcut); called only
          // after steps that published or applied a fault, each finds something (the full look).
          if (onChange) expect(r.calls).toBe(r.touched);
          else expect(r.calls).toBeGreaterThan(2 * r.touched);
        }
      });
    }
  }
});
