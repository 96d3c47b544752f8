// The lock service as a scenario protocol: one lock server (s1), one protected
// resource (r1) and N clients (c1..cN) contending for a few locks, with either
// recipe. Planted bugs (all off by default) let the tests prove each checker
// catches what it exists to catch.

import { z } from 'zod';
import { defineProtocol, duration, nodeSpec, positiveDuration, type NodeSpec, type RecoveryRelation } from '../../api/index.ts';
import { durationText } from '../../api/durations.ts';
import { durableGrantsChecker, fencedWritesChecker, linearizableLockChecker, progressChecker, mutualExclusionChecker, singleHolderChecker, starvationFreedomChecker, tokenOrderChecker } from './checkers.ts';
import { LockClient } from './client.ts';
import { LockResource } from './resource.ts';
import { LockServer } from './server.ts';
import { lockFuzzWorkload } from './fuzz-workload.ts';
import { lockFuzzWorkloadBase } from './fuzz-workload-base.ts';
import { lockTargets } from './targets.ts';
import { fenceMonotonicRule } from './rules.ts';
import { lockAbstractState } from './coverage.ts';

export const SERVER = 's1';
export const RESOURCE = 'r1';

export const lockConfig = z
  .object({
    clients: z.number().int().min(1).max(64).default(2),
    /** Number of locks (named L1, L2, ...); each critical section picks one at random. */
    locks: z.number().int().min(1).max(64).default(1),
    /** 'fencing': sessions, FIFO waiting and fencing tokens; 'redis': SET NX PX with a random value, no token. */
    recipe: z.enum(['fencing', 'redis']).default('fencing'),
    /** Whether the resource rejects writes with a token below the highest it accepted (Redis-style writes carry no token, so it cannot). */
    fencing: z.boolean().default(true),
    /** Lease time to live. */
    ttl: positiveDuration.default(500_000),
    /** Keep-alive interval of the fencing recipe. */
    keepAlive: positiveDuration.default(100_000),
    /** The client stops trusting its lease this long before it would end on its own clock. */
    margin: duration.default(50_000),
    /** Retransmission timeout for requests and writes. */
    retry: positiveDuration.default(50_000),
    /** Writes per critical section. */
    writes: z.number().int().min(1).max(1000).default(3),
    /** Work between the lease check and the write it leads to. */
    work: duration.default(5_000),
    /** Up to this long idle between critical sections (uniform). */
    think: duration.default(20_000),
    /** Client i (from 0) starts after i * stagger. */
    stagger: duration.default(0),
    /** Critical sections per client (0 = as many as fit). */
    cycles: z.number().int().min(0).default(0),
    bugs: z
      .object({
        /** Server: write the lock table but never fsync it (tokens reused and leases forgotten after a crash). */
        skipFsync: z.boolean().default(false),
        /** Server: end leases ttl/2 early on its own clock, granting while the previous holder's lease runs. */
        grantBeforeExpiry: z.boolean().default(false),
        /** Resource: compute the fencing check but accept stale writes anyway. */
        ignoreStaleTokens: z.boolean().default(false),
        /** Client: after its critical section, forget to release (the session stays alive, so the lock stays taken). */
        neverRelease: z.boolean().default(false),
        /** Client: after the server forgot its session (expired), keep using the dead session: every acquire is refused. Caught by starvation-freedom. */
        keepStaleSession: z.boolean().default(false),
      })
      .strict()
      .default({ skipFsync: false, grantBeforeExpiry: false, ignoreStaleTokens: false, neverRelease: false, keepStaleSession: false }),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.margin >= c.ttl) ctx.addIssue({ code: 'custom', path: ['margin'], message: `margin ${durationText(c.margin)} must be shorter than ttl ${durationText(c.ttl)}` });
  });

export type LockConfig = z.output<typeof lockConfig>;

export function clientIds(c: LockConfig): string[] {
  return Array.from({ length: c.clients }, (_, i) => `c${i + 1}`);
}

/** Fault-free time after which every client must have had the lock: stale leases lapse, then everyone ahead takes a turn. */
export function progressGrace(c: LockConfig): number {
  return 3 * c.ttl + c.clients * c.writes * (c.work + c.retry);
}

export function lockNodes(c: LockConfig): NodeSpec[] {
  const locks = Array.from({ length: c.locks }, (_, i) => `L${i + 1}`);
  const nodes: NodeSpec[] = [
    nodeSpec(SERVER, 'server', () => new LockServer({ skipFsync: c.bugs.skipFsync, expireEarlyBy: c.bugs.grantBeforeExpiry ? Math.floor(c.ttl / 2) : 0, maxLocks: c.locks, maxClients: c.clients })),
    nodeSpec(RESOURCE, 'resource', () => new LockResource({ fencing: c.fencing, ignoreStaleTokens: c.bugs.ignoreStaleTokens, maxClients: c.clients })),
  ];
  for (let i = 0; i < c.clients; i++) {
    const options = {
      recipe: c.recipe,
      server: SERVER,
      resource: RESOURCE,
      locks,
      ttl: c.ttl,
      keepAlive: c.keepAlive,
      margin: c.margin,
      retry: c.retry,
      writes: c.writes,
      work: c.work,
      think: c.think,
      startAfter: i * c.stagger,
      cycles: c.cycles,
      neverRelease: c.bugs.neverRelease,
      keepStaleSession: c.bugs.keepStaleSession,
    };
    nodes.push(nodeSpec(`c${i + 1}`, 'client', () => new LockClient(options)));
  }
  return nodes;
}

/**
 * The lock service's durability rule, for the recovery oracle (sim/api/recovery.ts). The server
 * (server.ts) "makes the table durable (write + fsync) BEFORE any answer leaves, so a grant's fencing
 * token can never be handed out again after a crash": after a step in which the server sent something,
 * one recovered from its durable table holds a token counter at least the live one's. At least, not
 * equal: recovery expires the leases that ran out by its clock and serves their waiters (onRecover),
 * which may hand out tokens the live server has not yet. The lease table itself is not compared.
 */
export const lockRecovery: RecoveryRelation = {
  roles: ['server'],
  fields: [],
  // Its recovery publishes only when a lease expired meanwhile: the counter is read from the node.
  internal: (node) => (node instanceof LockServer ? node.durableParts() : undefined),
  agreeInternal: (live, recovered) =>
    typeof live.nextToken === 'number' && typeof recovered.nextToken === 'number' && recovered.nextToken < live.nextToken ? { field: 'nextToken (internal)', live: live.nextToken, recovered: recovered.nextToken } : undefined,
};

export const lock = defineProtocol({
  isolation: 'freeze', // never changes what it sent, received or published (checked by its tests under freezing)
  name: 'lock',
  description: 'Lock service with leases, FIFO waiters and fencing tokens; fenced and Redis-style clients and a protected resource',
  fuzzWorkload: lockFuzzWorkload,
  fuzzWorkloadBase: lockFuzzWorkloadBase,
  ...lockTargets,
  abstractState: lockAbstractState,
  configSchema: lockConfig,
  build(config) {
    return {
      nodes: lockNodes(config),
      checkers: [
        singleHolderChecker(SERVER),
        tokenOrderChecker(SERVER),
        durableGrantsChecker(SERVER),
        fencedWritesChecker(RESOURCE, config.fencing),
        fenceMonotonicRule(RESOURCE),
        mutualExclusionChecker(RESOURCE),
        progressChecker(clientIds(config), progressGrace(config), config.cycles),
        starvationFreedomChecker({ server: SERVER, resource: RESOURCE, clients: clientIds(config), grace: progressGrace(config), fifo: config.recipe === 'fencing' }),
        linearizableLockChecker(),
      ],
    };
  },
  recovery: lockRecovery,
});

declare module '../../api/protocol.ts' {
  interface ProtocolConfigMap {
    lock: z.input<typeof lockConfig>;
  }
}
