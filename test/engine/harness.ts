// Test harness for the engine: scriptable nodes and traced runs.

import { defaultEngineConfig, type EngineConfig, type TimedFault } from '../../sim/engine/config.ts';
import { Simulation, type RunResult } from '../../sim/engine/simulation.ts';
import { MemorySink } from '../../sim/engine/trace.ts';
import type { Checker, Message, NodeBehaviour, NodeContext, NodeSpec, TraceEvent, TraceHeader } from '../../sim/engine/types.ts';

export interface Script {
  start?(ctx: NodeContext): void;
  recover?(ctx: NodeContext): void;
  message?(ctx: NodeContext, from: string, msg: Message): void;
  timer?(ctx: NodeContext, name: string): void;
}

/** A node whose handlers are the given functions (one script shared by all incarnations). */
export function scripted(id: string, script: Script, role = 'server'): NodeSpec {
  return {
    id,
    role,
    create: (): NodeBehaviour => ({
      onStart: (ctx) => script.start?.(ctx),
      ...(script.recover ? { onRecover: (ctx: NodeContext) => script.recover?.(ctx) } : {}),
      onMessage: (ctx, from, msg) => script.message?.(ctx, from, msg),
      onTimer: (ctx, name) => script.timer?.(ctx, name),
    }),
  };
}

export function header(nodes: NodeSpec[]): TraceHeader {
  return { format: 'faultline-trace', version: 1, scenario: 'test', protocol: 'test', seed: 'test', config: null, nodes: nodes.map((n) => ({ id: n.id, role: n.role })), timeline: [] };
}

export interface TracedRun extends RunResult {
  events: TraceEvent[];
  text: string;
  sim: Simulation;
}

export function runTraced(opts: {
  nodes: NodeSpec[];
  until: number;
  seed?: string;
  config?: (c: EngineConfig) => void;
  faults?: TimedFault[];
  checkers?: Checker[];
  stopOnViolation?: boolean;
}): TracedRun {
  const config = defaultEngineConfig();
  opts.config?.(config);
  const sink = new MemorySink();
  const sim = new Simulation({
    seed: opts.seed ?? 'test',
    nodes: opts.nodes,
    config,
    faults: opts.faults ?? [],
    checkers: opts.checkers ?? [],
    trace: sink,
    header: header(opts.nodes),
    ...(opts.stopOnViolation !== undefined ? { stopOnViolation: opts.stopOnViolation } : {}),
  });
  const result = sim.run(opts.until);
  const text = sink.text();
  const lines = text.trimEnd().split('\n');
  const events = lines.slice(1, -1).map((l) => JSON.parse(l) as TraceEvent);
  return { ...result, events, text, sim };
}

export function ofType<T extends TraceEvent['type']>(events: TraceEvent[], type: T): Extract<TraceEvent, { type: T }>[] {
  return events.filter((e): e is Extract<TraceEvent, { type: T }> => e.type === type);
}
