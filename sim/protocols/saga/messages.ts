// Saga messages: the client submits orders to the orchestrator; the orchestrator
// sends each step (`tx`) or compensation (`comp`) to its service with the
// idempotency key `<saga>/<step>`; services answer with what happened.

import type { Message } from '../../api/index.ts';
import type { Order } from './steps.ts';

export interface Submit extends Message, Order {
  type: 'submit';
}
export interface Accepted extends Message {
  type: 'accepted';
  saga: string;
}
export interface Outcome extends Message {
  type: 'outcome';
  saga: string;
  outcome: 'completed' | 'compensated';
}
export interface Do extends Message, Order {
  type: 'do';
  step: number;
  kind: 'tx' | 'comp';
}
export interface Done extends Message {
  type: 'done';
  saga: string;
  step: number;
  kind: 'tx' | 'comp';
  /** tx: committed (now or before); comp: the step is undone or never happened. false: a tx refused (business rule, or it was compensated first). */
  ok: boolean;
  /** This very delivery changed the service's state (false for a duplicate, a refusal or a no-op). */
  applied: boolean;
  /** Stock service only: items available after handling this request. */
  available?: number;
}

export type SagaMessage = Submit | Accepted | Outcome | Do | Done;
