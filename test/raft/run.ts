// Running the raft scenarios from scenarios/ in tests, with the trace in memory.

import type { TimedFault } from '../../sim/engine/config.ts';
import type { JsonValue, TraceEvent } from '../../sim/engine/types.ts';
import { MemorySink } from '../../sim/engine/trace.ts';
import type { RaftServerState } from '../../sim/protocols/raft/state.ts';
import { parseScenario, prepareRun } from '../../sim/scenario/resolve.ts';
import { runPrepared, type ScenarioResult } from '../../sim/scenario/run.ts';
import type { Scenario, ScenarioInput } from '../../sim/scenario/schema.ts';

export async function scenarioInput(name: string): Promise<ScenarioInput> {
  const mod = (await import(`../../scenarios/${name}.ts`)) as { default: ScenarioInput };
  return mod.default;
}

/** The scenario with its raft config patched (e.g. a planted bug switched on). */
export async function scenario(name: string, config: Record<string, unknown> = {}, extra: Partial<ScenarioInput> = {}): Promise<Scenario> {
  const input = await scenarioInput(name);
  return parseScenario({ ...input, ...extra, config: { ...(input.config ?? {}), ...config } });
}

export interface TracedRun {
  result: ScenarioResult;
  events: TraceEvent[];
  /** Last published state of each server. */
  final: Record<string, RaftServerState>;
  /** Trace notes ("n1: becomes leader of term 1"). */
  notes: { t: number; node: string; text: string }[];
}

export function runTraced(s: Scenario, seed?: string | number): TracedRun {
  const sink = new MemorySink();
  const result = runPrepared(prepareRun(s, seed !== undefined ? { seed } : {}), { trace: sink });
  const lines = sink.text().split('\n').filter((l) => l.length > 0);
  const events = lines.slice(1, -1).map((l) => JSON.parse(l) as TraceEvent);
  const final: Record<string, RaftServerState> = {};
  const notes: TracedRun['notes'] = [];
  for (const e of events) {
    if (e.type === 'state') final[e.node] = e.state as unknown as RaftServerState;
    if (e.type === 'log') notes.push({ t: e.t, node: e.node, text: e.text });
  }
  return { result, events, final, notes };
}

export function leadersByTerm(run: TracedRun): Map<number, string> {
  const m = new Map<number, string>();
  for (const n of run.notes) {
    const match = /^becomes leader of term (\d+)$/.exec(n.text);
    if (match) m.set(Number(match[1]), n.node);
  }
  return m;
}

export function logTerms(s: RaftServerState): number[] {
  return s.log.map((e) => e.term);
}

export type { JsonValue };

/**
 * A small, busy cluster for fuzzing: three servers, two clients, short timeouts (election
 * 50-100 ms, heartbeat 15 ms), so elections and the dangerous interleavings are frequent.
 */
export function fuzzCluster(bugs: Record<string, boolean>, opts: { extra?: Record<string, unknown>; duration?: string | number; faults?: TimedFault[] } = {}): Scenario {
  return parseScenario({
    name: 'raft-fuzz',
    description: 'three servers, two clients, short timeouts',
    protocol: 'raft',
    config: { servers: 3, clients: 2, electionTimeout: { min: '50ms', max: '100ms' }, heartbeat: '15ms', ...opts.extra, bugs },
    duration: opts.duration ?? '2s',
    network: { latency: { kind: 'uniform', min: '1ms', max: '10ms' }, loss: 0.01 },
    ...(opts.faults ? { faults: { timeline: opts.faults } } : {}),
  });
}
