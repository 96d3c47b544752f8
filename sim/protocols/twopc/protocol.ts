// Two-phase commit across shards: the protocol definition a scenario names
// ("twopc"). Nodes: the coordinator `co` and participants `p1..pN` (role
// server: the nemesis hits them), clients `c1..cK` running transfers.

import type { z } from 'zod';
import { defineProtocol, MS, nodeSpec, type NodeSpec } from '../../api/index.ts';
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
});

declare module '../../api/protocol.ts' {
  interface ProtocolConfigMap {
    twopc: z.input<typeof twopcConfig>;
  }
}
