// The Raft log with its compacted prefix (section 7). Indices start at 1; the
// snapshot replaces entries 1..snapshotIndex. Besides the entries, the log
// keeps for every index a `chain` digest of the sequence of terms up to it.
// Because a leader creates at most one entry per (term, index), two logs hold
// the same prefix up to i exactly when their chains at i are equal: that makes
// the Log Matching, Leader Completeness and State Machine Safety checks O(1)
// per entry. The digest is bookkeeping for checkers, not part of the protocol.

import { assert, atOrFail } from '../../api/index.ts';
import type { Entry } from './types.ts';

/** Digest of (previous chain, term): two 32-bit lanes packed into a safe integer. */
export function chainNext(prev: number, term: number): number {
  const lo = prev % 0x100000000 | 0;
  const hi = Math.floor(prev / 0x100000000) | 0;
  let a = Math.imul(lo ^ term, 0x9e3779b1) ^ hi;
  a = Math.imul(a ^ (a >>> 15), 0x85ebca6b);
  let b = Math.imul(hi + term, 0xc2b2ae35) ^ lo;
  b = Math.imul(b ^ (b >>> 13), 0x27d4eb2f);
  return (b & 0x1fffff) * 0x100000000 + (a >>> 0);
}

export class RaftLog {
  snapshotIndex = 0;
  snapshotTerm = 0;
  snapshotChain = 0;
  /** entries[k] has index snapshotIndex + 1 + k. */
  private entries: Entry[] = [];
  private chains: number[] = [];
  /**
   * For checkers: the lowest index touched by each change that was not a plain
   * append (truncation, overwrite, snapshot restore), in order. Appends never
   * record; a leader's log must never record while it leads (Leader Append-Only).
   */
  readonly changes: number[] = [];

  lastIndex(): number {
    return this.snapshotIndex + this.entries.length;
  }

  lastTerm(): number {
    return this.entries.length > 0 ? atOrFail(this.entries, this.entries.length - 1, 'raft log entries').term : this.snapshotTerm;
  }

  /** Term of the entry at `index`; 0 for index 0; undefined when compacted away or beyond the end. */
  term(index: number): number | undefined {
    if (index === this.snapshotIndex) return this.snapshotTerm;
    if (index < this.snapshotIndex || index > this.lastIndex()) return undefined;
    return atOrFail(this.entries, index - this.snapshotIndex - 1, 'raft log entries').term;
  }

  /** Term of the entry at `index`, asserting that the log has it (snapshotIndex..lastIndex). */
  termAt(index: number): number {
    const t = this.term(index);
    if (t === undefined) assert(false, () => `log term ${index} is not in the log (${this.snapshotIndex}..${this.lastIndex()})`);
    return t;
  }

  /** Chain digest at `index` (see the file comment); undefined when compacted away or beyond the end. */
  chain(index: number): number | undefined {
    if (index === this.snapshotIndex) return this.snapshotChain;
    if (index < this.snapshotIndex || index > this.lastIndex()) return undefined;
    return this.chains[index - this.snapshotIndex - 1];
  }

  /** Chain digest at `index`, asserting that the log has it (snapshotIndex..lastIndex). */
  chainAt(index: number): number {
    const c = this.chain(index);
    if (c === undefined) assert(false, () => `log chain ${index} is not in the log (${this.snapshotIndex}..${this.lastIndex()})`);
    return c;
  }

  entry(index: number): Entry {
    assert(index > this.snapshotIndex && index <= this.lastIndex(), () => `log entry ${index} is not in the log (${this.snapshotIndex + 1}..${this.lastIndex()})`);
    return atOrFail(this.entries, index - this.snapshotIndex - 1, 'raft log entries');
  }

  /** Entries with index in [from, to], from > snapshotIndex. */
  slice(from: number, to: number): Entry[] {
    assert(from > this.snapshotIndex, () => `slice from ${from} reaches into the snapshot (index ${this.snapshotIndex})`);
    return this.entries.slice(from - this.snapshotIndex - 1, Math.max(0, to - this.snapshotIndex));
  }

  append(e: Entry): number {
    assert(e.term >= this.lastTerm(), () => `appending an entry of term ${e.term} after one of term ${this.lastTerm()}`);
    this.entries.push(e);
    this.chains.push(chainNext(this.chainAt(this.lastIndex() - 1), e.term));
    return this.lastIndex();
  }

  /** Delete the entry at `index` and all that follow it (Figure 2, AppendEntries receiver, rule 3). */
  truncateFrom(index: number): void {
    assert(index > this.snapshotIndex, () => `truncating at ${index}, inside the snapshot (index ${this.snapshotIndex})`);
    if (index > this.lastIndex()) return;
    this.entries.length = index - this.snapshotIndex - 1;
    this.chains.length = this.entries.length;
    this.changes.push(index);
  }

  /**
   * Replace the entry at `index` and keep the ones after it. Only the planted bug
   * `noTruncateOnConflict` calls this: a correct follower truncates instead.
   */
  overwrite(index: number, e: Entry): void {
    const k = index - this.snapshotIndex - 1;
    assert(k >= 0 && k < this.entries.length, `overwrite of ${index} outside the log`);
    this.entries[k] = e;
    for (let i = k; i < this.entries.length; i++) {
      this.chains[i] = chainNext(i === 0 ? this.snapshotChain : atOrFail(this.chains, i - 1, 'raft log chains'), atOrFail(this.entries, i, 'raft log entries').term);
    }
    this.changes.push(index);
  }

  /** Section 7: discard entries up to `index` (already in a snapshot); the log keeps its term and chain. */
  compact(index: number): void {
    assert(index > this.snapshotIndex && index <= this.lastIndex(), () => `compacting to ${index} outside ${this.snapshotIndex + 1}..${this.lastIndex()}`);
    const term = this.termAt(index);
    const chain = this.chainAt(index);
    const drop = index - this.snapshotIndex;
    this.entries.splice(0, drop);
    this.chains.splice(0, drop);
    this.snapshotIndex = index;
    this.snapshotTerm = term;
    this.snapshotChain = chain;
  }

  /**
   * Figure 13, InstallSnapshot receiver, rules 6-7: if the log has the snapshot's
   * last entry, keep what follows it; otherwise discard the whole log.
   */
  installSnapshot(index: number, term: number, chain: number): void {
    if (this.term(index) === term && index > this.snapshotIndex) {
      this.compact(index);
      return;
    }
    this.entries = [];
    this.chains = [];
    this.snapshotIndex = index;
    this.snapshotTerm = term;
    this.snapshotChain = chain;
    this.changes.push(index);
  }
}
