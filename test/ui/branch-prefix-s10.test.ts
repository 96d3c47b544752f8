// A fault injected by click (ui/src/inject.ts) changes nothing before the
// cursor: the branch's trace is the original's, event for event (the same
// JSON lines), up to and including the cursor event. Checked over scenarios
// whose timelines have `after:` entries (header `at: 0`), role targets
// without an `id` (their node is drawn from a stream keyed by the fault's
// position), triggers and a nemesis, at several cursors and fault kinds.

import { describe, expect, it } from 'vitest';
import { MemorySink } from '../../sim/engine/trace.ts';
import type { JsonValue, TraceEvent } from '../../sim/engine/types.ts';
import { parseScenario, prepareRun } from '../../sim/scenario/resolve.ts';
import { runPrepared } from '../../sim/scenario/run.ts';
import { parseTrace } from '../../sim/trace/parse.ts';
import { branchScenario, faultSpec, type InjectKind } from '../../ui/src/inject.ts';
import isolateLeader from '../../scenarios/raft-isolate-leader.ts';
import doubleVoteTrigger from '../../scenarios/raft-double-vote-trigger.ts';
import crashAfterAppend from '../../scenarios/raft-crash-leader-after-append.ts';
import zkLeaderCrash from '../../scenarios/zookeeper-leader-crash.ts';

interface Traced {
  events: TraceEvent[];
  config: JsonValue;
  seed: string;
  nodes: string[];
}

function run(doc: unknown): Traced {
  const sink = new MemorySink();
  runPrepared(prepareRun(parseScenario(doc)), { trace: sink });
  const t = parseTrace(sink.text());
  return { events: t.events, config: t.header.config, seed: t.header.seed, nodes: t.header.nodes.map((n) => n.id) };
}

/** The newcomer's repro: a pause with an id, a role-targeted crash with none, a resume `after` the pause. */
const ord = {
  name: 'ord',
  description: 'timeline order probe',
  protocol: 'raft',
  config: { servers: 5, clients: 2 },
  seed: 1,
  duration: '3s',
  faults: {
    timeline: [
      { at: '500ms', kind: 'pause', node: 'n5', id: 'p' },
      { at: '1s', kind: 'crash', node: '@follower' },
      { after: 'p', delay: '100ms', kind: 'resume', node: '$p' },
    ],
  },
  expect: 'no-violation',
};

const SCENARIOS: [string, unknown][] = [
  ['after + role target (ord)', ord],
  ['raft-isolate-leader', isolateLeader],
  ['raft-double-vote-trigger', doubleVoteTrigger],
  ['raft-crash-leader-after-append', crashAfterAppend],
  ['zookeeper-leader-crash', zkLeaderCrash],
];

const KINDS: InjectKind[] = ['heal', 'crash', 'pause'];

describe('a branch is the same run up to the cursor', () => {
  for (const [name, doc] of SCENARIOS) {
    it(name, () => {
      const base = run(doc);
      const n = base.events.length;
      expect(n).toBeGreaterThan(50);
      // Cursors spread over the run, the last event among them (End, as in the repro).
      const cursors = [Math.floor(n / 3), Math.floor((2 * n) / 3), n - 1];
      cursors.forEach((cursor, i) => {
        const kind = KINDS[i % KINDS.length] as InjectKind;
        const ev = base.events[cursor] as TraceEvent;
        const node = base.nodes[i % base.nodes.length] as string;
        const scenario = branchScenario(base.config, base.seed, faultSpec(kind, node, ev.t, base.nodes));
        expect(scenario).toBeDefined();
        const branch = run(scenario);
        const a = base.events.slice(0, cursor + 1).map((e) => JSON.stringify(e));
        const b = branch.events.slice(0, cursor + 1).map((e) => JSON.stringify(e));
        expect(b, `${kind} ${node} after #${cursor}`).toEqual(a);
        // The branch does have the fault, just after the cursor (at End the run may stop first: a violation ends it).
        if (cursor < n - 1) expect(branch.events.find((e) => e.seq > cursor && e.type === kind), `the ${kind} is in the branch`).toBeDefined();
      });
    });
  }

  it('the timeline keeps its entries in place (an `after:` entry with at 0 is not moved) and gets the fault last', () => {
    const base = run(ord);
    const fault = faultSpec('crash', 'n1', 2_000_000, base.nodes);
    const s = branchScenario(base.config, base.seed, fault) as { faults: { timeline: JsonValue[] } };
    const before = (base.config as { faults: { timeline: JsonValue[] } }).faults.timeline;
    expect(s.faults.timeline.slice(0, before.length)).toEqual(before);
    expect(s.faults.timeline[before.length]).toEqual(fault);
  });
});
