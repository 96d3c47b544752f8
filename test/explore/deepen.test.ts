// Iterative deepening over timer budgets (run.ts `deepening`, `faultline explore --deepen`): level n explores
// with every deepened kind bounded at n firings. Proven: each level is exactly the exploration with those
// budgets; the first level with a violation ends it and no lower level has one; a level in which no timer was
// kept from firing by its budget ends it (every higher level explores the same states); --deepen-to ends it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { explore } from '../../sim/explore/explorer.ts';
import { deepen, exploreTarget, type TargetOptions } from '../../sim/explore/run.ts';
import { parseScenario } from '../../sim/scenario/resolve.ts';
import { inProcess } from '../cli-harness.ts';

vi.mock('../../sim/protocols/registry.ts', async (orig) => (await import('./toy-lock.ts')).withToyLock(orig));

const tmp = mkdtempSync(join(tmpdir(), 'faultline-deepen-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const twopc = (bugs: string[]) => (timers: Record<string, number>) => exploreTarget('twopc', { bugs, timers } as TargetOptions);

describe('iterative deepening over timer budgets', () => {
  it('twopc inDoubtDecidesAlone: levels below the first violation are clean, each level is the exploration with its budgets', () => {
    const r = deepen(twopc(['inDoubtDecidesAlone']), { kinds: ['*'] }, {});
    expect(r.end).toBe('violation');
    const last = r.levels.at(-1);
    expect(last?.report.counterexample).toBeDefined();
    expect(r.levels.length).toBeGreaterThan(1);
    for (const l of r.levels.slice(0, -1)) {
      expect(l.report.counterexample).toBeUndefined();
      expect(l.report.end).toBe('complete');
      expect(l.timersBound).toBe(true);
    }
    for (const l of r.levels) {
      const direct = explore(exploreTarget('twopc', { bugs: ['inDoubtDecidesAlone'], timers: { '*': l.level } }).model, {});
      expect({ distinct: direct.distinct, states: direct.states, labels: direct.counterexample?.labels }).toEqual({ distinct: l.report.distinct, states: l.report.states, labels: l.report.counterexample?.labels });
    }
  });

  it('ends at --deepen-to on the correct protocol, and when the budget no longer binds', () => {
    const upTo = deepen(twopc([]), { kinds: ['*'], upTo: 1 }, {});
    expect(upTo.end).toBe('up-to');
    expect(upTo.levels.map((l) => l.level)).toEqual([0, 1]);
    // Three raft servers to depth 2: few heartbeats can fire in two steps, so some level stops binding, and the
    // level above it explores exactly the same states.
    const raft = parseScenario({ name: 'raft-small', description: 'raft', protocol: 'raft', duration: '1s', config: { servers: 3, clients: 0, preVote: false, checkQuorum: false } });
    const make = (timers: Record<string, number>) => exploreTarget(raft, { timers });
    const r = deepen(make, { kinds: ['heartbeat'] }, { maxDepth: 2 });
    expect(r.end).toBe('not-binding');
    const last = r.levels.at(-1);
    expect(last?.timersBound).toBe(false);
    for (const l of r.levels.slice(0, -1)) expect(l.timersBound).toBe(true);
    const above = explore(make({ heartbeat: (last?.level ?? 0) + 1 }).model, { maxDepth: 2 });
    expect({ distinct: above.distinct, states: above.states }).toEqual({ distinct: last?.report.distinct, states: last?.report.states });
    // Elections are armed from the start: bounding them at 0 binds.
    expect(deepen(make, { kinds: ['election'], upTo: 0 }, { maxDepth: 2 }).levels[0]?.timersBound).toBe(true);
  });

  it('ends at --max-states', () => {
    const r = deepen(twopc([]), { kinds: ['*'] }, { maxStates: 50 });
    expect(r.end).toBe('max-states');
  });

  it('faultline explore --deepen: one line per level, the last level\'s report and counterexample; bad input exits 2', async () => {
    const r = await inProcess(['explore', 'twopc', '--deepen', '*', '--deepen-to', '1', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as { deepen: { end: string; levels: { level: number; violation: unknown }[] } };
    expect(j.deepen.end).toBe('up-to');
    expect(j.deepen.levels.map((l) => l.level)).toEqual([0, 1]);
    const text = await inProcess(['explore', 'lock', '--deepen', 'keepalive', '--bug', 'ignoreStaleTokens', '--no-progress', '--out', tmp]);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/^level 0 {5}keepalive <= 0: .*no violation/m);
    expect(text.stdout).toMatch(/^level 1 {5}keepalive <= 1: .*VIOLATION fenced-writes/m);
    expect(text.stdout).toContain('ended: a violation (no lower level has one)');
    for (const args of [
      ['explore', 'twopc', '--deepen-to', '2'],
      ['explore', 'twopc', '--deepen', 'nope'],
      ['explore', 'twopc', '--deepen', 'retry', '--timers', 'retry=1'],
      ['explore', 'twopc', '--drift', '1'],
    ]) {
      const bad = await inProcess(args);
      expect(bad.code).toBe(2);
      expect(bad.stderr.trim().split('\n')).toHaveLength(1);
      expect(bad.stderr).toMatch(/^faultline: /);
    }
  });
});
