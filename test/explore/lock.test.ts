// The lock service explored with timed driving (profiles.ts `lock`, driver.ts `timed`): timers fire in due
// order unless the drift budget is drawn on, messages arrive at or after their scheduled arrival with at most
// `delays` of them late. Proven here:
// - the abstraction's invariant on every explored state: with drift 0 no armed timer is ever overdue (every
//   explored run is a run of drift-free clocks without pauses), with drift 1 some are; with delays k at most k
//   messages in flight are past their arrival;
// - the order the untimed driver allowed (lock-handover.txt: the server's lease expiry before the holder's own
//   lease check) is not a choice without drift, and is one with drift 1;
// - the planted bugs are found with shortest counterexamples that `faultline run` replays to the same
//   violation, and the correct lock explores the same bounds completely with no violation.
import { describe, expect, it } from 'vitest';
import type { Driver } from '../../sim/explore/driver.ts';
import type { EngineModel } from '../../sim/explore/engine-model.ts';
import { explore, type ExploreModel } from '../../sim/explore/explorer.ts';
import { counterexampleScenario, exploreTarget, type TargetOptions } from '../../sim/explore/run.ts';
import { parseScenario, prepareRun } from '../../sim/scenario/resolve.ts';
import { runPrepared } from '../../sim/scenario/run.ts';
import { InputError } from '../../sim/scenario/errors.ts';

const lock = (opts: TargetOptions = {}) => exploreTarget('lock', opts);

/** The model, calling `visit` on every state it generates. */
function visiting(model: EngineModel, visit: (d: Driver) => void): ExploreModel<Driver> {
  return {
    initial: () => model.initial(),
    restore: (path) => model.restore(path),
    choices: (s) => model.choices(s),
    step: (s, i) => model.step(s, i),
    withinBounds: (s) => model.withinBounds(s),
    violation: (s) => model.violation(s),
    fingerprint: (s, symmetry) => {
      visit(s);
      return model.fingerprint(s, symmetry);
    },
  };
}

/**
 * Armed timers past their due time that may still fire (a kind whose budget, DriveBudgets.timers, is spent no
 * longer fires nor holds time back), and messages in flight past their scheduled arrival.
 */
function overdue(d: Driver, budgets: Readonly<Record<string, number>>): { timers: number; messages: number; spent: number } {
  let timers = 0;
  let messages = 0;
  let spent = 0;
  for (const p of d.pending()) {
    const kind = p.kind === 'timer' ? p.name.split('/')[0] ?? '' : '';
    const budget = budgets[kind];
    if (p.kind === 'timer' && p.t < d.sim.now) {
      if (budget !== undefined && (d.fired[kind] ?? 0) >= budget) spent++;
      else timers++;
    }
    if (p.kind === 'deliver' && p.t < d.sim.now) messages++;
  }
  return { timers, messages, spent };
}

describe('lock profile: timed driving', () => {
  it('drift 0: no explored state has an overdue timer that may still fire; drift 1: some do; at most `delays` messages are late', () => {
    const worst = (opts: TargetOptions): { timers: number; messages: number; distinct: number } => {
      const w = { timers: 0, messages: 0, distinct: 0 };
      const t = lock(opts);
      const model = t.model as EngineModel;
      const r = explore(
        visiting(model, (d) => {
          const o = overdue(d, t.budgets?.timers ?? {});
          w.timers = Math.max(w.timers, o.timers);
          w.messages = Math.max(w.messages, o.messages);
        }),
        { maxDepth: 10 },
      );
      w.distinct = r.distinct;
      return w;
    };
    const timed = worst({});
    expect(timed.timers).toBe(0);
    expect(timed.messages).toBeLessThanOrEqual(1);
    expect(timed.messages).toBe(1); // the bound is reached: late messages are explored
    expect(worst({ delays: 0 }).messages).toBe(0);
    const drifted = worst({ drift: 1 });
    expect(drifted.timers).toBeGreaterThan(0);
    expect(drifted.distinct).toBeGreaterThan(timed.distinct);
    expect(worst({ delays: 2 }).messages).toBe(2);
  });

  it("the server's lease expiry cannot come before the holder's own lease check unless drift is spent", () => {
    // c1 is granted L1 (its check timer is due at once); the server's expire timer is due a ttl later.
    const path = ['timer c1 think', 'timer c2 think', 'deliver c1->s1 acquire #0', 'deliver s1->c1 lock-reply #2'];
    const at = (drift: number): string[] => {
      const model = lock({ drift }).model as EngineModel;
      let d = model.initial();
      for (const label of path) d = model.step(d, model.choices(d).indexOf(label));
      expect(d.sim.armedTimers('c1')).toContain('check');
      return model.choices(d);
    };
    expect(at(0)).toContain('timer c1 check');
    expect(at(0)).not.toContain('timer s1 expire');
    expect(at(1)).toContain('timer s1 expire');
  });

  it.each([
    ['skipFsync', 'durable-grants'],
    ['grantBeforeExpiry', 'single-holder'],
    ['ignoreStaleTokens', 'fenced-writes'],
  ])('%s: found (%s), shortest within the bounds, and `faultline run` replays it', (bug, invariant) => {
    const t = lock({ bugs: [bug] });
    const r = explore(t.model, {});
    expect(r.end).toBe('violation');
    expect(r.counterexample?.violation.invariant).toBe(invariant);
    // Shortest: no violation at one step less.
    const n = r.counterexample?.labels.length ?? 0;
    expect(explore(lock({ bugs: [bug] }).model, { maxDepth: n - 1 }).counterexample).toBeUndefined();
    const doc = counterexampleScenario(t, r);
    const replay = runPrepared(prepareRun(parseScenario(doc)));
    expect(replay.violations[0]?.invariant).toBe(invariant);
  });

  it('the correct lock: the same bounds explored completely, no violation, both clients wrote', () => {
    const r = explore(lock().model, {});
    expect(r.end).toBe('complete');
    expect(r.cut).toBe(false);
    expect(r.counterexample).toBeUndefined();
    expect(Object.keys(r.goals)).toEqual(expect.arrayContaining(['lock-held', 'both-wrote']));
  });

  it('timed options are bad input where they do not apply', () => {
    expect(() => exploreTarget('twopc', { drift: 1 })).toThrow(InputError);
    expect(() => exploreTarget('raft', { delays: 1 })).toThrow(/--delays applies to timed profiles/);
    expect(() => lock({ coalesce: true })).toThrow(/merging copies would move time/);
    const uniform = parseScenario({ name: 'lock-uniform', description: 'lock', protocol: 'lock', duration: '1s', config: { clients: 2 } });
    expect(() => exploreTarget(uniform, {})).toThrow(/expected a constant latency/);
  });
});
