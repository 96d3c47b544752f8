// Distributed counters: `replicas` replicas (n1..nR, role server) and `clients` clients (c1..cC),
// client i talking to replica ((i - 1) mod R) + 1. Designs: the naive last-writer-wins counter,
// the PN-counter CRDT (state or delta gossip), and a linearizable counter on the Raft key-value
// store (`raft`: the replicas are Raft servers, an add is `incr`, a read a `get`, both through the
// log; clients find the leader); with `decrements: false` the workload only increments and the
// PN-counter is a G-counter. Planted bugs (all off) prove the checkers.

import { z } from 'zod';
import { durationText } from '../../api/durations.ts';
import { atOrFail, defineProtocol, duration, nodeSpec, positiveDuration, WHEN_VALID, type Checker, type NodeSpec, type RecoveryRelation, recoveryMismatch } from '../../api/index.ts';
import { counterModel, linearizableChecker } from '../../check/linearizability/index.ts';
import { kvService } from '../raft/public.ts';
import { raftConfig, raftProtocolCheckers, raftRecovery, raftServerNodes, type RaftConfig } from '../raft/public.ts';
import { RaftCounterClient } from './raft-client.ts';
import { convergenceChecker, counterValueChecker } from './checkers.ts';
import { addsAppliedOnceRule, stateInflationRule } from './rules.ts';
import { CounterClient } from './client.ts';
import { counterAbstractState } from './coverage.ts';
import { counterFuzzWorkload } from './fuzz-workload.ts';
import { CounterReplica, MAX_UNACKED_DELTAS } from './replica.ts';
import { counterTargets } from './targets.ts';

export const counterConfig = z
  .object({
    replicas: z.number().int().min(1).max(16).default(3),
    clients: z.number().int().min(1).max(32).default(3),
    /** 'naive': value broadcast, last writer wins (loses concurrent updates); 'pn-counter': the CRDT; 'raft': incr on the Raft key-value store (linearizable). */
    design: z.enum(['naive', 'pn-counter', 'raft']).default('pn-counter'),
    /** The Raft design's timing (the raft protocol's defaults: 150-300 ms election timeout, 50 ms heartbeat). */
    raft: z
      .object({ electionTimeout: z.object({ min: positiveDuration, max: positiveDuration }).strict().prefault({ min: 150_000, max: 300_000 }), heartbeat: positiveDuration.default(50_000) })
      .strict()
      .prefault({}),
    /** PN-counter gossip: the whole state merged by max, or numbered deltas retransmitted until acknowledged. */
    gossip: z.enum(['state', 'delta']).default('state'),
    /** Delta gossip: most own deltas a replica keeps unacknowledged; an add beyond them is refused (fail) until a peer acknowledges. */
    maxUnacked: z.number().int().min(1).max(MAX_UNACKED_DELTAS).default(4096),
    /** Gossip interval (local clock). */
    gossipInterval: positiveDuration.default(50_000),
    /** Client timeout: an add unanswered this long is recorded as unknown outcome. */
    retry: positiveDuration.default(100_000),
    /** Client idle time before each operation, uniform up to this. */
    think: duration.default(20_000),
    /** Clients stop invoking at this time of their local clock. */
    opsUntil: duration.default(3_000_000),
    /** Probability that an operation is a read. */
    readRatio: z.number().min(0).max(1).default(0.2),
    /** Largest |delta| of an add. */
    maxDelta: z.number().int().min(1).max(1000).default(5),
    /** Whether clients also decrement (false: increments only, a G-counter workload). */
    decrements: z.boolean().default(true),
    /** Calm time (replicas up and connected, no client operation) after which the checkers judge the final values. */
    settle: positiveDuration.default(500_000),
    bugs: z
      .object({
        /** Merge states by entrywise sum instead of max (not idempotent). */
        sumMerge: z.boolean().default(false),
        /** Put decrements into P as negative deltas: a G-counter used with negative deltas, undone by max-merge. */
        gCounterWithDecrements: z.boolean().default(false),
        /** Delta gossip without deduplication: a retransmitted or duplicated delta is counted again (switches gossip to delta). */
        deltaNoDedup: z.boolean().default(false),
        /** Raft design: a client retries an unanswered request under a new sequence number (no idempotency key): an increment whose answer was lost is applied twice. */
        retryAsNewRequest: z.boolean().default(false),
      })
      .strict()
      .default({ sumMerge: false, gCounterWithDecrements: false, deltaNoDedup: false, retryAsNewRequest: false }),
  })
  .strict()
  .superRefine((c, ctx) => {
    // Gossip must get a chance to run a few times within the calm period, or the checkers would judge a counter mid-gossip.
    if (c.settle < 4 * c.gossipInterval) ctx.addIssue({ code: 'custom', path: ['settle'], message: `expected at least 4 gossip intervals (${durationText(4 * c.gossipInterval)}), got ${durationText(c.settle)}` });
    if (c.design === 'raft' || c.bugs.retryAsNewRequest) {
      // Raft's own rules (sim/protocols/raft/protocol.ts), so that raftConfig never rejects what this schema accepted.
      if (c.replicas > 9) ctx.addIssue({ code: 'custom', path: ['replicas'], message: `the raft design runs at most 9 servers (got ${c.replicas})` });
      const e = c.raft.electionTimeout;
      if (e.max < e.min) ctx.addIssue({ code: 'custom', path: ['raft', 'electionTimeout', 'max'], message: `must be >= min (${durationText(e.min)})` });
      if (e.min <= c.raft.heartbeat) ctx.addIssue({ code: 'custom', path: ['raft', 'electionTimeout', 'min'], message: `the election timeout (min ${durationText(e.min)}) must be longer than the heartbeat (${durationText(c.raft.heartbeat)})` });
    }
  }, WHEN_VALID);

export type CounterConfig = z.output<typeof counterConfig>;

export const replicaIds = (c: CounterConfig): string[] => Array.from({ length: c.replicas }, (_, i) => `n${i + 1}`);

/** The design a config runs: the planted bug `retryAsNewRequest` is a Raft client's, so it selects the Raft design (as `deltaNoDedup` selects delta gossip). */
export function designOf(c: CounterConfig): CounterConfig['design'] {
  return c.bugs.retryAsNewRequest ? 'raft' : c.design;
}

/** The Raft design's cluster config (servers n1..nR running the key-value store, no raft clients of its own). */
export function counterRaftConfig(c: CounterConfig): RaftConfig {
  return raftConfig.parse({ servers: c.replicas, clients: 0, electionTimeout: c.raft.electionTimeout, heartbeat: c.raft.heartbeat });
}

function raftCounterNodes(c: CounterConfig): NodeSpec[] {
  const servers = replicaIds(c);
  const nodes = raftServerNodes(counterRaftConfig(c), kvService);
  for (let i = 0; i < c.clients; i++) {
    const opts = { servers, retry: c.retry, think: c.think, opsUntil: c.opsUntil, readRatio: c.readRatio, maxDelta: c.maxDelta, decrements: c.decrements, retryAsNewRequest: c.bugs.retryAsNewRequest };
    nodes.push(nodeSpec(`c${i + 1}`, 'client', () => new RaftCounterClient(opts)));
  }
  return nodes;
}

/** The checkers of a design: the Maelstrom-style final checks for the replicated counters, linearizability (and Raft's own) for the Raft one. */
export function counterCheckers(c: CounterConfig): Checker[] {
  const replicas = replicaIds(c);
  if (designOf(c) === 'raft') return [linearizableChecker(counterModel), ...raftProtocolCheckers(counterRaftConfig(c))];
  return [convergenceChecker(replicas, c.settle), counterValueChecker(replicas, c.settle), stateInflationRule(replicas), addsAppliedOnceRule(replicas)];
}

export function counterNodes(c: CounterConfig): NodeSpec[] {
  if (designOf(c) === 'raft') return raftCounterNodes(c);
  const replicas = replicaIds(c);
  const nodes: NodeSpec[] = replicas.map((id) =>
    nodeSpec(id, 'server', () =>
      new CounterReplica({
        design: c.design === 'naive' ? 'naive' : 'pn-counter',
        gossip: c.gossip,
        interval: c.gossipInterval,
        peers: replicas.filter((p) => p !== id),
        sumMerge: c.bugs.sumMerge,
        gCounterWithDecrements: c.bugs.gCounterWithDecrements,
        deltaNoDedup: c.bugs.deltaNoDedup,
        maxUnacked: c.maxUnacked,
        maxClients: c.clients,
      }),
    ),
  );
  for (let i = 0; i < c.clients; i++) {
    const opts = { replica: atOrFail(replicas, i % replicas.length, 'replicas'), retry: c.retry, think: c.think, opsUntil: c.opsUntil, readRatio: c.readRatio, maxDelta: c.maxDelta, decrements: c.decrements };
    nodes.push(nodeSpec(`c${i + 1}`, 'client', () => new CounterClient(opts)));
  }
  return nodes;
}

/**
 * The counter's durability rule, for the recovery oracle (sim/api/recovery.ts). A replica (replica.ts):
 * "every change is written and fsynced before it is acknowledged, so a crash loses nothing acked" -- its
 * whole `Durable` record (value, entries, Lamport stamp, own deltas and their base, deltas applied per
 * origin, and the request dedup table `last`, which must be as durable as the value it protects: an add
 * is not idempotent). So after any step in which a replica sent something, one restarted from its durable
 * record publishes the same value, entries and stamp, and holds the same dedup table and delta
 * bookkeeping. The Raft design's servers follow Raft's rule (raftRecovery); `unacked` (per-peer
 * acknowledgements) is volatile by design: not compared.
 */
const REPLICA_FIELDS: RecoveryRelation = { fields: ['value', 'entries', 'ts'] };

export const counterRecovery: RecoveryRelation = {
  roles: ['server'],
  fields: [],
  // A replica publishes its `design`; a Raft server's `entries` are the terms written since its previous publish (not state).
  agree: (live, recovered) => recoveryMismatch(typeof live === 'object' && live !== null && 'design' in live ? REPLICA_FIELDS : raftRecovery, live, recovered),
  internal: (node) => (node instanceof CounterReplica ? node.durableParts() : undefined),
};

export const counter = defineProtocol({
  name: 'counter',
  description: 'Distributed counters: naive last-writer-wins broadcast vs PN-counter CRDT (state or delta gossip) vs incr on the Raft key-value store; Maelstrom-style counter check, linearizability for Raft',
  configSchema: counterConfig,
  fuzzWorkload: counterFuzzWorkload,
  // Fault model: delta gossip retransmits each delta until acknowledged and replicas deduplicate them (and the
  // request dedup table drops a client add seen twice), so a second copy of a message is this protocol's
  // ordinary condition, not a rare one (README.md, "Fault model"): duplication is drawn like every other kind.
  fuzzFaults: { ordinary: ['duplicate'] },
  ...counterTargets,
  abstractState: counterAbstractState,
  build(config) {
    return { nodes: counterNodes(config), checkers: counterCheckers(config) };
  },
  recovery: counterRecovery,
});

declare module '../../api/protocol.ts' {
  interface ProtocolConfigMap {
    counter: z.input<typeof counterConfig>;
  }
}
