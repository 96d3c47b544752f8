// The published state shapes of docs/architecture.md ("Published state shapes,
// contract with the viewer"), with guards. The protocols are written
// separately, so panels check a state's shape before trusting it and fall back
// to the generic JSON view for anything else.

import type { JsonValue } from '../../../sim/engine/types.ts';

export interface RaftState {
  role: 'follower' | 'candidate' | 'leader';
  term: number;
  votedFor: string | null;
  leader: string | null;
  commitIndex: number;
  lastApplied: number;
  snapshotIndex: number;
  logStart: number;
  log: { term: number; cmd: string }[];
}

export interface RingState {
  ringVersion: number;
  members: { id: string; weight: number }[];
  keys: number;
  migrating: { to: string; keys: number }[];
}

export interface LockEntry {
  holder: string | null;
  token: number;
  expiresAt: number;
  waiters: string[];
}
export interface LockServerState {
  locks: Record<string, LockEntry>;
  nextToken: number;
}
export interface LockClientState {
  lock: string;
  holding: boolean;
  token: number | null;
  deadline: number | null;
  recipe: 'fencing' | 'redis';
}
export interface ResourceState {
  highestToken: number;
  accepted: number;
  rejected: number;
}

export type TxState = 'preparing' | 'committing' | 'aborting' | 'done';
export type ParticipantTx = 'working' | 'prepared' | 'committed' | 'aborted';
export interface CoordinatorState {
  txs: Record<string, { state: TxState; votes: Record<string, 'yes' | 'no' | null> }>;
}
export interface ParticipantState {
  txs: Record<string, ParticipantTx>;
  inDoubt: string[];
  balance: number;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): boolean => typeof v === 'number';

export function isRaft(s: JsonValue | undefined): s is JsonValue & RaftState {
  return isObj(s) && (s.role === 'follower' || s.role === 'candidate' || s.role === 'leader') && num(s.term) && num(s.commitIndex) && Array.isArray(s.log);
}

export function isRing(s: JsonValue | undefined): s is JsonValue & RingState {
  return isObj(s) && num(s.ringVersion) && Array.isArray(s.members) && num(s.keys);
}

export function isLockServer(s: JsonValue | undefined): s is JsonValue & LockServerState {
  return isObj(s) && isObj(s.locks) && num(s.nextToken);
}

export function isLockClient(s: JsonValue | undefined): s is JsonValue & LockClientState {
  return isObj(s) && typeof s.lock === 'string' && typeof s.holding === 'boolean';
}

export function isResource(s: JsonValue | undefined): s is JsonValue & ResourceState {
  return isObj(s) && num(s.highestToken) && num(s.accepted) && num(s.rejected);
}

export function isCoordinator(s: JsonValue | undefined): s is JsonValue & CoordinatorState {
  return isObj(s) && isObj(s.txs) && !('inDoubt' in s) && Object.values(s.txs).every((t) => isObj(t) && typeof t.state === 'string' && isObj(t.votes));
}

export function isParticipant(s: JsonValue | undefined): s is JsonValue & ParticipantState {
  return isObj(s) && isObj(s.txs) && Array.isArray(s.inDoubt);
}
