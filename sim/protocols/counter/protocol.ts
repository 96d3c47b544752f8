// Distributed counters: `replicas` replicas (n1..nR, role server) and `clients` clients (c1..cC),
// client i talking to replica ((i - 1) mod R) + 1. Designs: the naive last-writer-wins counter and
// the PN-counter CRDT (state or delta gossip); with `decrements: false` the workload only increments
// and the PN-counter is a G-counter. Planted bugs (all off) prove the checkers.

import { z } from 'zod';
import { defineProtocol, duration, nodeSpec, positiveDuration, WHEN_VALID, type NodeSpec } from '../../api/index.ts';
import { convergenceChecker, counterValueChecker } from './checkers.ts';
import { CounterClient } from './client.ts';
import { counterAbstractState } from './coverage.ts';
import { counterFuzzWorkload } from './fuzz-workload.ts';
import { CounterReplica } from './replica.ts';
import { counterTargets } from './targets.ts';

export const counterConfig = z
  .object({
    replicas: z.number().int().min(1).max(16).default(3),
    clients: z.number().int().min(1).max(32).default(3),
    /** 'naive': value broadcast, last writer wins (loses concurrent updates); 'pn-counter': the CRDT. */
    design: z.enum(['naive', 'pn-counter']).default('pn-counter'),
    /** PN-counter gossip: the whole state merged by max, or numbered deltas retransmitted until acknowledged. */
    gossip: z.enum(['state', 'delta']).default('state'),
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
      })
      .strict()
      .default({ sumMerge: false, gCounterWithDecrements: false, deltaNoDedup: false }),
  })
  .strict()
  .superRefine((c, ctx) => {
    // Gossip must get a chance to run a few times within the calm period, or the checkers would judge a counter mid-gossip.
    if (c.settle < 4 * c.gossipInterval) ctx.addIssue({ code: 'custom', path: ['settle'], message: `expected at least 4 gossip intervals (${4 * c.gossipInterval} µs), got ${c.settle} µs` });
  }, WHEN_VALID);

export type CounterConfig = z.output<typeof counterConfig>;

export const replicaIds = (c: CounterConfig): string[] => Array.from({ length: c.replicas }, (_, i) => `n${i + 1}`);

export function counterNodes(c: CounterConfig): NodeSpec[] {
  const replicas = replicaIds(c);
  const nodes: NodeSpec[] = replicas.map((id) =>
    nodeSpec(id, 'server', () =>
      new CounterReplica({
        design: c.design,
        gossip: c.gossip,
        interval: c.gossipInterval,
        peers: replicas.filter((p) => p !== id),
        sumMerge: c.bugs.sumMerge,
        gCounterWithDecrements: c.bugs.gCounterWithDecrements,
        deltaNoDedup: c.bugs.deltaNoDedup,
      }),
    ),
  );
  for (let i = 0; i < c.clients; i++) {
    const opts = { replica: replicas[i % replicas.length] as string, retry: c.retry, think: c.think, opsUntil: c.opsUntil, readRatio: c.readRatio, maxDelta: c.maxDelta, decrements: c.decrements };
    nodes.push(nodeSpec(`c${i + 1}`, 'client', () => new CounterClient(opts)));
  }
  return nodes;
}

export const counter = defineProtocol({
  name: 'counter',
  description: 'Distributed counters: naive last-writer-wins broadcast vs PN-counter CRDT (state or delta gossip), Maelstrom-style counter check',
  configSchema: counterConfig,
  fuzzWorkload: counterFuzzWorkload,
  ...counterTargets,
  abstractState: counterAbstractState,
  build(config) {
    const replicas = replicaIds(config);
    return {
      nodes: counterNodes(config),
      checkers: [convergenceChecker(replicas, config.settle), counterValueChecker(replicas, config.settle)],
    };
  },
});

declare module '../../api/protocol.ts' {
  interface ProtocolConfigMap {
    counter: z.input<typeof counterConfig>;
  }
}
