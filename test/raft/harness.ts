// Helpers for driving pure RaftNodes by hand, message by message (like etcd's
// raft_paper_test.go): no engine, no network; the test is the network.

import { MS } from '../../sim/engine/time.ts';
import { NO_BUGS, RaftNode, type RaftBugs, type Ready } from '../../sim/protocols/raft/node.ts';
import type { Entry, RaftMessage } from '../../sim/protocols/raft/types.ts';

export const SERVERS = ['n1', 'n2', 'n3'];

export function node(id: string, opts: { servers?: string[]; bugs?: Partial<RaftBugs>; preVote?: boolean; checkQuorum?: boolean; maxBatch?: number } = {}): RaftNode {
  return new RaftNode(
    {
      id,
      servers: opts.servers ?? SERVERS,
      electionTimeoutMin: 150 * MS,
      electionTimeoutMax: 300 * MS,
      heartbeat: 50 * MS,
      preVote: opts.preVote ?? false,
      checkQuorum: opts.checkQuorum ?? true,
      maxBatch: opts.maxBatch ?? 64,
      bugs: { ...NO_BUGS, ...opts.bugs },
    },
    (lo) => lo, // the shortest timeout: tests control time themselves
  );
}

export function noops(terms: number[]): Entry[] {
  return terms.map((term) => ({ term, cmd: { kind: 'noop' } }));
}

/** A node whose disk held this term, vote and log when it started. */
export function withLog(id: string, term: number, terms: number[], opts: Parameters<typeof node>[1] = {}): RaftNode {
  const n = node(id, opts);
  n.restore({ term, votedFor: null, snapshot: undefined, entries: noops(terms) });
  n.start();
  n.ready();
  return n;
}

export function terms(n: RaftNode): number[] {
  const out: number[] = [];
  for (let i = n.log.snapshotIndex + 1; i <= n.log.lastIndex(); i++) out.push(n.log.entry(i).term);
  return out;
}

export function sent<T extends RaftMessage['type']>(rd: Ready, type: T): { to: string; msg: Extract<RaftMessage, { type: T }> }[] {
  return rd.messages.filter((m) => m.msg.type === type) as { to: string; msg: Extract<RaftMessage, { type: T }> }[];
}

/** Make `n` leader of its next term with the votes of `voters`; returns the ready of the last step. */
export function elect(n: RaftNode, voters: string[], now = 0): Ready {
  n.tick(now, 'election');
  n.ready();
  for (const v of voters) n.step(now, v, { type: 'vote-resp', term: n.currentTerm, granted: true, pre: false });
  return n.ready();
}

/** Deliver every message of `rd` addressed to a node in `nodes`, and repeat with their answers, until quiet. */
export function pump(nodes: Record<string, RaftNode>, first: { from: string; rd: Ready }, now = 0, limit = 1000): void {
  const queue: { from: string; to: string; msg: RaftMessage }[] = first.rd.messages.map((m) => ({ from: first.from, to: m.to, msg: m.msg }));
  for (let steps = 0; queue.length > 0 && steps < limit; steps++) {
    const { from, to, msg } = queue.shift()!;
    const target = nodes[to];
    if (!target) continue;
    target.step(now, from, msg);
    for (const m of target.ready().messages) queue.push({ from: to, to: m.to, msg: m.msg });
  }
}
