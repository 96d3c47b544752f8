// Raft (Ongaro and Ousterhout 2014) with a replicated key-value store or the
// replicated lock table, as a Faultline protocol: config schema, nodes
// (servers n1..nN, closed-loop clients c1..cM) and checkers.

import { z } from 'zod';
import { MS, SECOND, atOrFail, nodeSpec, type Checker, type NodeId, type NodeSpec, type RecoveryRelation } from '../../api/index.ts';
import { kvModel, linearizableChecker, lockModel } from '../../check/linearizability/index.ts';
import { defineProtocol } from '../../api/protocol.ts';
import { WHEN_VALID, duration, durationText, positiveDuration } from '../../api/durations.ts';
import { raftRules } from './rules.ts';
import { raftQuorumRules } from './rules-quorum.ts';
import { rpcAnswered } from './rules-rpc.ts';
import { RpcInFlight } from './rpc-in-flight.ts';
import { raftReplyRules, replicatedStateAgreement, snapshotFidelity } from './rules-state.ts';
import { raftTermRules } from './rules-term.ts';
import { ServerProbe, electionSafety, leaderAppendOnly, leaderCompleteness, leaderElected, logMatching, operationsComplete, quorumElectsLeader, stateMachineSafety } from './checkers.ts';
import { kvWorkload, lockWorkload, raftClientNodes } from './client.ts';
import type { RaftOptions } from './node.ts';
import { RaftServer, type ServerOptions } from './server.ts';
import { kvService } from './kv.ts';
import { lockService } from './lock-service.ts';
import type { ServiceKind, StateMachineDefinition } from './machine.ts';
import { raftFuzzWorkload } from './fuzz-workload.ts';
import { raftFuzzWorkloadBase } from './fuzz-workload-base.ts';
import { raftTargets } from './targets.ts';
import { raftAbstractState } from './coverage.ts';

const span = (min: string, max: string) =>
  z
    .object({ min: duration, max: duration })
    .strict()
    .superRefine((s, ctx) => {
      if (s.max < s.min) ctx.addIssue({ code: 'custom', path: ['max'], message: `max ${durationText(s.max)} must be >= min ${durationText(s.min)}` });
    })
    .prefault({ min, max });

/** A log preloaded on a server's disk before it starts, as the terms of its entries (Figure 7 and 8 set-ups). */
const preloadSchema = z
  .object({
    term: z.number().int().min(0).default(0),
    votedFor: z.string().nullable().default(null),
    log: z.array(z.number().int().min(1)).default([]),
  })
  .strict()
  .refine((p) => p.log.every((t, i) => i === 0 || t >= atOrFail(p.log, i - 1, 'log')), { message: 'log terms must not decrease', path: ['log'], ...WHEN_VALID })
  .refine((p) => p.log.length === 0 || p.term >= atOrFail(p.log, p.log.length - 1, 'log'), { message: 'term must be >= the last log term', path: ['term'], ...WHEN_VALID });

export const raftConfig = z
  .object({
    servers: z.number().int().min(1).max(9).default(3),
    clients: z.number().int().min(0).max(32).default(2),
    service: z.enum(['kv', 'lock']).default('kv'),
    electionTimeout: span('150ms', '300ms'),
    /** Per-server election timeouts (to script who times out first in a scenario). */
    electionTimeoutOf: z.record(z.string(), span('150ms', '300ms')).default({}),
    /** Leader heartbeat interval (> 0; every election timeout must be longer). */
    heartbeat: positiveDuration.default(50 * MS),
    preVote: z.boolean().default(false),
    checkQuorum: z.boolean().default(true),
    maxBatch: z.number().int().min(1).default(64),
    /** Snapshot once this many applied entries are outside the snapshot (0: never). */
    snapshotEvery: z.number().int().min(0).default(0),
    reads: z.enum(['log', 'readindex']).default('log'),
    client: z
      .object({
        thinkTime: duration.default(10 * MS),
        requestTimeout: positiveDuration.default(400 * MS),
        backoff: duration.default(20 * MS),
        /** Stop issuing operations at this (client-local) time; 0: never. */
        stopAt: duration.default(0),
        /** Operations per client; 0: unlimited. */
        maxOps: z.number().int().min(0).default(0),
        keys: z.number().int().min(1).default(10),
        mix: z
          .object({ get: z.number().min(0).default(1), put: z.number().min(0).default(1), append: z.number().min(0).default(1), cas: z.number().min(0).default(1) })
          .strict()
          .default({ get: 1, put: 1, append: 1, cas: 1 }),
      })
      .strict()
      .prefault({}),
    lock: z.object({ name: z.string().min(1).default('L'), ttl: positiveDuration.default(30 * SECOND) }).strict().prefault({}),
    preload: z.record(z.string(), preloadSchema).default({}),
    /** Liveness bound after the quiesce point, in maximum election timeouts. */
    livenessTimeouts: z.number().int().min(1).default(10),
    bugs: z
      .object({
        voteWithoutUpToDateCheck: z.boolean().default(false),
        commitPreviousTermByCounting: z.boolean().default(false),
        notPersistingVotedFor: z.boolean().default(false),
        applyBeforeCommit: z.boolean().default(false),
        noTruncateOnConflict: z.boolean().default(false),
        leaderReadsWithoutQuorum: z.boolean().default(false),
        leaderTruncatesOnConflict: z.boolean().default(false),
        candidateNeverRetries: z.boolean().default(false),
        ignoreAnsweredRetries: z.boolean().default(false),
        preVoteDropsLowerTerm: z.boolean().default(false),
        truncateOnMatchingAppend: z.boolean().default(false),
        notPersistingTerm: z.boolean().default(false),
        electionQuorumOffByOne: z.boolean().default(false),
        staleAppendReplyCounted: z.boolean().default(false),
        installDropsSessions: z.boolean().default(false),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .superRefine((c, ctx) => {
    // Every precondition RaftNode's constructor asserts is a rule here too, so a config
    // mistake is bad input (exit 2), never an "assertion" violation.
    const servers = Array.from({ length: c.servers }, (_, i) => `n${i + 1}`);
    const unknown = (id: string): string => `no server "${id}"; this cluster has ${servers.join(', ')} (servers: ${c.servers})`;
    const longerThanHeartbeat = (t: { min: number }, path: PropertyKey[]): void => {
      if (t.min <= c.heartbeat) ctx.addIssue({ code: 'custom', path, message: `the election timeout (min ${durationText(t.min)}) must be longer than the heartbeat (${durationText(c.heartbeat)})` });
    };
    longerThanHeartbeat(c.electionTimeout, ['electionTimeout', 'min']);
    const mix = c.client.mix;
    if (c.service === 'kv' && c.clients > 0 && mix.get + mix.put + mix.append + mix.cas === 0) {
      ctx.addIssue({ code: 'custom', path: ['client', 'mix'], message: 'expected at least one operation with a positive weight (get, put, append or cas)' });
    }
    for (const [id, t] of Object.entries(c.electionTimeoutOf)) {
      if (!servers.includes(id)) ctx.addIssue({ code: 'custom', path: ['electionTimeoutOf', id], message: unknown(id) });
      else longerThanHeartbeat(t, ['electionTimeoutOf', id, 'min']);
    }
    for (const [id, p] of Object.entries(c.preload)) {
      if (!servers.includes(id)) ctx.addIssue({ code: 'custom', path: ['preload', id], message: unknown(id) });
      else if (p.votedFor !== null && !servers.includes(p.votedFor)) ctx.addIssue({ code: 'custom', path: ['preload', id, 'votedFor'], message: unknown(p.votedFor) });
    }
  }, WHEN_VALID);

export type RaftConfig = z.output<typeof raftConfig>;

/** The built-in state machines, by `service`. */
export const SERVICES: Record<ServiceKind, StateMachineDefinition> = { kv: kvService, lock: lockService };

/** Server ids n1..nN of a config. */
export function raftServerIds(config: Pick<RaftConfig, 'servers'>): NodeId[] {
  return Array.from({ length: config.servers }, (_, i) => `n${i + 1}`);
}

/**
 * The Raft server node specs (n1..nN, role `server`) of a parsed config, replicating `machine`: the
 * built-in KV store or lock table (`SERVICES[config.service]`), or another protocol's own state
 * machine run on this Raft (it then adds its own clients and checkers; `raftCheckers` gives Raft's).
 */
export function raftServerNodes(config: RaftConfig, machine: StateMachineDefinition): NodeSpec[] {
  const servers = raftServerIds(config);
  return servers.map((id) => {
    const t = config.electionTimeoutOf[id] ?? config.electionTimeout;
    const raft: RaftOptions = {
      id,
      servers,
      electionTimeoutMin: t.min,
      electionTimeoutMax: t.max,
      heartbeat: config.heartbeat,
      preVote: config.preVote,
      checkQuorum: config.checkQuorum,
      maxBatch: config.maxBatch,
      bugs: config.bugs,
    };
    const preload = config.preload[id];
    const opts: ServerOptions = { raft, machine, snapshotEvery: config.snapshotEvery, reads: config.reads, ...(preload ? { preload } : {}) };
    return nodeSpec(id, 'server', () => new RaftServer(opts));
  });
}

/** Every node of a raft scenario: the servers with the configured service, and the clients c1..cM. */
export function raftNodes(config: RaftConfig): NodeSpec[] {
  const servers = raftServerIds(config);
  const nodes = raftServerNodes(config, SERVICES[config.service]);
  const c = config.client;
  nodes.push(
    ...raftClientNodes(config.clients, { servers, thinkTime: c.thinkTime, requestTimeout: c.requestTimeout, backoff: c.backoff, stopAt: c.stopAt }, () =>
      config.service === 'kv' ? kvWorkload(c.keys, c.mix, c.maxOps) : lockWorkload(config.lock.name, config.lock.ttl),
    ),
  );
  return nodes;
}

/**
 * Raft's own checkers (Figure 3 safety after every event, liveness while faults last and after the
 * quiesce point, client operations completing), for any replicated state machine; a protocol running
 * its own machine on Raft adds its history checker (e.g. `linearizableChecker(itsModel)`).
 */
export function raftProtocolCheckers(config: RaftConfig): Checker[] {
  const servers = raftServerIds(config);
  let maxTimeout = config.electionTimeout.max;
  for (const t of Object.values(config.electionTimeoutOf)) maxTimeout = Math.max(maxTimeout, t.max);
  const bound = config.livenessTimeouts * maxTimeout;
  const probe = new ServerProbe(servers);
  // The Raft RPCs in flight, read once per message for the four rules that follow messages.
  const inFlight = new RpcInFlight();
  // Step rules first: the engine reports one violation per step, the first checker in this list that
  // fails, and a wrong step (the cause) that also breaks a Figure 3 property at once is reported as the step.
  return [
    ...raftRules(probe),
    ...raftReplyRules(inFlight),
    ...raftTermRules(inFlight),
    ...raftQuorumRules(probe),
    rpcAnswered(inFlight),
    electionSafety(probe),
    leaderAppendOnly(probe),
    logMatching(probe),
    leaderCompleteness(probe),
    stateMachineSafety(probe),
    replicatedStateAgreement(probe), // after State Machine Safety: the same damage seen in the log is reported as that
    snapshotFidelity(),
    leaderElected(probe, bound, config.livenessTimeouts),
    quorumElectsLeader(probe, bound, config.livenessTimeouts),
    operationsComplete(bound + 2 * config.client.requestTimeout),
  ];
}

/** Every checker of a raft scenario: Raft's own plus linearizability of the KV store or the lock table. */
export function raftCheckers(config: RaftConfig): Checker[] {
  return [...raftProtocolCheckers(config), config.service === 'kv' ? linearizableChecker(kvModel) : linearizableChecker(lockModel)];
}

/**
 * Raft's durability rule, for the recovery oracle (sim/api/recovery.ts). Figure 2, "Persistent state on
 * all servers (updated on stable storage before responding to RPCs)": currentTerm, votedFor, log[]; and
 * section 7 / Figure 13: the snapshot (last included index and term) replaces the log prefix on stable
 * storage. So after any step in which a server sent something, a server restarted from its durable
 * records alone publishes the same term, vote, snapshot point and log (its last index and the published
 * window of the last entries, commands included) as the live one. commitIndex, lastApplied and the
 * role are volatile: not compared.
 */
export const raftRecovery: RecoveryRelation = {
  roles: ['server'],
  fields: ['term', 'votedFor', 'snapshotIndex', 'snapshotTerm', 'lastIndex', 'logStart', 'log'],
};

export const raft = defineProtocol({
  isolation: 'freeze', // never changes what it sent, received or published (checked by its tests under freezing)
  name: 'raft',
  description: 'Raft consensus with a replicated key-value store or lock service (Ongaro and Ousterhout 2014)',
  fuzzWorkload: raftFuzzWorkload,
  fuzzWorkloadBase: raftFuzzWorkloadBase,
  ...raftTargets,
  abstractState: raftAbstractState,
  configSchema: raftConfig,
  build(config) {
    return { nodes: raftNodes(config), checkers: raftCheckers(config) };
  },
  recovery: raftRecovery,
});

declare module '../../api/protocol.ts' {
  interface ProtocolConfigMap {
    raft: z.input<typeof raftConfig>;
  }
}
