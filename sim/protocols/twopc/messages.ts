// Messages of two-phase commit (Gray 1978; Bernstein, Hadzilacos & Goodman,
// "Concurrency Control and Recovery in Database Systems", ch. 7), with an
// execution phase before the vote so that a participant can be "working"
// (unvoted) and abort on its own, as in TLA+ TCommit's RMChooseToAbort.

import type { Op, Transfer } from './accounts.ts';

export type TxId = string;

/** Client -> coordinator: run this transfer as transaction `tx`. */
export interface Begin { type: 'begin'; tx: TxId; transfer: Transfer }
/** Coordinator -> client: the outcome of the transaction. */
export interface Outcome { type: 'outcome'; tx: TxId; commit: boolean; reason: string }

/** Coordinator -> participant: execute your part (take locks, stage writes). */
export interface Work { type: 'work'; tx: TxId; epoch: number; ops: Op[]; participants: string[] }
/** Participant -> coordinator: the work is staged (ok) or the participant aborted it. */
export interface WorkAck { type: 'work-ack'; tx: TxId; ok: boolean; reason?: string }

/** Phase 1: coordinator -> participant. */
export interface Prepare { type: 'prepare'; tx: TxId }
/** Phase 1: participant -> coordinator. */
export interface Vote { type: 'vote'; tx: TxId; yes: boolean; reason?: string }

/** Phase 2: coordinator -> participant, also the coordinator's answer to a query. */
export interface Decision { type: 'decision'; tx: TxId; commit: boolean }
/** Phase 2: participant -> coordinator, once the commit record is forced. */
export interface Ack { type: 'ack'; tx: TxId }

/** Termination protocol: in-doubt participant -> coordinator. */
export interface Query { type: 'query'; tx: TxId }
/** Cooperative termination protocol: in-doubt participant -> another participant. */
export interface PeerQuery { type: 'peer-query'; tx: TxId }
/** Cooperative termination protocol: what the asked participant knows. */
export interface PeerAnswer { type: 'peer-answer'; tx: TxId; outcome: 'commit' | 'abort' | 'uncertain' }

export type TwoPcMessage = Begin | Outcome | Work | WorkAck | Prepare | Vote | Decision | Ack | Query | PeerQuery | PeerAnswer;
