// The public protocol API: everything a protocol (built in or a user's own) may import.
// A protocol imports from here (or `faultline` once installed) and its own files only.
//
// - node.ts: the one sans-IO node shape (ProtocolNode, Io, typed Timer, Command), the generic
//   adapter (nodeSpec) and step() for unit tests.
// - protocol.ts: defineProtocol, ProtocolDefinition, roles, triggers, ProtocolConfigMap.
// - durations.ts: zod schemas for durations in configs.
// - the engine's public types (messages, checkers, the checker's SimView, trace events),
//   assert, time units and the fault-target helpers.

export * from './node.ts';
export * from './protocol.ts';
export * from './recovery.ts';
export * from './durations.ts';
export type {
  Checker,
  EventHooks,
  HistoryEvent,
  JsonValue,
  Message,
  Micros,
  NodeId,
  NodeSpec,
  OpCall,
  OpOutcome,
  SimView,
  TraceEvent,
  Violation,
  WakeFlag,
} from '../engine/types.ts';
export type { Rng } from '../engine/random.ts';
export type { FaultStateView } from '../engine/fault-state.ts';
export { AssertionFailure, assert, atOrFail, getOrFail } from '../engine/assert.ts';
export { MINUTE, MS, SECOND, US, formatDuration, formatDurationExact, parseDuration } from '../engine/time.ts';
export { onPublished, onSend, publishedWhere } from '../engine/targets.ts';
export * from './fenced-resource.ts';
