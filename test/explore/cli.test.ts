// `faultline explore` end to end, in process: TLC's counts through the CLI,
// exit codes (0 no violation, 1 violation, 2 bad input), and a counterexample
// written as a scenario and a trace that `faultline run` replays.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { inProcess } from '../cli-harness.ts';

vi.mock('../../sim/protocols/registry.ts', async (orig) => (await import('./toy-lock.ts')).withToyLock(orig));

const tmp = mkdtempSync(join(tmpdir(), 'faultline-explore-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('faultline explore', () => {
  it('twopc-spec: the TLC counts, with and without symmetry, exit 0', async () => {
    const plain = await inProcess(['explore', 'twopc-spec', '--rms', '4', '--json']);
    expect(plain.code).toBe(0);
    expect(JSON.parse(plain.stdout)).toMatchObject({ distinct: 1568, end: 'complete', violation: null });
    const sym = await inProcess(['explore', 'twopc-spec', '--rms', '4', '--symmetry', '--json']);
    expect(JSON.parse(sym.stdout)).toMatchObject({ distinct: 166, symmetry: true });
    const text = await inProcess(['explore', 'twopc-spec']);
    expect(text.stdout).toContain('288 distinct, 1146 generated, max depth 10');
    expect(text.stdout).toContain('no violation: every reachable state checked');
  });

  it('raft --symmetry: the servers are permuted, fewer distinct states at the same depth', async () => {
    const plain = JSON.parse((await inProcess(['explore', 'raft', '--depth', '3', '--crashes', '0', '--json'])).stdout) as { distinct: number };
    const sym = await inProcess(['explore', 'raft', '--depth', '3', '--crashes', '0', '--symmetry', '--json']);
    expect(sym.code).toBe(0);
    const r = JSON.parse(sym.stdout) as { distinct: number; symmetry: boolean };
    expect(r.symmetry).toBe(true);
    expect(r.distinct).toBeLessThan(plain.distinct);
  });

  it('--snapshots: the same counts as path replay; a bad count is an input error (exit 2)', async () => {
    const args = ['explore', 'raft', '--depth', '3', '--crashes', '0', '--json'];
    const replay = JSON.parse((await inProcess(args)).stdout) as Record<string, unknown>;
    const snap = await inProcess([...args, '--snapshots', '20']);
    expect(snap.code).toBe(0);
    const r = JSON.parse(snap.stdout) as Record<string, unknown>;
    expect([r.distinct, r.states, r.depth]).toEqual([replay.distinct, replay.states, replay.depth]);
    const bad = await inProcess(['explore', 'raft', '--snapshots', 'x']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--snapshots');
  });

  it('--por: DFS with sleep sets, the same distinct states (TLC\'s 288), fewer generated, choices slept reported', async () => {
    const r = await inProcess(['explore', 'twopc-spec', '--por', '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { distinct: number; states: number; strategy: string; por: boolean; slept: number };
    expect(out).toMatchObject({ distinct: 288, strategy: 'dfs', por: true });
    expect(out.states).toBeLessThan(1146);
    expect(out.slept).toBeGreaterThan(0);
    const text = await inProcess(['explore', 'twopc-spec', '--por']);
    expect(text.stdout).toMatch(/dfs, partial-order reduction \(sleep sets: \d+ choices slept\)/);
  });

  it('a planted bug: exit 1 and the shortest counterexample, step by step', async () => {
    const r = await inProcess(['explore', 'twopc-spec', '--bug', 'commitOnFirstPrepared']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('VIOLATION   TCConsistent: r1 committed while r2 aborted');
    expect(r.stdout).toContain('after 5 steps (shortest)');
    expect(r.stdout).toContain('    3. TMCommit');
  });

  it('an engine counterexample is written as a scenario and a trace; faultline run replays it', async () => {
    const scenarioFile = join(tmp, 'toy.json');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(scenarioFile, JSON.stringify({ name: 'toy', description: 'toy lock', protocol: 'toy-lock', duration: '1s', config: { bugs: { checkThenAct: true } } }));
    const r = await inProcess(['explore', scenarioFile, '--crashes', '0', '--out', tmp, '--json']);
    expect(r.code).toBe(1);
    const summary = JSON.parse(r.stdout) as { violation: { invariant: string }; counterexample: string[]; written: { scenario: string; trace: string } };
    expect(summary.violation.invariant).toBe('mutual-exclusion');
    expect(existsSync(summary.written.trace)).toBe(true);
    const doc = JSON.parse(readFileSync(summary.written.scenario, 'utf8')) as { schedule: string[] };
    expect(doc.schedule).toEqual(summary.counterexample);
    const replay = await inProcess(['run', summary.written.scenario, '--json']);
    expect(replay.code).toBe(0);
    const out = JSON.parse(replay.stdout) as { held: boolean; hash: string };
    expect(out.held).toBe(true);
    // The written trace is the replayed run: same hash.
    const footer = JSON.parse(readFileSync(summary.written.trace, 'utf8').trim().split('\n').at(-1) as string) as { hash: string };
    expect(footer.hash).toBe(out.hash);
  });

  it('--coalesce / --no-coalesce override the profile; without a profile, copies are kept apart', async () => {
    const scenarioFile = join(tmp, 'toy-ok.json');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(scenarioFile, JSON.stringify({ name: 'toy-ok', description: 'toy lock', protocol: 'toy-lock', duration: '1s' }));
    const bounds = async (args: string[]) => (JSON.parse((await inProcess(['explore', ...args, '--json'])).stdout) as { bounds: string }).bounds;
    expect(await bounds([scenarioFile, '--crashes', '0'])).not.toContain('merged');
    expect(await bounds([scenarioFile, '--crashes', '0', '--coalesce'])).toContain('identical in-flight copies merged');
    expect(await bounds(['twopc', '--depth', '1'])).toContain('identical in-flight copies merged');
    expect(await bounds(['twopc', '--depth', '1', '--no-coalesce'])).not.toContain('merged');
  });

  it('--timers bounds timer firings per kind and is printed in the bounds; twopc voteYesWithoutLog found with one firing and a crash', async () => {
    const r = await inProcess(['explore', 'twopc', '--bug', 'voteYesWithoutLog', '--crashes', '1', '--timers', '1', '--out', tmp, '--json']);
    expect(r.code).toBe(1);
    const summary = JSON.parse(r.stdout) as { bounds: string; counterexample: string[] };
    expect(summary.bounds).toContain('timer firings: all <= 1');
    expect(summary.counterexample.filter((l) => l.startsWith('timer '))).toEqual(['timer c1 next']);
    const raft = JSON.parse((await inProcess(['explore', 'raft', '--depth', '1', '--timers', 'election=2,heartbeat=0', '--json'])).stdout) as { bounds: string };
    expect(raft.bounds).toContain('timer firings: election <= 2, heartbeat <= 0');
    expect(raft.bounds).toContain('dead messages removed');
    const kept = JSON.parse((await inProcess(['explore', 'raft', '--depth', '1', '--no-dead-messages', '--json'])).stdout) as { bounds: string };
    expect(kept.bounds).not.toContain('dead messages');
    // applyBeforeCommit applies entries at any message after a restart: nothing is dead with it.
    const applying = JSON.parse((await inProcess(['explore', 'raft', '--depth', '1', '--bug', 'applyBeforeCommit', '--json'])).stdout) as { bounds: string };
    expect(applying.bounds).not.toContain('dead messages');
  });

  it.each([
    [['explore', 'twopc', '--timers', 'election=x'], /^faultline: --timers: expected an integer >= 0 \(got "x"\)/],
    [['explore', 'twopc', '--timers', '=3'], /^faultline: --timers: expected kind=count \(got "=3"\)/],
    [['explore', 'twopc-spec', '--timers', '2'], /^faultline: --timers: twopc-spec is the TLA\+ spec's state graph/],
    [['explore', 'no-such-thing'], /^faultline: no-such-thing: not a scenario file/],
    [['explore', 'twopc-spec', '--depth', '-1'], /^faultline: --depth: expected an integer >= 0/],
    [['explore', 'twopc-spec', '--bfs', '--dfs'], /^faultline: --dfs: choose one of --bfs and --dfs/],
    [['explore', 'twopc-spec', '--bug', 'nope'], /^faultline: --bug: unknown planted bug "nope" of twopc-spec; expected one of: commitOnFirstPrepared$/m],
    [['explore', 'raft', '--bug', 'notPersistingVoteFor'], /^faultline: --bug: unknown planted bug "notPersistingVoteFor" of raft; did you mean "notPersistingVotedFor"\?; expected one of: /],
    [['explore', 'twopc', '--snapshots', ''], /^faultline: --snapshots: expected an integer >= 0 \(got ""\)/],
    [['explore', 'twopc-spec', '--snapshots', '4'], /^faultline: --snapshots: twopc-spec is the TLA\+ spec's state graph .*--snapshots does not apply/],
    [['explore', 'twopc-spec', '--crashes', '1'], /^faultline: --crashes: twopc-spec is the TLA\+ spec's state graph/],
    [['explore', 'raft', '--rms', '3'], /^faultline: --rms: --rms is the number of resource managers of twopc-spec/],
    [['explore', 'twopc-spec', '--por', '--bfs'], /^faultline: --por: partial-order reduction \(sleep sets\) is DFS only/],
    [['explore', 'raft', '--por', '--max-in-flight', '4'], /^faultline: --max-in-flight: an in-flight bound is not kept by partial-order reduction/],
    [['explore', 'toy-lock'], /^faultline: toy-lock: protocol toy-lock has no explore profile/],
    [['explore', 'twopc', '--symmetry'], /^faultline: --symmetry: explore-twopc \(twopc\) has no interchangeable nodes/],
  ])('bad input %j: one line, exit 2', async (args, message) => {
    const r = await inProcess(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('faultline explore --timers (bad input and wording)', () => {
  it('a timer kind the protocol does not arm, or a kind bounded twice, is bad input naming the kinds; a complete bounded run says it covered the bounds', async () => {
    const unknown = await inProcess(['explore', 'twopc', '--timers', 'electon=2', '--depth', '2']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^faultline: --timers: no timer kind "electon" in twopc; expected \* or one of: next, timeout, vote, retry, flush, resend, work, in-doubt\n$/);
    expect(unknown.stdout).toBe('');
    const twice = await inProcess(['explore', 'twopc', '--timers', 'vote=2,vote=3', '--depth', '2']);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toMatch(/"vote" bounded twice/);
    const bounded = await inProcess(['explore', 'twopc', '--timers', '0', '--crashes', '0']);
    expect(bounded.code).toBe(0);
    expect(bounded.stdout).toMatch(/timer firings: all <= 0/);
    expect(bounded.stdout).toContain('no violation: every state reachable within the bounds above checked');
  });
});
