// Persistence (Figure 2: currentTerm, votedFor and log[] on stable storage;
// section 7: the snapshot): whatever a node did, reading its disk back after a
// crash gives exactly its persistent state; and the pure node's Ready says to
// persist before it says to send.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SimDisk } from '../../sim/engine/disk.ts';
import type { RaftNode } from '../../sim/protocols/raft/node.ts';
import { RaftStorage, type RaftDisk } from '../../sim/protocols/raft/storage.ts';
import { node, noops, terms } from './harness.ts';

type Op =
  | { kind: 'append'; termBump: number; back: number; match: boolean; entries: number }
  | { kind: 'compact'; frac: number }
  | { kind: 'vote'; termBump: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('append' as const), termBump: fc.integer({ min: 0, max: 2 }), back: fc.integer({ min: 0, max: 6 }), match: fc.boolean(), entries: fc.integer({ min: 0, max: 5 }) }),
  fc.record({ kind: fc.constant('compact' as const), frac: fc.double({ min: 0, max: 1, noNaN: true }) }),
  fc.record({ kind: fc.constant('vote' as const), termBump: fc.integer({ min: 0, max: 1 }) }),
);

/** The simulated disk as the part of a node's Io that storage uses. */
function io(disk: SimDisk): RaftDisk {
  return { read: (k) => disk.get(k), keys: (p) => disk.keys(p), put: (k, v) => disk.put(k, v), delete: (k) => disk.delete(k), fsync: () => disk.fsync() };
}

function apply(n: RaftNode, op: Op): void {
  if (op.kind === 'vote') {
    n.step(0, 'n3', { type: 'vote-req', term: n.currentTerm + op.termBump, candidate: 'n3', lastLogIndex: 1000, lastLogTerm: 1000, pre: false });
    return;
  }
  if (op.kind === 'compact') {
    const lo = n.log.snapshotIndex + 1;
    if (n.lastApplied < lo) return;
    n.compact(lo + Math.floor(op.frac * (n.lastApplied - lo)), { at: n.lastApplied });
    return;
  }
  const term = Math.max(1, n.currentTerm + op.termBump);
  // A real leader never conflicts with a committed entry: back up no further than the commit index.
  const prev = Math.max(n.log.snapshotIndex, n.commitIndex, n.log.lastIndex() - op.back);
  const prevTerm = n.log.term(prev) as number;
  const entryTerm = op.match ? term : Math.max(prevTerm, term - 1);
  n.step(0, 'n1', { type: 'append-req', term, leader: 'n1', prevLogIndex: prev, prevLogTerm: prevTerm, entries: noops(Array(op.entries).fill(entryTerm)), leaderCommit: prev, round: 0 });
}

describe('Figure 2 persistence and section 7 snapshots on the simulated disk', () => {
  it('property: after any sequence of appends, truncations, votes and compactions, the disk alone restores the same term, vote, snapshot and log', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 40 }), (ops) => {
        const disk = new SimDisk();
        const n = node('n2');
        const storage = new RaftStorage(false);
        storage.load(io(disk));
        n.start();
        for (const op of ops) {
          apply(n, op);
          storage.persist(io(disk), n, n.ready());
        }
        disk.crash(); // unsynced writes are lost: nothing may be unsynced
        const back = new RaftStorage(false).load(io(disk));
        const m = node('n2');
        m.restore(back);
        expect([m.currentTerm, m.votedFor]).toEqual([n.currentTerm, n.votedFor]);
        expect([m.log.snapshotIndex, m.log.snapshotTerm, m.log.snapshotChain]).toEqual([n.log.snapshotIndex, n.log.snapshotTerm, n.log.snapshotChain]);
        expect(terms(m)).toEqual(terms(n));
        expect(m.log.chain(m.log.lastIndex())).toBe(n.log.chain(n.log.lastIndex()));
        // No record below the snapshot or past the end is left behind.
        expect(disk.keys('raft/log/').length).toBe(n.log.lastIndex() - n.log.snapshotIndex);
      }),
      { numRuns: 200, seed: 5 },
    );
  });

  it('a vote is in the Ready (to persist) together with the response that depends on it', () => {
    const n = node('n2');
    n.step(0, 'n1', { type: 'vote-req', term: 1, candidate: 'n1', lastLogIndex: 0, lastLogTerm: 0, pre: false });
    const rd = n.ready();
    expect(rd.hardState).toBe(true);
    expect(rd.messages[0]?.msg).toMatchObject({ type: 'vote-resp', granted: true });
  });

  it('planted bug notPersistingVotedFor: the vote is lost across a restart', () => {
    const disk = new SimDisk();
    const n = node('n2');
    n.step(0, 'n1', { type: 'vote-req', term: 1, candidate: 'n1', lastLogIndex: 0, lastLogTerm: 0, pre: false });
    new RaftStorage(true).persist(io(disk), n, n.ready());
    expect(new RaftStorage(true).load(io(disk))).toMatchObject({ term: 1, votedFor: null });
    const ok = new SimDisk();
    new RaftStorage(false).persist(io(ok), n, { ...n.ready(), hardState: true });
    expect(new RaftStorage(false).load(io(ok))).toMatchObject({ term: 1, votedFor: 'n1' });
  });
});
