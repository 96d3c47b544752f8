// The compare panel (ui/src/compare.ts) tells two runs apart by what
// identifies a fault, not only by time, kind and node: a fault renumbered in
// the timeline, a role target resolved to another node, a partition with other
// groups. Planted differences in otherwise identical traces must be found at
// their seq; identical traces must show none.

import { describe, expect, it } from 'vitest';
import { MemorySink } from '../../sim/engine/trace.ts';
import type { TraceEvent } from '../../sim/engine/types.ts';
import { parseScenario, prepareRun } from '../../sim/scenario/resolve.ts';
import { runPrepared } from '../../sim/scenario/run.ts';
import { buildColumns } from '../../sim/trace/columns.ts';
import { parseTrace } from '../../sim/trace/parse.ts';
import { firstDifference, firstFaultDifference } from '../../ui/src/compare.ts';
import isolateLeader from '../../scenarios/raft-isolate-leader.ts';

function trace(doc: unknown): string {
  const sink = new MemorySink();
  runPrepared(prepareRun(parseScenario(doc)), { trace: sink });
  return sink.text();
}

const text = trace(isolateLeader);
const base = parseTrace(text);

/** The first difference as the panel finds it: the columns, then the faults whole up to there. */
async function diff(a: TraceEvent[], b: TraceEvent[]): Promise<number> {
  const ma = buildColumns({ ...base, events: a });
  const mb = buildColumns({ ...base, events: b });
  const columns = firstDifference(ma, mb);
  const limit = columns < 0 ? Math.min(ma.count, mb.count) : columns;
  const f = await firstFaultDifference(ma, limit, async (q) => q.map((s) => a[s] as TraceEvent), async (q) => q.map((s) => b[s] as TraceEvent));
  return f < limit ? f : columns;
}

function planted(pick: (e: TraceEvent) => boolean, change: (e: TraceEvent) => TraceEvent): { events: TraceEvent[]; at: number } {
  const at = base.events.findIndex(pick);
  expect(at).toBeGreaterThan(0);
  return { events: base.events.map((e, i) => (i === at ? change(structuredClone(e)) : e)), at };
}

describe('compare: the first difference includes what identifies a fault', () => {
  it('the same trace: no difference', async () => {
    expect(await diff(base.events, parseTrace(text).events)).toBe(-1);
  });

  const cases: [string, (e: TraceEvent) => boolean, (e: TraceEvent) => TraceEvent][] = [
    ['a fault renumbered (the log line of the fault machinery)', (e) => e.type === 'log' && e.node === '*' && e.text.startsWith('fault 2'), (e) => ({ ...e, text: (e as { text: string }).text.replace('fault 2', 'fault 3') }) as TraceEvent],
    ['a role target resolved to another node', (e) => e.type === 'log' && e.node === '*' && / -> crash n\d/.test(e.text), (e) => ({ ...e, text: (e as { text: string }).text.replace(/-> crash n(\d)/, (_m, d: string) => `-> crash n${(Number(d) % 5) + 1}`) }) as TraceEvent],
    ['a partition with other groups', (e) => e.type === 'partition', (e) => ({ ...e, blocked: [] }) as TraceEvent],
  ];
  for (const [name, pick, change] of cases) {
    it(name, async () => {
      const { events, at } = planted(pick, change);
      // The columns alone do not see it...
      expect(firstDifference(buildColumns({ ...base, events: base.events }), buildColumns({ ...base, events }))).toBe(-1);
      // ...the panel does, at its seq.
      expect(await diff(base.events, events)).toBe(at);
    });
  }
});
