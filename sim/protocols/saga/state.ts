// What the saga nodes publish: the viewer's timeline reads the orchestrator's
// sagas (status, the step in progress, the compensation order) and each
// service's business state.

export type SagaStatus = 'running' | 'compensating' | 'completed' | 'compensated';

export interface SagaView {
  status: SagaStatus;
  /** running: the step in progress; compensating: the step being compensated; else -1. */
  step: number;
  /** Steps committed (acknowledged) so far, in order. */
  done: number[];
  /** Compensations acknowledged so far, in the order they ran. */
  undone: number[];
}

export interface OrchestratorState {
  sagas: Record<string, SagaView>;
}

export interface ServiceState {
  service: string;
  /** order: open orders; stock: items available; payment: sum of customer balances; shipping: shipments. */
  level: number;
  /** payment only: the merchant's revenue. */
  merchant?: number;
  /** Idempotency records kept (including tombstones). */
  records: number;
}
