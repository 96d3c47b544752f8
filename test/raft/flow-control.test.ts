// Replication flow control (etcd raft tracker/progress.go: MaybeUpdate / MaybeDecrTo): only an answer
// that moves a follower's progress releases the next AppendEntries, so duplicated or stale answers
// cannot multiply the sends (the duplication-burst storm, scenarios/raft-duplicate-catchup.ts).

import { describe, expect, it } from 'vitest';
import { runScenario } from '../../sim/fuzz/fuzz.ts';
import { parseScenario } from '../../sim/scenario/resolve.ts';
import catchup from '../../scenarios/raft-duplicate-catchup.ts';
import { elect, sent, withLog } from './harness.ts';

describe('replication flow control', () => {
  it('a copy of a successful answer releases nothing; the first one releases the next batch', () => {
    const n = withLog('n1', 1, [1, 1, 1, 1], { maxBatch: 1 });
    elect(n, ['n2']); // leads term 2, no-op at 5, sends it to n2 and n3 (prevLogIndex 4)
    for (let i = 0; i < 2; i++) n.propose({ kind: 'client', client: 'c1', seq: i + 1, op: null }); // 6 and 7 wait for the answers
    expect(sent(n.ready(), 'append-req')).toEqual([]);
    const ack = { type: 'append-resp' as const, term: 2, success: true, matchIndex: 5, conflictTerm: 0, conflictIndex: 0, round: 1 };
    n.step(0, 'n3', ack);
    expect(sent(n.ready(), 'append-req').map((m) => [m.to, m.msg.prevLogIndex])).toEqual([['n3', 5]]);
    n.step(0, 'n3', ack); // the same answer again (a duplicated message)
    expect(sent(n.ready(), 'append-req')).toEqual([]);
    n.step(0, 'n3', { ...ack, matchIndex: 4 }); // an older answer, late
    expect(sent(n.ready(), 'append-req')).toEqual([]);
    n.step(0, 'n3', { ...ack, matchIndex: 6 });
    expect(sent(n.ready(), 'append-req').map((m) => [m.to, m.msg.prevLogIndex])).toEqual([['n3', 6]]);
  });

  it('a copy of a rejection, or a rejection of an older probe, releases nothing; the genuine one lowers nextIndex once', () => {
    const n = withLog('n1', 1, [1, 1, 1, 1]);
    elect(n, ['n2']); // probes n3 at index 4 (nextIndex 5)
    const reject = { type: 'append-resp' as const, term: 2, success: false, matchIndex: 0, conflictTerm: 0, conflictIndex: 3, round: 1 };
    n.step(0, 'n3', reject); // n3's log ends at 2
    expect(sent(n.ready(), 'append-req').map((m) => [m.to, m.msg.prevLogIndex])).toEqual([['n3', 2]]);
    expect(n.nextIndex.get('n3')).toBe(3);
    n.step(0, 'n3', reject); // the copy
    expect(sent(n.ready(), 'append-req')).toEqual([]);
    n.step(0, 'n3', { ...reject, conflictIndex: 4 }); // a late rejection of an older, higher probe
    expect(sent(n.ready(), 'append-req')).toEqual([]);
    expect(n.nextIndex.get('n3')).toBe(3);
  });

  it('a follower restarted behind is caught up under a 50% duplication burst (the run stays within the engine bound; seeds 1-4)', () => {
    for (const seed of [1, 2, 3, 4]) {
      const dup = runScenario(parseScenario({ ...catchup, seed }));
      const plain = runScenario(parseScenario({ ...catchup, seed, faults: { timeline: catchup.faults!.timeline!.filter((f) => f.kind !== 'duplicate') } }));
      expect(dup.violations).toEqual([]);
      expect(plain.violations).toEqual([]);
      expect(dup.stats.messages.duplicated).toBeGreaterThan(500);
      // Copies are answered, but no answer is multiplied: sends stay within a small factor of the run without the burst.
      expect(dup.stats.messages.sent).toBeLessThan(2 * plain.stats.messages.sent);
    }
  });
});
