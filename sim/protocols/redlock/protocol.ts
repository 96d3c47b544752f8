// Redis locks and Redlock as one protocol: N Redis-like masters (m1..mN; one
// master is the single-instance Redis lock of redis.io's "Distributed Locks with
// Redis", several are Redlock, the same page's multi-master algorithm, whose
// client degenerates to the single-instance recipe when N = 1: a majority of one),
// K clients (c1..cK) taking the lock and writing to a protected resource (r1).
// One protocol rather than two because the master, the client and every checker
// are the same; `masters: 1` selects the single-instance lock. Planted bugs (all
// off) are the four mistakes the Redis docs and Kleppmann's critique warn about.

import { z } from 'zod';
import { durationText } from '../../api/durations.ts';
import { defineProtocol, duration, nodeSpec, positiveDuration, WHEN_VALID, type NodeSpec } from '../../api/index.ts';
import { leaseBoundedChecker, mutualExclusionChecker, tokenOrderChecker } from './checkers.ts';
import { DRIFT_CONSTANT, RedlockClient } from './client.ts';
import { redlockAbstractState } from './coverage.ts';
import { redlockFuzzWorkload } from './fuzz-workload.ts';
import { RedisMaster } from './master.ts';
import { FencedResource } from '../../api/fenced-resource.ts';
import type { RedlockMessage } from './messages.ts';
import { redlockTargets } from './targets.ts';

export const RESOURCE = 'r1';

const bugsSchema = z
  .object({
    /** Client: release with a plain DEL, so a client whose lease ran out deletes the next holder's key. */
    plainDelete: z.boolean().default(false),
    /** Client: SET NX without PX, then PEXPIRE as a second command: a key whose PEXPIRE is lost (or whose client dies in between) never expires. */
    setThenExpire: z.boolean().default(false),
    /** Client: validity = ttl - drift, ignoring the time the acquisition took (a slow or paused round). */
    ignoreElapsed: z.boolean().default(false),
    /** Master: serve at once after a restart, with every key forgotten (no delay of a ttl). */
    noRestartDelay: z.boolean().default(false),
  })
  .strict();

export const redlockConfig = z
  .object({
    /** Independent Redis masters: 1 is the single-instance lock, 5 is Redlock's usual deployment. */
    masters: z.number().int().min(1).max(9).default(5),
    clients: z.number().int().min(1).max(16).default(2),
    /** Lock time to live (PX). */
    ttl: positiveDuration.default(300_000),
    /** How long a client waits for the masters' replies before deciding (Redis docs: small against the ttl). */
    requestTimeout: positiveDuration.default(20_000),
    /** Redlock's clock drift factor: the allowance is ttl * driftFactor + 2 ms. */
    driftFactor: z.number().min(0).max(0.5).default(0.01),
    /** A client that failed to acquire retries after a random delay up to this. */
    retryDelay: positiveDuration.default(50_000),
    /** Writes to the resource per critical section. */
    writes: z.number().int().min(1).max(1000).default(3),
    /** Work before each write (between the lease check and the write it leads to). */
    work: duration.default(20_000),
    /** Up to this long idle between critical sections (uniform). */
    think: duration.default(30_000),
    /** A write must leave at least this long before the lease's deadline (the network's one-way bound). */
    margin: duration.default(10_000),
    /** Retransmission timeout of a write. */
    retry: positiveDuration.default(30_000),
    /** Client i (from 0) starts after i * stagger. */
    stagger: duration.default(0),
    /** Critical sections per client (0 = as many as fit). */
    cycles: z.number().int().min(0).default(0),
    /** Clients send the highest per-master SET count of their majority as a fencing token, and the resource fences. */
    fencing: z.boolean().default(false),
    bugs: bugsSchema.default({ plainDelete: false, setThenExpire: false, ignoreElapsed: false, noRestartDelay: false }),
  })
  .strict()
  .superRefine((c, ctx) => {
    // Step 3 of the Redis page: validity = ttl - elapsed - drift, with drift = ttl * driftFactor + 2 ms and
    // elapsed at least one request. If that can never be positive no client ever holds the lock, and a run
    // would pass vacuously: a config mistake, said here.
    const drift = Math.floor(c.ttl * c.driftFactor) + DRIFT_CONSTANT;
    if (c.requestTimeout >= c.ttl - drift) ctx.addIssue({ code: 'custom', path: ['requestTimeout'], message: `requestTimeout must be shorter than ttl minus the clock drift allowance (ttl * driftFactor + 2ms = ${durationText(drift)}, leaving ${durationText(Math.max(0, c.ttl - drift))}; requestTimeout is ${durationText(c.requestTimeout)}, ttl ${durationText(c.ttl)}): the validity time would never be positive` });
    if (c.margin >= c.ttl) ctx.addIssue({ code: 'custom', path: ['margin'], message: `margin ${durationText(c.margin)} must be shorter than ttl ${durationText(c.ttl)}` });
  }, WHEN_VALID);

export type RedlockConfig = z.output<typeof redlockConfig>;

export const masterIds = (c: RedlockConfig): string[] => Array.from({ length: c.masters }, (_, i) => `m${i + 1}`);
export const clientIds = (c: RedlockConfig): string[] => Array.from({ length: c.clients }, (_, i) => `c${i + 1}`);

/** The documented mitigation: a restarted master stays away for at least a ttl (plus the drift allowance, its own clock may be fast). */
export function restartDelay(c: RedlockConfig): number {
  return c.ttl + Math.floor(c.ttl * c.driftFactor) + DRIFT_CONSTANT;
}

export function redlockNodes(c: RedlockConfig): NodeSpec[] {
  const masters = masterIds(c);
  const nodes: NodeSpec[] = masters.map((id) => nodeSpec(id, 'server', () => new RedisMaster({ restartDelay: c.bugs.noRestartDelay ? 0 : restartDelay(c), maxKeys: 1 /* LOCK_KEY, the one key clients set */ })));
  nodes.push(nodeSpec(RESOURCE, 'resource', () => new FencedResource<RedlockMessage>(c.fencing)));
  clientIds(c).forEach((id, i) => {
    const o = {
      masters,
      resource: RESOURCE,
      ttl: c.ttl,
      requestTimeout: c.requestTimeout,
      driftFactor: c.driftFactor,
      retryDelay: c.retryDelay,
      writes: c.writes,
      work: c.work,
      think: c.think,
      margin: c.margin,
      retry: c.retry,
      startAfter: i * c.stagger,
      cycles: c.cycles,
      fencing: c.fencing,
      plainDelete: c.bugs.plainDelete,
      setThenExpire: c.bugs.setThenExpire,
      ignoreElapsed: c.bugs.ignoreElapsed,
    };
    nodes.push(nodeSpec(id, 'client', () => new RedlockClient(o)));
  });
  return nodes;
}

export const redlock = defineProtocol({
  name: 'redlock',
  description: 'Redis lock (one master) and Redlock (N masters): SET NX PX, compare-and-delete, validity time, restart delay; a protected resource',
  configSchema: redlockConfig,
  fuzzWorkload: redlockFuzzWorkload,
  ...redlockTargets,
  abstractState: redlockAbstractState,
  build(config) {
    return {
      nodes: redlockNodes(config),
      checkers: [mutualExclusionChecker(RESOURCE), leaseBoundedChecker(masterIds(config), config.ttl), tokenOrderChecker(clientIds(config))],
    };
  },
});

declare module '../../api/protocol.ts' {
  interface ProtocolConfigMap {
    redlock: z.input<typeof redlockConfig>;
  }
}
