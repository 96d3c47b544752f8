// The bank: accounts sharded over participants. Account `a<i>` lives on shard
// floor(i / accountsPerShard), i.e. participant p<shard + 1>. A transfer is a
// debit on one shard and a credit on another.

import type { NodeId } from '../../api/index.ts';

/** One write of a transaction at one participant (a type alias: it is a JSON value, logged on disks). */
export type Op = {
  account: string;
  delta: number;
};

export type Transfer = {
  from: string;
  to: string;
  amount: number;
};

export const COORDINATOR: NodeId = 'co';

export function participantId(shard: number): NodeId {
  return `p${shard + 1}`;
}

export function accountName(index: number): string {
  return `a${index}`;
}

export function accountsOf(shard: number, perShard: number): string[] {
  return Array.from({ length: perShard }, (_, j) => accountName(shard * perShard + j));
}

export function ownerOf(account: string, perShard: number): NodeId {
  const index = Number(account.slice(1));
  return participantId(Math.floor(index / perShard));
}

/** The writes of a transfer grouped by participant, in participant order (deterministic). */
export function splitTransfer(t: Transfer, perShard: number): Map<NodeId, Op[]> {
  const byParticipant = new Map<NodeId, Op[]>();
  const add = (account: string, delta: number): void => {
    const p = ownerOf(account, perShard);
    const ops = byParticipant.get(p) ?? [];
    ops.push({ account, delta });
    byParticipant.set(p, ops);
  };
  add(t.from, -t.amount);
  add(t.to, t.amount);
  return new Map([...byParticipant.entries()].sort(([a], [b]) => compareIds(a, b)));
}

/** p2 < p10: compare node ids by their number when they share a prefix. */
export function compareIds(a: string, b: string): number {
  const na = Number(a.slice(1));
  const nb = Number(b.slice(1));
  if (a[0] === b[0] && Number.isFinite(na) && Number.isFinite(nb)) return na - nb;
  return a < b ? -1 : a > b ? 1 : 0;
}

export function sumDelta(ops: readonly Op[]): number {
  let s = 0;
  for (const op of ops) s += op.delta;
  return s;
}
