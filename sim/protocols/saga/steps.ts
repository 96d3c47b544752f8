// The saga's definition (Garcia-Molina and Salem, "Sagas", SIGMOD 1987; the
// orchestrated form of Richardson's microservices patterns): an order flow of
// four local transactions, each in its own service, each with a compensation.
//
//   0 order     create-order   / cancel-order    compensatable
//   1 stock     reserve        / release         compensatable (refused when stock is short)
//   2 payment   charge         / refund          the PIVOT: once it commits the saga must complete
//                                                (refused when the balance is short)
//   3 shipping  ship           / (none needed)   retriable: never refused, retried until done
//
// Before the pivot a step that fails (refused, or no answer within maxAttempts) is
// compensated backwards with every earlier step; the pivot is retried until it
// answers (its outcome decides the saga); after it, steps are retried until done.

export interface StepDef {
  service: string;
  tx: string;
  comp: string;
}

export const STEPS: readonly StepDef[] = [
  { service: 'order', tx: 'create-order', comp: 'cancel-order' },
  { service: 'stock', tx: 'reserve', comp: 'release' },
  { service: 'payment', tx: 'charge', comp: 'refund' },
  { service: 'shipping', tx: 'ship', comp: 'recall' },
];

export const PIVOT = 2;
export const SERVICES = STEPS.map((s) => s.service);
export const ORCHESTRATOR = 'o1';
export const CLIENT = 'c1';

/** One order: which customer, how many items, what it costs. */
export interface Order {
  saga: string;
  customer: string;
  qty: number;
  amount: number;
}
