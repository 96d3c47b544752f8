// A ZooKeeper-style coordination service and its lock recipe as a scenario
// protocol: one server (zk1) holding the data tree (tree.ts) with sessions,
// ephemeral sequential znodes and one-shot watches; clients (c1..cN) running the
// lock recipe; a protected resource (r1), fenced by the znode's sequence number.
// Planted bugs (all off) are the recipe mistakes the issue names.

import { z } from 'zod';
import { defineProtocol, duration, nodeSpec, positiveDuration, WHEN_VALID, type NodeSpec } from '../../api/index.ts';
import { lockOrderChecker, lockProgressChecker, mutualExclusionChecker, noHerdChecker } from './checkers.ts';
import { ZkLockClient } from './client.ts';
import { zkAbstractState } from './coverage.ts';
import { zkFuzzWorkload } from './fuzz-workload.ts';
import { FencedResource } from '../../api/fenced-resource.ts';
import type { ZkMessage } from './messages.ts';
import { ZkServer } from './server.ts';
import { zkTargets } from './targets.ts';

export const SERVER = 'zk1';
export const RESOURCE = 'r1';

export const zookeeperConfig = z
  .object({
    clients: z.number().int().min(1).max(16).default(3),
    /** Session timeout: the server expires a session silent this long; pings go every third of it. */
    sessionTimeout: positiveDuration.default(300_000),
    /** How often the server looks for expired sessions. */
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
  .superRefine((c, ctx) => {
    if (c.margin + c.work >= c.sessionTimeout) ctx.addIssue({ code: 'custom', path: ['margin'], message: 'margin + work must be shorter than sessionTimeout (no write would ever fit in a session)' });
    if (c.sessionTimeout < 3) ctx.addIssue({ code: 'custom', path: ['sessionTimeout'], message: 'sessionTimeout must be at least 3 µs (pings go every third of it)' });
  }, WHEN_VALID);

export type ZookeeperConfig = z.output<typeof zookeeperConfig>;

export const clientIds = (c: ZookeeperConfig): string[] => Array.from({ length: c.clients }, (_, i) => `c${i + 1}`);

/** Fault-free time in which every client gets the lock: stale sessions expire, then each holder takes its turn. */
export function progressGrace(c: ZookeeperConfig): number {
  return 3 * c.sessionTimeout + c.clients * (c.writes * (c.work + 2 * c.requestTimeout) + c.think + 6 * c.requestTimeout);
}

export function zookeeperNodes(c: ZookeeperConfig): NodeSpec[] {
  const nodes: NodeSpec[] = [
    nodeSpec(SERVER, 'server', () => new ZkServer({ sessionTimeout: c.sessionTimeout, tick: c.tick })),
    nodeSpec(RESOURCE, 'resource', () => new FencedResource<ZkMessage>(c.fencing)),
  ];
  clientIds(c).forEach((id, i) => {
    const o = {
      server: SERVER,
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

export const zookeeper = defineProtocol({
  name: 'zookeeper',
  description: 'ZooKeeper-style coordination (sessions, ephemeral sequential znodes, one-shot watches) and its lock recipe, fenced by sequence numbers',
  configSchema: zookeeperConfig,
  fuzzWorkload: zkFuzzWorkload,
  ...zkTargets,
  abstractState: zkAbstractState,
  build(config) {
    return {
      nodes: zookeeperNodes(config),
      checkers: [mutualExclusionChecker(RESOURCE), lockOrderChecker(SERVER, clientIds(config)), noHerdChecker(SERVER), lockProgressChecker(clientIds(config), progressGrace(config))],
    };
  },
});

declare module '../../api/protocol.ts' {
  interface ProtocolConfigMap {
    zookeeper: z.input<typeof zookeeperConfig>;
  }
}
