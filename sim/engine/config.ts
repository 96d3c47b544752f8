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

/** A fault or a change of the world, applied at a point in time. */
export type FaultAction =
  | { kind: 'crash'; node: NodeId }
  | { kind: 'restart'; node: NodeId }
  | { kind: 'pause'; node: NodeId }
  | { kind: 'resume'; node: NodeId }
  /** Nodes in different groups cannot exchange messages (both directions). Nodes in no group are unaffected. */
  | { kind: 'partition'; groups: NodeId[][] }
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
  /** Damage a durable record on a node's disk (a random one when no key is named). */
  | { kind: 'corrupt'; node: NodeId; key?: string }
  /** End of the fault phase: heal, end loss bursts, resume paused and restart crashed nodes. Liveness checks start here. */
  | { kind: 'quiesce' };

export type FaultKind = FaultAction['kind'];

export type TimedFault = FaultAction & { at: Micros };

export const DEFAULT_LINK: LinkModel = {
  latency: { kind: 'uniform', min: 1000, max: 10_000 },
  loss: 0,
  duplicate: 0,
  fifo: false,
};

export function defaultEngineConfig(): EngineConfig {
  return { network: { ...DEFAULT_LINK, links: [] }, clocks: {}, disk: { corruptOnCrash: 0 } };
}
