// Two-phase commit across shards: the protocol definition a scenario names
// ("twopc"). Nodes: the coordinator `co` and participants `p1..pN` (role
// server: the nemesis hits them), clients `c1..cK` running transfers.

import type { z } from 'zod';
import { defineProtocol, MS, nodeSpec, type JsonValue, type NodeSpec, type RecoveryMismatch, type RecoveryRelation } from '../../api/index.ts';
import type { CoordinatorState, ParticipantState } from './state.ts';
import { accountsOf, COORDINATOR, participantId } from './accounts.ts';
import { cooperativeBound, twopcCheckers } from './checkers.ts';
import { twopcRules } from './rules.ts';
import { twopcIsolationRules } from './rules-isolation.ts';
import { ClientNode } from './client.ts';
import { twopcConfig, type TwoPcConfig } from './config.ts';
import { Coordinator } from './coordinator.ts';
import { Participant } from './participant.ts';
import { twopcFuzzWorkload } from './fuzz-workload.ts';
import { twopcFuzzWorkloadBase } from './fuzz-workload-base.ts';
import { twopcTargets } from './targets.ts';
import { twopcAbstractState } from './coverage.ts';

/** How long the planted commitBeforeLog bug leaves a commit record unsynced (a lazy group commit). */
export const LAZY_FLUSH = 20 * MS;

export function twopcNodes(c: TwoPcConfig): NodeSpec[] {
  const nodes: NodeSpec[] = [
    nodeSpec(COORDINATOR, 'server', () =>
      new Coordinator({ accountsPerShard: c.accountsPerShard, voteTimeout: c.voteTimeout, retryInterval: c.retryInterval, resendInterval: c.resendInterval, lazyFlush: LAZY_FLUSH, maxOpen: c.maxOpenTransactions, clients: c.clients, bugs: c.bugs }),
    ),
  ];
  for (let s = 0; s < c.participants; s++) {
    const accounts = accountsOf(s, c.accountsPerShard);
    nodes.push(
      nodeSpec(participantId(s), 'server', () =>
        new Participant({
          accounts,
          initialBalance: c.initialBalance,
          workTimeout: c.workTimeout,
          queryInterval: c.queryInterval,
          cooperative: c.cooperative,
          cooperativeAfter: c.cooperativeAfter,
          bugs: c.bugs,
        }),
      ),
    );
  }
  for (let i = 1; i <= c.clients; i++) {
    nodes.push(
      nodeSpec(`c${i}`, 'client', () =>
        new ClientNode({
          accounts: c.participants * c.accountsPerShard,
          accountsPerShard: c.accountsPerShard,
          amount: c.amount,
          transfers: c.transfers,
          think: c.think,
          timeout: c.clientTimeout,
        }),
      ),
    );
  }
  return nodes;
}

/**
 * Two-phase commit's durability rule (presumed abort, Mohan, Lindsay & Obermarck 1986), for the recovery
 * oracle (sim/api/recovery.ts). Participant (participant.ts): "prepared and committed records are forced
 * (fsync) before the participant tells anyone"; an abort learned from others is not forced ("no record"
 * already means abort), and committed balances are written with the commit record. Coordinator
 * (coordinator.ts): "the commit record is forced before anyone hears of the decision; abort and end
 * records are written lazily". So after a step in which a node sent something, a node recovered from its
 * durable records alone:
 * - participant: has the same committed balance; holds every transaction the live one holds prepared
 *   as prepared, and every one it holds committed as committed (when both publish it); never holds one
 *   the live one aborted as committed;
 * - coordinator: holds every transaction the live one is committing as committing, and none the live
 *   one is preparing or aborting as committing.
 * A working transaction, an abort and an end record are volatile by design: not compared.
 */
export const twopcRecovery: RecoveryRelation = {
  roles: ['server'],
  fields: [],
  agree(live: JsonValue, recovered: JsonValue): RecoveryMismatch | undefined {
    if (typeof live !== 'object' || live === null || Array.isArray(live) || typeof recovered !== 'object' || recovered === null || Array.isArray(recovered)) return undefined;
    if ('inDoubt' in live) {
      const l = live as unknown as ParticipantState;
      const r = recovered as unknown as ParticipantState;
      if (l.balance !== r.balance) return { field: 'balance', live: l.balance, recovered: r.balance };
      for (const [id, st] of Object.entries(l.txs)) {
        const back = r.txs[id];
        const bad = (st === 'prepared' && back !== 'prepared') || (st === 'committed' && back !== undefined && back !== 'committed') || (st === 'aborted' && back === 'committed');
        if (bad) return { field: `txs.${id}`, live: st, recovered: back };
      }
      return undefined;
    }
    const l = live as unknown as CoordinatorState;
    const r = recovered as unknown as CoordinatorState;
    if (l.txs === undefined || r.txs === undefined) return undefined;
    for (const [id, t] of Object.entries(l.txs)) {
      const back = r.txs[id]?.state;
      const bad = (t.state === 'committing' && back !== 'committing') || ((t.state === 'preparing' || t.state === 'aborting') && back === 'committing');
      if (bad) return { field: `txs.${id}.state`, live: t.state, recovered: back };
    }
    return undefined;
  },
};

export const twopc = defineProtocol({
  isolation: 'freeze', // never changes what it sent, received or published (checked by its tests under freezing)
  name: 'twopc',
  description: 'Two-phase commit (presumed abort) of money transfers across shards, with write-ahead logs, recovery and cooperative termination',
  fuzzWorkload: twopcFuzzWorkload,
  fuzzWorkloadBase: twopcFuzzWorkloadBase,
  ...twopcTargets,
  abstractState: twopcAbstractState,
  configSchema: twopcConfig,
  build(config) {
    const participants = Array.from({ length: config.participants }, (_, s) => participantId(s));
    return {
      nodes: twopcNodes(config),
      // Step rules first: of the violations of one step the engine reports the first checker's, and the wrong step is the cause.
      checkers: twopcRules(participants).concat(twopcIsolationRules(participants, config.initialBalance), twopcCheckers({
        coordinator: COORDINATOR,
        participants,
        shardTotal: config.accountsPerShard * config.initialBalance,
        livenessBound: config.livenessBound,
        cooperative: config.cooperative,
        cooperativeBound: cooperativeBound(config.cooperativeAfter, config.queryInterval),
      })),
    };
  },
  recovery: twopcRecovery,
});

declare module '../../api/protocol.ts' {
  interface ProtocolConfigMap {
    twopc: z.input<typeof twopcConfig>;
  }
}
