// Plain-data configuration of the world a run happens in: network, clocks,
// disks and faults. Plain data so that scenario files, property tests (which
// generate and shrink it) and trace headers can all carry it.

import type { Micros, NodeId } from './types.ts';

/** One-way latency of a message. */
export type Latency =
  | { kind: 'constant'; value: Micros }
  | { kind: 'uniform'; min: Micros; max: Micros }
  /** min + an exponential with the given mean. */
  | { kind: 'exponential'; mean: Micros; min?: Micros }
  /** min + a log-normal with the given median and shape sigma. */
  | { kind: 'lognormal'; median: Micros; sigma: number; min?: Micros };

export interface LinkModel {
  latency: Latency;
  /** Probability that a message is lost. */
  loss: number;
  /** Probability that a message is delivered twice (the copy has its own latency). */
  duplicate: number;
  /** FIFO links never reorder: a message is never delivered before an earlier one on the same link. */
  fifo: boolean;
  /**
   * A TCP-like transport: a lost message is sent again after this delay (µs)
   * plus a fresh latency, until an attempt gets through. Undefined: lost for good.
   * Partitions still drop (a real transport gives up too).
   */
  retransmit?: Micros;
}

/** Override of the default link model for some links; '*' matches any node. */
export interface LinkOverride extends Partial<LinkModel> {
  from: NodeId | '*';
  to: NodeId | '*';
}

export interface NetworkConfig extends LinkModel {
  links: LinkOverride[];
}

/** local = offset + (1 + drift) * true time. drift 0.001 is a clock 1000 ppm fast. */
export interface ClockConfig {
  offset: Micros;
  drift: number;
}

export interface DiskConfig {
  /** On each crash, the probability that one durable record of the node is corrupted (detected by its checksum). */
  corruptOnCrash: number;
}

export interface EngineConfig {
  network: NetworkConfig;
  clocks: Record<NodeId, ClockConfig>;
  disk: DiskConfig;
}

/**
 * The node a fault hits: a node id (`n1`), a role resolved when the fault fires (`@leader`: see
 * sim/engine/targets.ts for the generic roles and the protocol's `roles` for the others), or the
 * node an earlier fault labelled `id: 'x'` hit (`$x`), so an episode's end hits the node its start hit.
 */
export type NodeTarget = string;

/**
 * A partition aimed at a node (Jepsen's nemeses aimed at primaries), over the fault domain (the
 * protocol's servers, or every node when it has none): `alone` cuts `around` off from the rest of
 * the domain; `minority-with` puts it in the largest minority (floor((n-1)/2) nodes, at least 1), so
 * the majority is without it; `majority-with` puts it in the smallest majority.
 */
export type PartitionSplit = 'alone' | 'minority-with' | 'majority-with';
export const PARTITION_SPLITS: readonly PartitionSplit[] = ['alone', 'minority-with', 'majority-with'];

/** A protocol event a fault waits for: the `nth` (default 1) occurrence of `event`, counted only at nodes `node` resolves to (default any). */
export interface FaultTrigger {
  event: string;
  nth?: number;
  node?: NodeTarget;
}

/**
 * When a fault fires. Plain: at `at`. With `on`: armed at `at` (default 0), fires `delay` (default 0)
 * after the trigger's nth occurrence; a trigger still waiting at the quiesce point is disarmed. With
 * `after: 'x'`: fires `delay` after the fault labelled `x` fired (never, when that one never fired or
 * was skipped), and not before `at`. `id` labels the fault for `$x` targets and `after`.
 */
export interface FaultSchedule {
  at: Micros;
  id?: string;
  on?: FaultTrigger;
  after?: string;
  delay?: Micros;
}

/** A fault or a change of the world, applied at a point in time. */
export type FaultAction =
  | { kind: 'crash'; node: NodeId }
  | { kind: 'restart'; node: NodeId }
  | { kind: 'pause'; node: NodeId }
  | { kind: 'resume'; node: NodeId }
  /** Nodes in different groups cannot exchange messages (both directions). Nodes in no group are unaffected. */
  | { kind: 'partition'; groups: NodeId[][] }
  /** A partition aimed at a node: see PartitionSplit. */
  | { kind: 'partition'; split: PartitionSplit; around: NodeTarget }
  /** Cut one node off from every other node, both directions. */
  | { kind: 'isolate'; node: NodeId }
  /** One-way: messages from `from` to `to` are dropped; the other direction still works. */
  | { kind: 'block'; from: NodeId; to: NodeId }
  /** Remove every partition and block. */
  | { kind: 'heal' }
  /** Set a node's clock: offset (local minus true time, now) and/or drift. */
  | { kind: 'clock'; node: NodeId; offset?: Micros; drift?: number }
  /** A loss burst: extra loss probability on every link; p = 0 ends it. */
  | { kind: 'loss'; p: number }
  /** A duplication burst: extra probability that a message is delivered twice, on every link (the copy draws its own latency, so it may arrive late); p = 0 ends it. */
  | { kind: 'duplicate'; p: number }
  /**
   * A slow link: every message sent from now on over the links of `node` (both directions), or over the one
   * direction `node` -> `to`, takes `factor` times the latency drawn for it (rounded to µs; no extra draw, so
   * no later draw moves). `factor: 1` ends it (without `to`: on every link of `node`); the quiesce ends all.
   * Messages already in flight keep their delivery time. A fuzzer's "slow link" episode (issue 11).
   */
  | { kind: 'slow'; node: NodeId; to?: NodeId; factor: number }
  /** Damage a durable record on a node's disk (a random one when no key is named). */
  | { kind: 'corrupt'; node: NodeId; key?: string }
  /** End of the fault phase: heal, end loss bursts, resume paused and restart crashed nodes. Liveness checks start here. */
  | { kind: 'quiesce' }
  /**
   * Re-fork every random stream of the run (link latency, loss and duplication, the nodes' rngs that
   * drive election timeouts, fault picks) with `salt` from now on (`Rng.reseed`). Deterministic, and
   * the run before it is unchanged: a fuzzer branches a run from a state it reached (Antithesis-style).
   */
  | { kind: 'reseed'; salt: string };

export type FaultKind = FaultAction['kind'];

export type TimedFault = FaultAction & FaultSchedule;

export const DEFAULT_LINK: LinkModel = {
  latency: { kind: 'uniform', min: 1000, max: 10_000 },
  loss: 0,
  duplicate: 0,
  fifo: false,
};

export function defaultEngineConfig(): EngineConfig {
  return { network: { ...DEFAULT_LINK, links: [] }, clocks: {}, disk: { corruptOnCrash: 0 } };
}
