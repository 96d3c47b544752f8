// faultline explore output and bad input (newcomer review, session 8): the node set in the header; a bad
// --deepen kind named as --deepen; --delays names `unbounded`; timed deepening says a level's runs are not a
// superset of the lower level's (a spent timer kind stops firing while the others run on).
import { describe, expect, it } from 'vitest';
import { nodeSet } from '../../sim/cli/commands/explore.ts';
import { inProcess } from '../cli-harness.ts';

describe('faultline explore (session 8 review)', () => {
  it('nodeSet groups the nodes by role in run order', () => {
    expect(nodeSet([{ id: 's1', role: 'server' }, { id: 'c1', role: 'client' }, { id: 'c2', role: 'client' }])).toBe('3: 1 server (s1), 2 clients (c1, c2)');
    expect(nodeSet([{ id: 'p1', role: 'process' }, { id: 'p2', role: 'process' }])).toBe('2: 2 processes (p1, p2)');
  });

  it('the header names the profile\'s nodes (lock: two clients); --json lists them', async () => {
    const r = await inProcess(['explore', 'lock', '--depth', '1', '--no-progress']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^nodes {7}4: 1 server \(s1\), 1 resource \(r1\), 2 clients \(c1, c2\)$/m);
    const j = await inProcess(['explore', 'lock', '--depth', '1', '--json']);
    expect((JSON.parse(j.stdout) as { nodes: { id: string; role: string }[] }).nodes.filter((n) => n.role === 'client').map((n) => n.id)).toEqual(['c1', 'c2']);
  });

  it.each([
    [['explore', 'lock', '--deepen', 'nope'], /^faultline: --deepen: no timer kind "nope" in lock; expected \* \(all firings together\) or one of: .*keepalive/],
    [['explore', 'lock', '--delays', 'x'], /^faultline: --delays: expected an integer >= 0 or "unbounded" \(got "x"\)$/],
  ])('%j: one line naming the option, exit 2', async (args, message) => {
    const r = await inProcess(args);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('timed deepening (lock): level lines above 0 and the summary say the runs are not a superset; untimed (twopc) do not', async () => {
    const r = await inProcess(['explore', 'lock', '--deepen', 'keepalive', '--deepen-to', '1', '--depth', '8', '--no-progress']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^level 0 {5}keepalive <= 0: [^(]*: no violation/m);
    expect(r.stdout).toMatch(/^level 1 {5}keepalive <= 1: .*\(timed: not a superset of level 0's runs\)/m);
    expect(r.stdout).toMatch(/^deepened .*not a superset of the lower level's/m);
    const u = await inProcess(['explore', 'twopc', '--deepen', '*', '--deepen-to', '1', '--depth', '4', '--no-progress']);
    expect(u.stdout).toMatch(/^level 1 /m);
    expect(u.stdout).not.toContain('superset');
  });
});
