// Reductions that make the planted bugs of issue 12 reachable, each proven on small models against the
// exploration without it:
// - per-kind timer budgets (a bounded exploration): every state explored within the budgets is a state of
//   the unbounded exploration (the same node states and messages), the bounded spaces grow with the budget,
//   an exhausted kind is no longer a choice, and a planted bug is found at the smallest budget that allows it
//   while the correct protocol explores the same bounds clean;
// - dead-message elimination (raft: responses of an older term than their receiver's): the reduced
//   exploration reaches exactly the states of the unreduced one with the dead messages left out (and so the
//   same violating states), in fewer distinct states.
import { describe, expect, it } from 'vitest';
import type { Driver } from '../../sim/explore/driver.ts';
import type { EngineModel } from '../../sim/explore/engine-model.ts';
import { explore, type ExploreModel, type ExploreOptions } from '../../sim/explore/explorer.ts';
import { canonical } from '../../sim/explore/fingerprint.ts';
import { exploreProfile } from '../../sim/explore/profiles.ts';
import { exploreTarget, type TargetOptions } from '../../sim/explore/run.ts';
import { parseScenario } from '../../sim/scenario/resolve.ts';

const twopc = (opts: TargetOptions) => exploreTarget('twopc', opts).model as EngineModel;
const raft = (config: Record<string, unknown>, opts: TargetOptions) =>
  exploreTarget(parseScenario({ name: 'raft-small', description: 'raft', protocol: 'raft', duration: '1s', config: { servers: 3, clients: 0, maxBatch: 1, preVote: false, checkQuorum: false, ...config } }), opts).model as EngineModel;

/** The model, recording a projection of every state it generates (and of the violating ones apart). */
function recording(model: EngineModel, project: (d: Driver, fp: string) => string): { model: ExploreModel<Driver>; states: Set<string>; violating: Set<string> } {
  const states = new Set<string>();
  const violating = new Set<string>();
  const wrapped: ExploreModel<Driver> = {
    initial: () => model.initial(),
    restore: (path) => model.restore(path),
    choices: (s) => model.choices(s),
    step: (s, i) => model.step(s, i),
    withinBounds: (s) => model.withinBounds(s),
    violation: (s) => {
      const v = model.violation(s);
      if (v) violating.add(`${v.invariant}\n${project(s, model.fingerprint(s, false))}`);
      return v;
    },
    fingerprint: (s, symmetry) => {
      const fp = model.fingerprint(s, symmetry);
      states.add(project(s, model.fingerprint(s, false)));
      return fp;
    },
  };
  return { model: wrapped, states, violating };
}

/** A fingerprint without its first line (the budgets used: timer counts exist only in the bounded model). */
const withoutBudgets = (_d: Driver, fp: string): string => fp.slice(fp.indexOf('\n') + 1);

const raftDead = exploreProfile('raft')?.dead?.({}) as (sim: Driver['sim'], to: string, msg: unknown) => boolean;
/** A fingerprint with the messages raft declares dead left out of its last line (the messages in flight). */
const withoutDead = (d: Driver, fp: string): string => {
  const flight = d
    .pending()
    .filter((p) => p.kind === 'deliver' && !raftDead(d.sim, p.to, p.msg))
    .map((p) => (p.kind === 'deliver' ? `${p.from}>${p.to}:${canonical(p.msg)}` : ''))
    .sort()
    .join(';');
  return fp.slice(0, fp.lastIndexOf('\n') + 1) + flight;
};

describe('per-kind timer budgets (bounded exploration)', () => {
  it('a timer of a spent kind stays armed but is no longer a choice; the counts are part of the state', () => {
    const none = twopc({ crashes: 0, timers: { next: 0 } });
    const d0 = none.initial();
    expect(d0.sim.armedTimers('c1')).toContain('next');
    expect(none.choices(d0)).not.toContain('timer c1 next');
    const one = twopc({ crashes: 0, timers: { next: 1 } });
    const d1 = one.initial();
    expect(one.fingerprint(d1, false).split('\n')[0]).toBe('0,0,0,next=0');
    const after = one.step(d1, one.choices(d1).indexOf('timer c1 next'));
    expect(one.fingerprint(after, false).split('\n')[0]).toBe('0,0,0,next=1');
  });

  it('twopc, depth 7: every state within the budgets is a state of the unbounded exploration; spaces grow with the budget', { timeout: 300_000 }, () => {
    const opts: ExploreOptions = { maxDepth: 7 };
    const full = recording(twopc({ crashes: 0 }), withoutBudgets);
    explore(full.model, opts);
    let before = 0;
    for (const k of [0, 1, 2]) {
      const bounded = recording(twopc({ crashes: 0, timers: { '*': k } }), withoutBudgets);
      const r = explore(bounded.model, opts);
      expect([...bounded.states].filter((s) => !full.states.has(s))).toEqual([]);
      expect(r.distinct).toBeGreaterThan(before);
      before = r.distinct;
    }
    expect(before).toBeLessThanOrEqual(full.states.size);
  });

  it('twopc voteYesWithoutLog: found with one timer firing and a crash; the correct twopc explores the same bounds complete and clean', { timeout: 300_000 }, () => {
    const bug = explore(twopc({ crashes: 1, timers: { '*': 1 }, bugs: ['voteYesWithoutLog'] }));
    expect(bug.end).toBe('violation');
    const labels = bug.counterexample?.labels ?? [];
    // The vote of the crashed participant was never logged: it crashes after voting and restarts.
    expect(labels.filter((l) => l.startsWith('crash ') || l.startsWith('restart '))).toHaveLength(2);
    expect(labels.filter((l) => l.startsWith('timer '))).toEqual(['timer c1 next']);
    const clean = explore(twopc({ crashes: 1, timers: { '*': 1 } }));
    expect(clean.end).toBe('complete');
    expect(clean.cut).toBe(false);
    expect(clean.counterexample).toBeUndefined();
    // Without a crash the bug is not reachable at all (nothing is forgotten).
    expect(explore(twopc({ crashes: 0, timers: { '*': 1 }, bugs: ['voteYesWithoutLog'] })).counterexample).toBeUndefined();
  });

  it('with partial-order reduction: the same states (timers of one bounded kind are dependent)', { timeout: 300_000 }, () => {
    const opts: ExploreOptions = { strategy: 'dfs', maxDepth: 8 };
    const plain = explore(twopc({ crashes: 1, timers: { '*': 2 } }), opts);
    const por = explore(twopc({ crashes: 1, timers: { '*': 2 }, por: true }), { ...opts, por: true });
    expect(por.distinct).toBe(plain.distinct);
    expect(por.states).toBeLessThan(plain.states);
  });
});

describe('dead-message elimination (raft: responses of an older term)', () => {
  it('the reduced exploration reaches exactly the unreduced states with dead messages left out, in fewer distinct states', { timeout: 300_000 }, () => {
    // Two elections (n1 standing twice makes the answers to its first candidacy dead after 3 steps), depth 5.
    const opts: ExploreOptions = { maxDepth: 5 };
    const bounds: TargetOptions = { crashes: 0, maxInFlight: 1000, timers: { election: 2, heartbeat: 0 } };
    const full = recording(raft({}, { ...bounds, deadMessages: false }), withoutDead);
    const all = explore(full.model, opts);
    const reduced = recording(raft({}, bounds), withoutDead);
    const r = explore(reduced.model, opts);
    expect(reduced.states.size).toBe(full.states.size);
    expect([...reduced.states].filter((x) => !full.states.has(x))).toEqual([]);
    expect(r.distinct).toBeLessThan(all.distinct);
  });

  it('a wrong declaration (requests of an older term dead too: their reply can make the sender step down) loses states: the comparison has teeth', { timeout: 300_000 }, () => {
    const opts: ExploreOptions = { maxDepth: 5 };
    const bounds: TargetOptions = { crashes: 0, maxInFlight: 1000, timers: { election: 2, heartbeat: 0 } };
    const full = recording(raft({}, { ...bounds, deadMessages: false }), withoutDead);
    explore(full.model, opts);
    const model = raft({}, bounds);
    (model.opts as { dead?: typeof raftDead }).dead = (sim, to, msg) => {
      const m = msg as { type?: string; term?: number };
      const hard = sim.diskOf(to).durableView().get('raft/hard') as { term?: number } | undefined;
      return raftDead(sim, to, msg) || (m.type === 'vote-req' && typeof m.term === 'number' && typeof hard?.term === 'number' && m.term < hard.term);
    };
    const wrong = recording(model, withoutDead);
    explore(wrong.model, opts);
    expect([...full.states].filter((x) => !wrong.states.has(x)).length).toBeGreaterThan(0);
  });
});

describe('Figure 8 from an empty cluster (bounded, dead messages removed, symmetry)', () => {
  it('commitPreviousTermByCounting: not reachable with one election, found with two (the figure\'s wrong step)', { timeout: 600_000 }, () => {
    const config = { bugs: { commitPreviousTermByCounting: true } };
    const one = explore(raft(config, { crashes: 0, timers: { election: 1, heartbeat: 0 } }), { symmetry: true });
    expect(one.end).toBe('complete');
    expect(one.counterexample).toBeUndefined();
    const two = explore(raft(config, { crashes: 0, timers: { election: 2, heartbeat: 0 } }), { symmetry: true });
    expect(two.counterexample?.violation.invariant).toBe('leader-commits-current-term');
    const labels = two.counterexample?.labels ?? [];
    expect(labels.filter((l) => l.startsWith('timer '))).toEqual(['timer n1 election', 'timer n2 election']);
    expect(labels).toHaveLength(11);
  });
});

describe('raft term bound (--max-term)', () => {
  it('states past the bound are not expanded: no expanded state has a higher term; a higher bound explores more', () => {
    const deepest = (maxTerm: number | undefined): { distinct: number; cut: boolean; bounds: string; highestExpanded: number } => {
      const t = exploreTarget(parseScenario({ name: 'raft-small', description: 'raft', protocol: 'raft', duration: '1s', config: { servers: 3, clients: 0, maxBatch: 1, preVote: false, checkQuorum: false } }), { crashes: 0, ...(maxTerm !== undefined ? { maxTerm } : {}) });
      const model = t.model as EngineModel;
      let highestExpanded = 0;
      const wrapped: ExploreModel<Driver> = {
        initial: () => model.initial(),
        restore: (path) => model.restore(path),
        choices: (s) => {
          for (const id of s.sim.nodeIds) highestExpanded = Math.max(highestExpanded, (s.sim.published(id) as { term?: number } | undefined)?.term ?? 0);
          return model.choices(s);
        },
        step: (s, i) => model.step(s, i),
        withinBounds: (s) => model.withinBounds(s),
        violation: (s) => model.violation(s),
        fingerprint: (s, symmetry) => model.fingerprint(s, symmetry),
      };
      const r = explore(wrapped, { maxDepth: 3 });
      return { distinct: r.distinct, cut: r.cut, bounds: t.bounds, highestExpanded };
    };
    const one = deepest(1);
    expect(one.bounds).toContain('terms <= 1');
    expect(one.highestExpanded).toBe(1);
    const two = deepest(2);
    expect(two.highestExpanded).toBe(2);
    expect(two.distinct).toBeGreaterThan(one.distinct);
    expect(deepest(undefined).bounds).toContain('terms <= 3');
    expect(() => exploreTarget('twopc', { maxTerm: 4 })).toThrow(/--max-term applies to raft/);
    expect(() => exploreTarget('twopc-spec', { maxTerm: 4 })).toThrow(/--max-term/);
  });
});
