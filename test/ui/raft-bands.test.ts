// Raft's leader and candidate bands along the lanes (ui/src/panels/raft.ts raftBands) on real
// runs of the default scenario under its nemesis (crashes, partitions, pauses): at every
// published state the band in force on that server is the state's role and term, and no band
// outlives a crash. Successive states in the same role and term make one band.

import { describe, expect, it } from 'vitest';
import { MemorySink } from '../../sim/engine/trace.ts';
import { parseScenario, prepareRun } from '../../sim/scenario/resolve.ts';
import { runPrepared } from '../../sim/scenario/run.ts';
import { buildColumns } from '../../sim/trace/columns.ts';
import { parseTrace } from '../../sim/trace/parse.ts';
import defaultScenario from '../../scenarios/default.ts';
import { raftBands } from '../../ui/src/panels/raft.ts';
import { isRaft } from '../../ui/src/panels/shapes.ts';
import { traceText } from './synthetic.ts';

function model(seed: number) {
  const sink = new MemorySink();
  runPrepared(prepareRun(parseScenario(defaultScenario), { seed }), { trace: sink });
  return buildColumns(parseTrace(sink.text()));
}

describe('raftBands', () => {
  it.each([1, 2, 3])('seed %i: the band at each state is its role and term, and ends at a crash', (seed) => {
    const m = model(seed);
    const bands = raftBands(m);
    expect(raftBands(m)).toBe(bands); // computed once per model
    let leaderStates = 0;
    let checked = 0;
    for (const [node, snaps] of m.states) {
      const mine = bands.filter((b) => b.node === node).sort((a, b) => a.fromT - b.fromT);
      // Bands of one server never overlap.
      for (let i = 1; i < mine.length; i++) expect(mine[i]!.fromT).toBeGreaterThanOrEqual(mine[i - 1]!.toT);
      // No band crosses the start of a crash of its server.
      for (const iv of m.intervals) if (iv.node === node && iv.kind === 'down') for (const b of mine) expect(iv.fromT > b.fromT && iv.fromT < b.toT).toBe(false);
      for (let i = 0; i < snaps.length; i++) {
        const s = snaps[i]!;
        if (!isRaft(s.state)) continue;
        // The state holds from its time until the next one; look just after it, unless the next state comes at the same instant.
        const next = snaps[i + 1]?.t ?? m.endT;
        if (next === s.t) continue;
        const crashed = m.intervals.some((iv) => iv.node === node && iv.kind === 'down' && iv.fromT === s.t);
        if (crashed) continue;
        const at = mine.filter((b) => b.fromT <= s.t && s.t < b.toT);
        checked++;
        if (s.state.role === 'follower') {
          expect(at).toEqual([]);
        } else {
          expect(at).toHaveLength(1);
          const band = at[0]!;
          expect(band.height).toBe(s.state.role === 'leader' ? 7 : 4);
          if (s.state.role === 'leader') {
            leaderStates++;
            expect(band.label).toBe(`term ${s.state.term}`);
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(100);
    expect(leaderStates).toBeGreaterThan(0);
    // Merged: fewer bands than leader states.
    expect(bands.filter((b) => b.height === 7).length).toBeLessThan(leaderStates);
  });

  it('a leader band ends at its crash, not at the next state after the restart', () => {
    const st = (role: string, term: number) => ({ role, term, votedFor: null, leader: null, commitIndex: 0, lastApplied: 0, snapshotIndex: 0, logStart: 1, log: [] });
    const text = traceText({ protocol: 'raft', nodes: [{ id: 'n1', role: 'server' }] }, [
      { t: 0, type: 'start', node: 'n1' },
      { t: 10, type: 'state', node: 'n1', state: st('candidate', 1) },
      { t: 20, type: 'state', node: 'n1', state: st('leader', 1) },
      { t: 30, type: 'state', node: 'n1', state: st('leader', 1) },
      { t: 50, type: 'crash', node: 'n1', lostWrites: 0 },
      { t: 80, type: 'restart', node: 'n1' },
      { t: 90, type: 'state', node: 'n1', state: st('follower', 1) },
      { t: 100, type: 'state', node: 'n1', state: st('candidate', 2) },
      { t: 110, type: 'state', node: 'n1', state: st('candidate', 3) },
    ]);
    const bands = raftBands(buildColumns(parseTrace(text)));
    expect(bands.map((b) => [b.fromT, b.toT, b.height, b.label])).toEqual([
      [10, 20, 4, undefined],
      [20, 50, 7, 'term 1'],
      [100, 110, 4, undefined],
      [110, 110, 4, undefined],
    ]);
  });
});
