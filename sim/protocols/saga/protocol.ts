// Sagas (Garcia-Molina and Salem, SIGMOD 1987) as a scenario protocol: an
// orchestrator (o1) with a durable saga log, four services (order, stock,
// payment, shipping: see steps.ts) with idempotent steps and compensations, and
// a client (c1) submitting a planned stream of orders. Planted bugs (all off)
// are the four mistakes the issue names.

import { z } from 'zod';
import { defineProtocol, duration, nodeSpec, positiveDuration, type NodeSpec, type Rng } from '../../api/index.ts';
import { atMostOnceChecker, compensationOrderChecker, conservationChecker, noDirtyReadsChecker, sagaAtomicityChecker, sagaTerminationChecker, terminationGrace } from './checkers.ts';
import { SagaClient } from './client.ts';
import { sagaAbstractState } from './coverage.ts';
import { sagaFuzzWorkload } from './fuzz-workload.ts';
import { SagaOrchestrator } from './orchestrator.ts';
import { SagaService, type Ledger } from './service.ts';
import { CLIENT, ORCHESTRATOR, SERVICES, type Order } from './steps.ts';
import { sagaTargets } from './targets.ts';

const bugsSchema = z
  .object({
    /** Services: a retried compensation is applied again. */
    nonIdempotentCompensation: z.boolean().default(false),
    /** Services: a compensation that arrives before its step leaves no tombstone, so the late step still commits. */
    noTombstone: z.boolean().default(false),
    /** Orchestrator: progress kept only in memory; a crash forgets the sagas in flight. */
    volatileProgress: z.boolean().default(false),
    /** Orchestrator: compensate in the order the steps ran, not the reverse. */
    compensateForward: z.boolean().default(false),
  })
  .strict();

export const sagaConfig = z
  .object({
    /** Orders the client submits (one saga each). */
    sagas: z.number().int().min(1).max(200).default(8),
    /** The client submits one order every `interval`. */
    interval: duration.default(40_000),
    /** Customers u1..uN; each order picks one at random. */
    customers: z.number().int().min(1).max(16).default(3),
    /** Each customer's starting balance. */
    balance: z.number().int().min(0).max(1_000_000).default(60),
    /** Items in stock at the start. */
    stock: z.number().int().min(0).max(1_000_000).default(12),
    /** Price of one item. */
    price: z.number().int().min(1).max(1000).default(10),
    /** Each order is for 1..maxQty items. */
    maxQty: z.number().int().min(1).max(100).default(3),
    /** Retry timeout of a step or compensation. */
    stepTimeout: positiveDuration.default(30_000),
    /** A step before the pivot unanswered this many times is given up and compensated. */
    maxAttempts: z.number().int().min(1).max(100).default(3),
    /** The client's retry timeout for an unaccepted submission. */
    submitRetry: positiveDuration.default(50_000),
    /** Also check no-dirty-reads (which Sagas do not promise: it fails by design). */
    checkIsolation: z.boolean().default(false),
    bugs: bugsSchema.default({ nonIdempotentCompensation: false, noTombstone: false, volatileProgress: false, compensateForward: false }),
  })
  .strict();

export type SagaConfig = z.output<typeof sagaConfig>;

/** The client's orders, drawn at build time from the run's seed. */
export function planOrders(c: SagaConfig, rng: Rng): Order[] {
  return Array.from({ length: c.sagas }, (_, i) => {
    const qty = rng.int(1, c.maxQty + 1);
    return { saga: `s${i + 1}`, customer: `u${rng.int(1, c.customers + 1)}`, qty, amount: qty * c.price };
  });
}

export function initialLedger(c: SagaConfig, service: string): Ledger {
  const balances: Record<string, number> = {};
  if (service === 'payment') for (let i = 1; i <= c.customers; i++) balances[`u${i}`] = c.balance;
  return { level: service === 'stock' ? c.stock : 0, balances, merchant: 0 };
}

export function sagaNodes(c: SagaConfig, orders: readonly Order[]): NodeSpec[] {
  const nodes: NodeSpec[] = [
    nodeSpec(ORCHESTRATOR, 'server', () => new SagaOrchestrator({ stepTimeout: c.stepTimeout, maxAttempts: c.maxAttempts, volatileProgress: c.bugs.volatileProgress, compensateForward: c.bugs.compensateForward, maxSagas: c.sagas })),
  ];
  for (const service of SERVICES) {
    const initial = initialLedger(c, service);
    nodes.push(nodeSpec(service, 'server', () => new SagaService({ service, initial, nonIdempotentCompensation: c.bugs.nonIdempotentCompensation, noTombstone: c.bugs.noTombstone })));
  }
  nodes.push(nodeSpec(CLIENT, 'client', () => new SagaClient(orders, c.interval, c.submitRetry)));
  return nodes;
}

export const saga = defineProtocol({
  name: 'saga',
  description: 'Orchestrated Saga over order, stock, payment and shipping services: durable saga log, idempotency keys, tombstones, backward recovery before the pivot',
  configSchema: sagaConfig,
  fuzzWorkload: sagaFuzzWorkload,
  ...sagaTargets,
  abstractState: sagaAbstractState,
  build(config, ctx) {
    const orders = planOrders(config, ctx.stream('orders'));
    const grace = terminationGrace(config.stepTimeout, config.maxAttempts, config.submitRetry);
    const checkers = [
      atMostOnceChecker(),
      compensationOrderChecker(),
      sagaAtomicityChecker(),
      sagaTerminationChecker(orders, (config.sagas - 1) * config.interval, grace),
      conservationChecker(orders, { money: config.customers * config.balance, stock: config.stock }),
    ];
    if (config.checkIsolation) checkers.push(noDirtyReadsChecker(orders));
    return { nodes: sagaNodes(config, orders), checkers };
  },
});

declare module '../../api/protocol.ts' {
  interface ProtocolConfigMap {
    saga: z.input<typeof sagaConfig>;
  }
}
