// The guided search's coverage observers (sim/fuzz/guided.ts) follow messages, timers, client
// operations and publishes through the engine's typed hooks (Checker.on), so an untraced fuzz run
// builds no trace event objects for them. Shown against a traced run of the same scenario and seed,
// whose recorded events are fed to a fresh observer as the engine would (feedEvents): the features
// and their first times are the same, and the observers declare only fault event types to observe.

import { describe, expect, it } from 'vitest';
import { MemorySink } from '../../sim/engine/trace.ts';
import type { TraceEvent } from '../../sim/engine/types.ts';
import { coverageObserver, traceEdgeObserver, type RunCoverage } from '../../sim/fuzz/guided.ts';
import { getProtocol } from '../../sim/protocols/registry.ts';
import { parseScenario, prepareRun } from '../../sim/scenario/resolve.ts';
import { runPrepared } from '../../sim/scenario/run.ts';
import { feedEvents } from './feed-events.ts';

const FAULT_TYPES = new Set(['crash', 'restart', 'pause', 'resume', 'partition', 'heal', 'clock', 'disk', 'network', 'slow']);

const scenario = (protocol: string) =>
  parseScenario({
    name: `${protocol}-hooks`,
    description: 'coverage through hooks',
    protocol,
    duration: '3s',
    faults: { timeline: [{ at: '800ms', kind: 'crash', node: '@any' }, { at: '1100ms', kind: 'restart', node: '@crashed' }, { at: '1300ms', kind: 'pause', node: '@up' }, { at: '1500ms', kind: 'resume', node: '@paused' }] },
  } as never);

const fresh = (): RunCoverage => ({ states: new Set(), edges: new Set(), contexts: new Set(), firstAt: new Map(), pairs: new Set() });

describe.each(['raft', 'twopc', 'lock'])('%s: coverage observers on typed hooks', (protocol) => {
  const s = scenario(protocol);
  // Live: an untraced run with the observer as the only extra checker.
  const live = fresh();
  const p = prepareRun(s);
  runPrepared({ ...p, checkers: [...p.checkers, traceEdgeObserver(live)] }, { hash: false });
  // Reference: every event of a traced run of the same scenario, fed to a fresh observer.
  const sink = new MemorySink();
  runPrepared(prepareRun(s), { trace: sink });
  const events = sink.text().trim().split('\n').slice(1, -1).map((l) => JSON.parse(l) as TraceEvent);

  it('trace edges: the same features, in the same order, with the same first times, as the full trace gives', () => {
    const ref = fresh();
    feedEvents(traceEdgeObserver(ref), events);
    expect([...live.pairs!]).toEqual([...ref.pairs!]);
    expect([...live.firstAt!]).toEqual([...ref.firstAt!]);
    // Kinds that come only through hooks are there: sends, deliveries, timers.
    const kinds = [...live.pairs!].join(' ');
    for (const k of ['s:', 'd:', 't:', 'crash', 'restart']) expect(kinds, `a feature with ${k}`).toContain(k);
  });

  it('the observers ask the engine to build only fault events', () => {
    const abs = getProtocol(protocol)!.abstractState!;
    for (const c of [traceEdgeObserver(fresh()), coverageObserver(abs, fresh())]) {
      expect(c.observes, c.name).toBeDefined();
      for (const t of c.observes!) expect(FAULT_TYPES.has(t), `${c.name} observes ${t}`).toBe(true);
    }
  });
});
