// The explorer on real node code through the stepping engine: a planted
// check-then-act race is found with its shortest schedule (BFS), the schedule
// replays through faultline's scenario runner to the same violation, the
// correct protocol's whole (finite) space has no violation, and DFS agrees
// with BFS on the number of distinct states.
import { describe, expect, it, vi } from 'vitest';
import { explore } from '../../sim/explore/explorer.ts';
import { counterexampleScenario, exploreTarget } from '../../sim/explore/run.ts';
import { parseScenario, prepareRun } from '../../sim/scenario/resolve.ts';
import { runPrepared } from '../../sim/scenario/run.ts';

vi.mock('../../sim/protocols/registry.ts', async (orig) => (await import('./toy-lock.ts')).withToyLock(orig));

const scenario = (bug: boolean, clients = 2) =>
  parseScenario({ name: 'toy', description: 'toy lock', protocol: 'toy-lock', duration: '1s', config: { clients, bugs: { checkThenAct: bug } } });

describe('explore on the engine (toy lock)', () => {
  it('finds the check-then-act race with a shortest schedule, which faultline run replays', () => {
    const target = exploreTarget(scenario(true), { crashes: 0 });
    const report = explore(target.model);
    expect(report.end).toBe('violation');
    expect(report.counterexample?.violation.invariant).toBe('mutual-exclusion');
    // Shortest: both clients fire, both checks answered free, both takes granted: 2 + 2 + 2 + 2 + 2 = 10 steps
    // (try, deliver check, deliver free, deliver take, deliver granted, for each client).
    expect(report.counterexample?.labels).toHaveLength(10);
    const doc = counterexampleScenario(target, report);
    expect(doc?.expect).toEqual({ violation: 'mutual-exclusion' });
    const replay = runPrepared(prepareRun(parseScenario(doc)));
    expect(replay.expectation.held).toBe(true);
    expect(replay.violations[0]?.message).toBe(report.counterexample?.violation.message);
  });

  it('the correct lock: every reachable state checked, no violation; BFS and DFS count the same states', () => {
    const bfs = explore(exploreTarget(scenario(false), { crashes: 0 }).model);
    expect(bfs.end).toBe('complete');
    expect(bfs.cut).toBe(false);
    expect(bfs.counterexample).toBeUndefined();
    const dfs = explore(exploreTarget(scenario(false), { crashes: 0 }).model, { strategy: 'dfs' });
    expect(dfs.distinct).toBe(bfs.distinct);
    expect(dfs.states).toBe(bfs.states);
  });

  it('with a crash budget: the server keeps the holder in memory only, so a crash and restart grants the lock twice', () => {
    const report = explore(exploreTarget(scenario(false), { crashes: 1 }).model);
    expect(report.counterexample?.violation.invariant).toBe('mutual-exclusion');
    const labels = report.counterexample?.labels ?? [];
    // Both clients send acquire (2), s grants p1 (1), s crashes and restarts (2), s grants p2 (1), both grants arrive (2).
    expect(labels).toHaveLength(8);
    expect(labels.indexOf('restart s')).toBe(labels.indexOf('crash s') + 1);
  });
});
