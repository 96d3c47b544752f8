// A ZooKeeper-style coordination service and its lock recipe as a scenario
// protocol: Raft servers (n1..nN, sim/protocols/raft) replicating the data tree
// (tree.ts, service.ts) with sessions, ephemeral sequential znodes and one-shot
// watches; clients (c1..cN) running the lock recipe; a protected resource (r1),
// fenced by the zxid (Raft log index) of the holder's znode.
// Planted bugs (all off) are the recipe mistakes the issue names.

import { z } from 'zod';
import { defineProtocol, duration, MS, nodeSpec, positiveDuration, WHEN_VALID, type Checker, type NodeSpec } from '../../api/index.ts';
import { raftConfig, raftProtocolCheckers, raftServerIds, type RaftConfig } from '../raft/public.ts';
import { lockOrderChecker, lockProgressChecker, mutualExclusionChecker, noHerdChecker } from './checkers.ts';
import { ZkLockClient } from './client.ts';
import { zkAbstractState } from './coverage.ts';
import { zkFuzzWorkload } from './fuzz-workload.ts';
import { FencedResource } from '../../api/fenced-resource.ts';
import type { ZkMessage } from './messages.ts';
import { ZkServer } from './server.ts';
import { zookeeperRules } from './config-rules.ts';
import { zkTargets } from './targets.ts';

export const RESOURCE = 'r1';

const span = (min: number, max: number) => z.object({ min: positiveDuration, max: positiveDuration }).strict().prefault({ min, max });

export const zookeeperConfig = z
  .object({
    /** Raft servers replicating the data tree (1: a single server, no replication). */
    servers: z.number().int().min(1).max(9).default(3),
    /** Raft's election timeout, drawn in [min, max] (µs). */
    electionTimeout: span(50 * MS, 100 * MS),
    /** Per-server election timeouts (to script which server leads first in a scenario). */
    electionTimeoutOf: z.record(z.string(), z.object({ min: positiveDuration, max: positiveDuration }).strict()).default({}),
    /** Raft leader heartbeat (µs). */
    heartbeat: positiveDuration.default(10 * MS),
    /** Raft snapshots every this many applied entries (0: never). */
    snapshotEvery: z.number().int().min(0).default(0),
    clients: z.number().int().min(1).max(16).default(3),
    /** Session timeout: the server expires a session silent this long; pings go every third of it. */
    sessionTimeout: positiveDuration.default(300_000),
    /** How often the leader looks for expired sessions. */
    tick: positiveDuration.default(20_000),
    /** Retry timeout of a request, a connect and a write. */
    requestTimeout: positiveDuration.default(40_000),
    writes: z.number().int().min(1).max(1000).default(3),
    work: duration.default(20_000),
    think: duration.default(30_000),
    /** The client stops trusting its session this long before it would end. */
    margin: duration.default(20_000),
    stagger: duration.default(0),
    /** The resource rejects writes with a token (znode sequence number) below the highest it accepted. */
    fencing: z.boolean().default(true),
    bugs: z
      .object({
        /** Clients wait with a child watch on /lock: every change wakes every waiter (herd). */
        watchParent: z.boolean().default(false),
        /** Clients take the lock on any watch event without listing /lock again. */
        noRecheck: z.boolean().default(false),
        /** Clients retry a create whose reply was lost without looking for the znode they may have made (orphan, deadlock). */
        createWithoutId: z.boolean().default(false),
      })
      .strict()
      .default({ watchParent: false, noRecheck: false, createWithoutId: false }),
  })
  .strict()
  .superRefine(zookeeperRules, WHEN_VALID);

export type ZookeeperConfig = z.output<typeof zookeeperConfig>;

/** The Raft config the servers run: the zookeeper config's Raft fields, check-quorum on (a deposed leader stops answering pings). */
export function zkRaftConfig(c: ZookeeperConfig): RaftConfig {
  return raftConfig.parse({ servers: c.servers, clients: 0, electionTimeout: c.electionTimeout, electionTimeoutOf: c.electionTimeoutOf, heartbeat: c.heartbeat, snapshotEvery: c.snapshotEvery, checkQuorum: true });
}

export const serverIds = (c: ZookeeperConfig): string[] => raftServerIds(c);

export const clientIds = (c: ZookeeperConfig): string[] => Array.from({ length: c.clients }, (_, i) => `c${i + 1}`);

/** Fault-free time in which every client gets the lock: stale sessions expire, then each holder takes its turn. */
export function progressGrace(c: ZookeeperConfig): number {
  return 3 * c.sessionTimeout + 10 * c.electionTimeout.max + c.clients * (c.writes * (c.work + 2 * c.requestTimeout) + c.think + 6 * c.requestTimeout);
}

export function zookeeperNodes(c: ZookeeperConfig): NodeSpec[] {
  const rc = zkRaftConfig(c);
  const servers = serverIds(c);
  const nodes: NodeSpec[] = servers.map((id) => {
    const t = rc.electionTimeoutOf[id] ?? rc.electionTimeout;
    const raft = { id, servers, electionTimeoutMin: t.min, electionTimeoutMax: t.max, heartbeat: rc.heartbeat, preVote: rc.preVote, checkQuorum: rc.checkQuorum, maxBatch: rc.maxBatch, bugs: rc.bugs };
    return nodeSpec(id, 'server', () => new ZkServer({ raft: { raft, snapshotEvery: rc.snapshotEvery, reads: 'log' }, sessionTimeout: c.sessionTimeout, tick: c.tick }));
  });
  nodes.push(nodeSpec(RESOURCE, 'resource', () => new FencedResource<ZkMessage>(c.fencing)));
  clientIds(c).forEach((id, i) => {
    const o = {
      servers,
      resource: RESOURCE,
      sessionTimeout: c.sessionTimeout,
      requestTimeout: c.requestTimeout,
      writes: c.writes,
      work: c.work,
      think: c.think,
      margin: c.margin,
      startAfter: i * c.stagger,
      ...c.bugs,
    };
    nodes.push(nodeSpec(id, 'client', () => new ZkLockClient(o)));
  });
  return nodes;
}

/**
 * The lock's checkers and Raft's own (Figure 3 safety, leader liveness; not `ops-complete`: an
 * acquire rightly waits its turn in the queue, lock-progress judges that).
 */
export function zookeeperCheckers(c: ZookeeperConfig): Checker[] {
  const servers = serverIds(c);
  const raft = raftProtocolCheckers(zkRaftConfig(c)).filter((k) => k.name !== 'ops-complete');
  return [mutualExclusionChecker(RESOURCE), lockOrderChecker(servers, clientIds(c)), noHerdChecker(servers), lockProgressChecker(clientIds(c), progressGrace(c)), ...raft];
}

export const zookeeper = defineProtocol({
  name: 'zookeeper',
  description: 'ZooKeeper-style coordination (sessions, ephemeral sequential znodes, one-shot watches) and its lock recipe, fenced by sequence numbers',
  configSchema: zookeeperConfig,
  fuzzWorkload: zkFuzzWorkload,
  ...zkTargets,
  abstractState: zkAbstractState,
  build(config) {
    return { nodes: zookeeperNodes(config), checkers: zookeeperCheckers(config) };
  },
});

declare module '../../api/protocol.ts' {
  interface ProtocolConfigMap {
    zookeeper: z.input<typeof zookeeperConfig>;
  }
}
