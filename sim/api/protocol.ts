// What a protocol provides to scenarios: a config schema, and a build step that
// turns a config into nodes (sans-IO state machines, see node.ts) and checkers.
// Part of the public protocol API (`import { defineProtocol } from 'faultline'`):
// a protocol imports only sim/api/* and the engine's public types.

import type { Arbitrary } from 'fast-check';
import type { z } from 'zod';
import type { Rng } from '../engine/random.ts';
import type { RecoveryRelation } from './recovery.ts';
import type { Checker, JsonValue, Micros, NodeId, NodeSpec, SimView, TraceEvent, TraceEventType } from '../engine/types.ts';

export interface BuildContext {
  seed: string;
  /** A random stream forked from the seed under `build/<name>`, for build-time choices (e.g. workload plans). */
  stream(name: string): Rng;
  duration: Micros;
}

export interface ProtocolBuild {
  nodes: NodeSpec[];
  /** Every checker the protocol offers; a scenario may enable a subset by name. */
  checkers: Checker[];
}

/**
 * A role that a fault may target as `@<name>` (e.g. `@leader`), resolved when the
 * fault fires, from what nodes publish, as Jepsen's nemeses target primaries.
 */
export interface RoleDefinition {
  description: string;
  /** The nodes holding the role now (may be empty: the fault is then skipped and the trace says so). Deterministic order. */
  resolve(view: SimView): NodeId[];
}

/**
 * A protocol event a fault may wait for instead of a time (`on: { event: <name> }`):
 * "a node becomes leader", "a leader appends an entry", "a participant logs its vote".
 */
export interface TriggerDefinition {
  description: string;
  /**
   * The trace event types `match` can return a node for (`['state']` for a change of published state,
   * `['send']` for a message sent); absent: any type. Declare them: while only triggers that do are
   * armed, an untraced run (a fuzz run) builds just those events instead of every event (as
   * `Checker.observes`). `match` is then shown only events of those types.
   */
  observes?: readonly TraceEventType[];
  /**
   * Called on each trace event while a fault waits on this trigger: the node it happened at when the
   * event is an occurrence, else undefined. For a `state` event, `prev` is what that node published
   * before (undefined for its first state), so a trigger can see a change ("became leader").
   */
  match(ev: TraceEvent, view: SimView, prev: JsonValue | undefined): NodeId | undefined;
}

/**
 * A fault kind fuzzing draws episodes of: the same list as sim/fuzz/arbitraries.ts `GEN_FAULT_KINDS`
 * (a type-level check there keeps the two equal; sim/api may not import sim/fuzz).
 */
export type FuzzFaultKind = 'crash' | 'partition' | 'isolate' | 'block' | 'pause' | 'clock' | 'loss' | 'slow' | 'corrupt' | 'duplicate';

/**
 * A protocol's fault prior for fuzzing: what its fault model treats as ordinary operating conditions.
 * Plain data, read when a campaign on the protocol resolves its fault generator (sim/fuzz/README.md,
 * "Protocol fault priors").
 */
export interface FuzzFaultPrior {
  /**
   * Default kinds that are *ordinary* for this protocol, not rare: when the user gives no `--kinds`
   * (`faults.kinds`), they are drawn like every other default kind instead of in 1 run in 4 (they leave
   * `DEFAULT_RARE_KINDS` for its campaigns). Declare a kind only when the protocol's design is about it
   * (e.g. `duplicate` for a protocol that retransmits and deduplicates messages): a rare kind is rare
   * because, as an ordinary one, it thins the draws of the others. Kinds outside the default kinds
   * (`corrupt`) stay off: this does not turn a kind on. Default: none.
   */
  ordinary?: readonly FuzzFaultKind[];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export interface ProtocolDefinition<C = any> {
  /** Registry key used by scenarios: "raft", "ring", "lock", "twopc", "pingpong". */
  name: string;
  description: string;
  /** Validates a scenario's `config` and fills in defaults. */
  configSchema: z.ZodType<C>;
  build(config: C, ctx: BuildContext): ProtocolBuild;
  /**
   * The protocol's default fuzz workload: an arbitrary patch of its config (client counts, op mixes,
   * key counts, timeouts, ...), merged over the base config and validated by `configSchema`.
   * `faultline fuzz` draws it unless given --workload or --no-workload. Never switches a planted bug on.
   */
  fuzzWorkload?: Arbitrary<Record<string, unknown>>;
  /**
   * Optional baseline workload for the `random` fuzz strategy: the knobs the protocol's workload drew
   * before it grew window-opening ones, so `random` stays the honest baseline guided search is measured
   * against (sim/fuzz/README.md, "Strategies"). Default: `fuzzWorkload`.
   */
  fuzzWorkloadBase?: Arbitrary<Record<string, unknown>>;
  /** The protocol's fault prior for fuzzing (which default kinds are ordinary for it): see FuzzFaultPrior. */
  fuzzFaults?: FuzzFaultPrior;
  /** Roles faults may target (`@leader`, `@follower`, ...): see RoleDefinition. */
  roles?: Record<string, RoleDefinition>;
  /** Protocol events faults may be triggered by: see TriggerDefinition. */
  triggers?: Record<string, TriggerDefinition>;
  /**
   * Coverage for guided fuzzing: a short string naming the abstract state the cluster is in
   * (roles, term gaps, phases, holder/lease relation, ...), small enough that a run reaches
   * tens to hundreds of distinct values. Called after state-changing events.
   */
  abstractState?(view: SimView): string;
  /**
   * How values cross the node boundary in this protocol's runs (default 'copy': every sent message,
   * published state and history value is deep-copied, so a node may keep and change what it sent,
   * received or published). 'freeze' deep-freezes them in place and shares them instead (about 1.9x
   * less isolation cost on the Raft workload): only for protocols that never change a value after
   * sending or publishing it, nor what they receive (a change throws: an `exception` violation).
   */
  isolation?: 'copy' | 'freeze';
  /**
   * The protocol's durability rule, for the recovery oracle (sim/api/recovery.ts): which published
   * fields a node must be able to rebuild from its durable records alone once it has promised
   * something (sent a message, completed an operation). Absent: no oracle for this protocol.
   */
  recovery?: RecoveryRelation;
}

export function defineProtocol<S extends z.ZodType>(def: {
  name: string;
  description: string;
  configSchema: S;
  build(config: z.output<S>, ctx: BuildContext): ProtocolBuild;
  fuzzWorkload?: Arbitrary<Record<string, unknown>>;
  fuzzWorkloadBase?: Arbitrary<Record<string, unknown>>;
  fuzzFaults?: FuzzFaultPrior;
  roles?: Record<string, RoleDefinition>;
  triggers?: Record<string, TriggerDefinition>;
  abstractState?(view: SimView): string;
  isolation?: 'copy' | 'freeze';
  recovery?: RecoveryRelation;
}): ProtocolDefinition<z.output<S>> {
  return def as ProtocolDefinition<z.output<S>>;
}

/**
 * protocol name -> the input type of its config, so `defineScenario({ protocol: 'raft', config })`
 * is type-checked. A protocol extends it by declaration merging:
 * `declare module '<path to>/api/protocol.ts' { interface ProtocolConfigMap { mine: z.input<typeof myConfig> } }`.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface ProtocolConfigMap {}
