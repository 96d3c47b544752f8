// Guards for the published state shapes of docs/architecture.md: panels check
// a state's shape before trusting it and fall back to the generic JSON view
// for anything else.

import type { JsonValue } from '../../../sim/engine/types.ts';
import type { LockClientState, LockResourceState, LockServerState } from '../../../sim/protocols/lock/state.ts';
import type { RaftServerState } from '../../../sim/protocols/raft/state.ts';
import type { RingServerState } from '../../../sim/protocols/ring/state.ts';
import type { CoordinatorState, ParticipantState } from '../../../sim/protocols/twopc/state.ts';

// The types are the protocols' own (one definition each); this module adds
// the guards, because a trace is input and may hold anything.
export type RaftState = RaftServerState;
export type RingState = RingServerState;
export type ResourceState = LockResourceState;
export type { CoordinatorState, LockClientState, LockServerState, ParticipantState };

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
