// The ring cluster as a scenario protocol: storage nodes n1..nK (role
// "server"; the first `servers` form the initial ring, the rest are spares
// that may join), a membership coordinator "cm" (role "coordinator") that
// applies the planned joins and leaves, and clients c1..cM (role "client")
// running a Jepsen-style set workload. Crashes and returns come from the
// scenario's fault timeline or the nemesis, like any other fault.

import { z } from 'zod';
import { WHEN_VALID, defineProtocol, duration, nodeSpec, positiveDuration, type NodeSpec } from '../../api/index.ts';
import { ringCheckers } from './checkers.ts';
import { RingClient } from './client.ts';
import { Coordinator, type MembershipChange } from './coordinator.ts';
import type { RingView } from './messages.ts';
import { Placement } from './placement.ts';
import { MAX_POINTS_PER_MEMBER, pointCounts, type Member } from './ring.ts';
import { StorageNode } from './server.ts';
import { ringFuzzWorkload } from './fuzz-workload.ts';
import { ringTargets } from './targets.ts';
import { ringAbstractState } from './coverage.ts';

const change = z.union([
  z.object({ at: duration, join: z.string().min(1), weight: z.number().positive().max(1e9).optional() }).strict(),
  z.object({ at: duration, leave: z.string().min(1) }).strict(),
]);

export const ringConfig = z
  .object({
    /** Storage nodes in the initial ring. */
    servers: z.number().int().min(1).max(64).default(5),
    /** Storage nodes outside the initial ring, free to join (ids follow the members'). */
    spares: z.number().int().min(0).max(32).default(1),
    clients: z.number().int().min(0).max(32).default(3),
    /** Replication factor N: a key lives on the first N distinct members clockwise from it. */
    replicas: z.number().int().min(1).max(8).default(3),
    /** W: copies a write needs before it is acknowledged (default N); reads then union R = N - W + 1 copies. */
    writeQuorum: z.number().int().min(1).optional(),
    mode: z.enum(['native', 'ketama']).default('native'),
    /** native: points per member. */
    vnodes: z.number().int().min(1).max(1024).default(160),
    /** Key space k0..k(keys-1); every key starts with one element, init:<key>. */
    keys: z.number().int().min(1).max(100_000).default(100),
    readRatio: z.number().min(0).max(1).default(0.5),
    thinkTime: duration.default(5000),
    requestTimeout: positiveDuration.default(50_000),
    retryDelay: duration.default(10_000),
    maxAttempts: z.number().int().min(1).max(1000).default(20),
    /** Re-send period of unacknowledged ring updates, hand-offs and done reports. */
    retransmit: positiveDuration.default(25_000),
    handoffBatch: z.number().int().min(1).max(10_000).default(32),
    /** Clients stop starting operations this long before the end, so the last ones can finish. */
    drain: duration.default(500_000),
    /** Membership changes, applied one at a time in this order (a change waits for the previous one to settle). */
    changes: z.array(change).default([]),
    bugs: z
      .object({
        /** A leaving node deletes its keys without handing them off (caught by acked-adds-durable when N = 1). */
        dropKeysOnLeave: z.boolean().default(false),
        /** New owners serve reads before the old owners handed the key off (caught by reads-see-acked-adds). */
        serveBeforeHandoff: z.boolean().default(false),
        /** Servers answer requests routed by an older ring instead of redirecting: clients route with a stale ring forever (caught by reads-see-acked-adds). */
        staleRouting: z.boolean().default(false),
        /** Old owners keep the keys they handed off (caught by placement). */
        keepHandedOffKeys: z.boolean().default(false),
        /** Servers never report their hand-off done, so no change settles (caught by migration-settles). */
        neverReportDone: z.boolean().default(false),
        /** Reads use one copy even when W < N (caught by reads-see-acked-adds with W = 1). */
        readOneCopy: z.boolean().default(false),
      })
      .strict()
      .default({ dropKeysOnLeave: false, serveBeforeHandoff: false, staleRouting: false, keepHandedOffKeys: false, neverReportDone: false, readOneCopy: false }),
  })
  .strict()
  .superRefine((c, ctx) => {
    // A preference list is N distinct members (Dynamo, DeCandia et al. 2007, section 4.3): the initial ring must have them.
    if (c.replicas > c.servers) ctx.addIssue({ code: 'custom', path: ['replicas'], message: `expected at most servers (${c.servers}) replicas: a key lives on N distinct members of the ring, got ${c.replicas}` });
    if (c.writeQuorum !== undefined && c.writeQuorum > c.replicas) ctx.addIssue({ code: 'custom', path: ['writeQuorum'], message: `expected at most replicas (${c.replicas}) copies, got ${c.writeQuorum}` });
    // Replay the plan to check every join and leave names a node that can make it.
    const all = Array.from({ length: c.servers + c.spares }, (_, i) => `n${i + 1}`);
    const members = new Set(all.slice(0, c.servers));
    // The ring as it stands after each change, with weights, to check every member gets points.
    let ring: Member[] = all.slice(0, c.servers).map((id) => ({ id, weight: 1 }));
    c.changes.forEach((ch, i) => {
      if ('join' in ch) {
        if (!all.includes(ch.join)) ctx.addIssue({ code: 'custom', path: ['changes', i, 'join'], message: `no storage node "${ch.join}"; this cluster has ${all.join(', ')} (add spares to have more)` });
        else if (members.has(ch.join)) ctx.addIssue({ code: 'custom', path: ['changes', i, 'join'], message: `"${ch.join}" is already a member of the ring at this point` });
        members.add(ch.join);
        ring = [...ring.filter((m) => m.id !== ch.join), { id: ch.join, weight: ch.weight ?? 1 }];
      } else {
        if (!members.has(ch.leave)) ctx.addIssue({ code: 'custom', path: ['changes', i, 'leave'], message: `"${ch.leave}" is not a member of the ring at this point` });
        else if (members.size <= 1) ctx.addIssue({ code: 'custom', path: ['changes', i, 'leave'], message: 'the last member cannot leave' });
        members.delete(ch.leave);
        ring = ring.filter((m) => m.id !== ch.leave);
      }
      const prev = c.changes[i - 1];
      if (prev && prev.at > ch.at) ctx.addIssue({ code: 'custom', path: ['changes', i, 'at'], message: 'changes must be in time order' });
      // HashRing's preconditions (a preference list needs N members with points; native points are bounded).
      const where = ['changes', i, 'join' in ch ? 'weight' : 'leave'];
      if (c.mode === 'native' && 'join' in ch && Math.round(c.vnodes * (ch.weight ?? 1)) > MAX_POINTS_PER_MEMBER) {
        ctx.addIssue({ code: 'custom', path: where, message: `weight ${ch.weight} gives ${Math.round(c.vnodes * (ch.weight ?? 1))} points (vnodes x weight); at most ${MAX_POINTS_PER_MEMBER} per member` });
      }
      if (c.mode === 'ketama') {
        const points = pointCounts(ring, 'ketama');
        const total = ring.reduce((s, m) => s + m.weight, 0);
        const empty = ring.filter((_, k) => points[k] === 0);
        const e = empty[0];
        if (e !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: where,
            message: `after this change ${empty.map((m) => m.id).join(', ')} ${empty.length === 1 ? 'gets' : 'get'} no points on the ketama continuum (${e.id}: floor(${e.weight} / ${total} x 40 x ${ring.length}) = 0 digests), so the ring cannot place its replicas; keep every weight above total / (40 x members)`,
          });
        }
      }
    });
  }, WHEN_VALID);

export type RingConfig = z.output<typeof ringConfig>;

export const COORDINATOR = 'cm';

export const ring = defineProtocol({
  isolation: 'freeze', // never changes what it sent, received or published (checked by its tests under freezing)
  name: 'ring',
  description: 'Sharded key-value cluster on a consistent hash ring: joins, leaves and crashes move keys over the network',
  fuzzWorkload: ringFuzzWorkload,
  // No fuzzWorkloadBase: ring's workload has no window-opening knobs (issue 11 item 3 added none), so `random` draws it as it is.
  ...ringTargets,
  abstractState: ringAbstractState,
  configSchema: ringConfig,
  build(config, ctx) {
    const serverIds = Array.from({ length: config.servers + config.spares }, (_, i) => `n${i + 1}`);
    const initial: RingView = { version: 1, members: serverIds.slice(0, config.servers).map((id) => ({ id, weight: 1 })) };
    const placement = new Placement({ mode: config.mode, vnodes: config.vnodes, replicas: config.replicas });
    const preload = Array.from({ length: config.keys }, (_, i) => `k${i}`);
    const changes = config.changes as MembershipChange[];
    const writeQuorum = config.writeQuorum ?? config.replicas;
    const nodes: NodeSpec[] = [
      ...serverIds.map((id) =>
        nodeSpec(id, 'server', () =>
          new StorageNode({ placement, writeQuorum, initial, preload, coordinator: COORDINATOR, retransmit: config.retransmit, handoffBatch: config.handoffBatch, bugs: config.bugs }),
        ),
      ),
      nodeSpec(COORDINATOR, 'coordinator', () => new Coordinator({ initial, servers: serverIds, changes, retransmit: config.retransmit })),
      ...Array.from({ length: config.clients }, (_, i) =>
        nodeSpec(`c${i + 1}`, 'client', () =>
          new RingClient({
            placement,
            initial,
            keys: preload,
            readRatio: config.readRatio,
            thinkTime: config.thinkTime,
            requestTimeout: config.requestTimeout,
            retryDelay: config.retryDelay,
            maxAttempts: config.maxAttempts,
            until: Math.max(0, ctx.duration - config.drain),
          }),
        ),
      ),
    ];
    return { nodes, checkers: ringCheckers({ placement, writeQuorum, servers: serverIds, coordinator: COORDINATOR, preload, plannedChanges: changes.length }) };
  },
});

declare module '../../api/protocol.ts' {
  interface ProtocolConfigMap {
    ring: z.input<typeof ringConfig>;
  }
}
