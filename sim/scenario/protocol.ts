// What a protocol provides to scenarios: a config schema, and a build step that
// turns a config into nodes (sans-IO state machines) and checkers.

import type { Arbitrary } from 'fast-check';
import type { z } from 'zod';
import type { Rng } from '../engine/random.ts';
import type { Checker, Micros, NodeSpec } from '../engine/types.ts';

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
}

export function defineProtocol<S extends z.ZodType>(def: {
  name: string;
  description: string;
  configSchema: S;
  build(config: z.output<S>, ctx: BuildContext): ProtocolBuild;
  fuzzWorkload?: Arbitrary<Record<string, unknown>>;
}): ProtocolDefinition<z.output<S>> {
  return def as ProtocolDefinition<z.output<S>>;
}
