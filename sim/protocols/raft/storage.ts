// Raft's persistent state on the node's simulated disk: currentTerm and
// votedFor (one record), the latest snapshot (one record), and one record per
// log entry so an append writes only the new entries. Everything is fsynced
// before the caller sends the messages that depend on it (Figure 2: "updated
// on stable storage before responding to RPCs").

import { assert, type Io, type JsonValue } from '../../api/index.ts';
import type { RaftNode, Ready, Snapshot } from './node.ts';
import type { Entry, NodeId } from './types.ts';

const HARD_STATE = 'raft/hard';
const SNAPSHOT = 'raft/snap';
const LOG = 'raft/log/';

function logKey(index: number): string {
  return LOG + String(index).padStart(10, '0');
}

export interface PersistentState {
  term: number;
  votedFor: NodeId | null;
  snapshot: Snapshot | undefined;
  entries: Entry[];
}

/** The part of a node's `Io` storage uses: its own disk. */
export type RaftDisk = Pick<Io, 'read' | 'keys' | 'put' | 'delete' | 'fsync'>;

/** Where Raft's records are on the node's disk. Each call takes the disk of the step it runs in. */
export class RaftStorage {
  /** Indices of the log records on disk: firstOnDisk..lastOnDisk. */
  private firstOnDisk = 1;
  private lastOnDisk = 0;

  constructor(
    /** Planted bug: write votedFor as null. */
    private readonly forgetVotes: boolean,
  ) {}

  /** Read everything back after a restart (the disk holds only what was fsynced before the crash). */
  load(disk: RaftDisk): PersistentState {
    const hard = disk.read<{ term: number; votedFor: NodeId | null }>(HARD_STATE) ?? { term: 0, votedFor: null };
    const snapshot = disk.read(SNAPSHOT) as unknown as Snapshot | undefined;
    const base = snapshot?.index ?? 0;
    const entries: Entry[] = [];
    let first = base + 1;
    let expect = base + 1;
    for (const key of disk.keys(LOG)) {
      const index = Number(key.slice(LOG.length));
      if (index <= base) {
        disk.delete(key); // left over from before the snapshot was taken
        continue;
      }
      if (entries.length === 0) first = index;
      assert(index === expect, () => `raft log on disk has a gap: expected entry ${expect}, found ${index}`);
      const e = disk.read(key) as unknown as Entry | undefined;
      assert(e !== undefined, () => `raft log record ${key} listed but absent`);
      entries.push(e);
      expect++;
    }
    assert(entries.length === 0 || first === base + 1, () => `raft log on disk starts at ${first}, after snapshot ${base}`);
    this.firstOnDisk = base + 1;
    this.lastOnDisk = base + entries.length;
    return { term: hard.term, votedFor: hard.votedFor, snapshot, entries };
  }

  /** Write a made-up history (terms only, entries are no-ops) to an empty disk: the set-ups of Figures 7 and 8. */
  preload(disk: RaftDisk, p: { term: number; votedFor: NodeId | null; log: number[] }): void {
    disk.put(HARD_STATE, { term: p.term, votedFor: p.votedFor });
    p.log.forEach((term, i) => disk.put(logKey(i + 1), { term, cmd: { kind: 'noop' } }));
    disk.fsync();
  }

  /** Write what `rd` says changed, then fsync once. Returns whether anything was written. */
  persist(disk: RaftDisk, node: RaftNode, rd: Ready): boolean {
    let wrote = false;
    if (rd.hardState) {
      disk.put(HARD_STATE, { term: node.currentTerm, votedFor: this.forgetVotes ? null : node.votedFor });
      wrote = true;
    }
    if (rd.snapshot) {
      const s = rd.snapshot;
      disk.put(SNAPSHOT, { index: s.index, term: s.term, chain: s.chain, data: s.data });
      for (let i = this.firstOnDisk; i <= Math.min(s.index, this.lastOnDisk); i++) disk.delete(logKey(i));
      this.firstOnDisk = s.index + 1;
      this.lastOnDisk = Math.max(this.lastOnDisk, s.index);
      wrote = true;
    }
    if (rd.logFrom !== undefined) {
      const log = node.log;
      const last = log.lastIndex();
      for (let i = Math.max(rd.logFrom, log.snapshotIndex + 1); i <= last; i++) disk.put(logKey(i), log.entry(i) as unknown as JsonValue);
      for (let i = Math.max(last + 1, this.firstOnDisk); i <= this.lastOnDisk; i++) disk.delete(logKey(i));
      this.lastOnDisk = last;
      wrote = true;
    }
    if (wrote) disk.fsync();
    return wrote;
  }
}
