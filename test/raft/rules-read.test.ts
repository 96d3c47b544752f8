// The read-index rule (sim/protocols/raft/rules.ts, `read-index`): Ongaro's
// dissertation section 6.4, ReadIndex steps 1-4, checked on every read a server
// publishes as answered without the log. Shown loud on each skipped step of
// hand-made published states, end to end on the planted bug
// `leaderReadsWithoutQuorum`, and quiet on correct Raft with ReadIndex reads.

import { describe, expect, it } from 'vitest';
import { firstFailure } from '../../sim/bench/search.ts';
import type { SimView } from '../../sim/engine/types.ts';
import { ServerProbe } from '../../sim/protocols/raft/checkers.ts';
import { readIndexRule } from '../../sim/protocols/raft/rules.ts';
import type { RaftServerState, ServedRead } from '../../sim/protocols/raft/state.ts';
import { parseScenario } from '../../sim/scenario/resolve.ts';
import type { Scenario } from '../../sim/scenario/schema.ts';
import { publishedView } from './published-view.ts';
import { runTraced } from './run.ts';

function state(s: Partial<RaftServerState> & Pick<RaftServerState, 'role' | 'term' | 'leader'>, terms: number[]): RaftServerState {
  return {
    votedFor: null,
    commitIndex: terms.length,
    lastApplied: terms.length,
    snapshotIndex: 0,
    logStart: 1,
    log: [],
    lastIndex: terms.length,
    snapshotTerm: 0,
    logFrom: 1,
    entries: terms,
    ...s,
  };
}

const view = (states: Record<string, RaftServerState>): SimView => publishedView(states);

/** n1 leads term 2 (log: terms 1, 2, both committed); n2 and n3 follow it; n1 answers `read`. */
function answer(read: Partial<ServedRead>, followers: string[] = ['n2', 'n3']): string | undefined {
  const rule = readIndexRule(new ServerProbe(['n1', 'n2', 'n3']));
  const follower = (id: string) => (followers.includes(id) ? state({ role: 'follower', term: 2, leader: 'n1' }, [1, 2]) : state({ role: 'follower', term: 1, leader: null }, [1]));
  const before = { n1: state({ role: 'leader', term: 2, leader: 'n1' }, [1, 2]), n2: follower('n2'), n3: follower('n3') };
  expect(rule.check(view(before))).toBeUndefined();
  const good: ServedRead = { term: 2, commitAtReceipt: 2, roundAtReceipt: 4, readIndex: 2, round: 5, acks: [{ server: 'n1', round: 5 }, { server: 'n2', round: 5 }], applied: 2 };
  return rule.check(view({ ...before, n1: { ...before.n1, reads: [{ ...good, ...read }] } }));
}

describe('read-index: each ReadIndex step skipped is a violation (hand-made published states)', () => {
  it('a read that follows every step passes', () => {
    expect(answer({})).toBeUndefined();
    expect(answer({ acks: [{ server: 'n3', round: 6 }, { server: 'n1', round: 5 }] })).toBeUndefined();
  });
  const cases: { skipped: string; read: Partial<ServedRead>; followers?: string[]; says: string }[] = [
    { skipped: 'step 1: read index at an entry of an earlier term (no own-term commit yet)', read: { readIndex: 1, commitAtReceipt: 1 }, says: 'an entry of term 1' },
    { skipped: 'step 1: read index below the commitIndex at arrival', read: { commitAtReceipt: 3, readIndex: 2 }, says: 'below its commitIndex 3' },
    { skipped: 'step 2: no heartbeat round after the read arrived', read: { round: 4 }, says: 'without a heartbeat round started after the read arrived' },
    { skipped: 'step 2: no round at all (answered from the state machine)', read: { round: 0, acks: [] }, says: 'without a heartbeat round' },
    { skipped: 'step 3: an acknowledgement of an earlier round counted', read: { acks: [{ server: 'n1', round: 5 }, { server: 'n2', round: 3 }] }, says: "counting n2's acknowledgement of round 3" },
    { skipped: 'step 3: no majority', read: { acks: [{ server: 'n1', round: 5 }] }, says: 'confirmed by n1 only' },
    { skipped: 'step 3: the leader not among the confirmations', read: { acks: [{ server: 'n2', round: 5 }, { server: 'n3', round: 5 }] }, says: 'confirmed by n2, n3 only' },
    { skipped: 'step 3: an acknowledgement from a server that never followed it in the term', read: {}, followers: ['n3'], says: 'never published following n1 in term 2' },
    { skipped: 'step 4: answered before applying up to the read index', read: { applied: 1 }, says: 'having applied only up to 1' },
  ];
  it.each(cases)('$skipped', ({ read, followers, says }) => {
    expect(answer(read, followers)).toContain(says);
  });
});

function base(config: Record<string, unknown>): Scenario {
  return parseScenario({ name: 'raft-fuzz', description: 'read rule', protocol: 'raft', config, duration: '5s' });
}

describe('read-index end to end', () => {
  it('leaderReadsWithoutQuorum -> read-index at the first read it answers, within 5 runs on every campaign seed 1-3 (guided, default workload; seen at 1 / 1 / 1; linearizable alone needed hundreds of runs)', () => {
    for (const seed of [1, 2, 3]) {
      let ticks = 0;
      const r = firstFailure(base({ bugs: { leaderReadsWithoutQuorum: true } }), 'guided', seed, 5, () => ticks++);
      expect([seed, r.invariant]).toEqual([seed, 'read-index']);
    }
  });

  it('correct Raft with ReadIndex reads under the default nemesis: some run of seeds 1-3 has a deposed leader answer a read it confirmed, and no run violates any checker', () => {
    const input = { name: 'reads', description: 'read rule', protocol: 'raft', duration: '6s', config: { servers: 5, clients: 3, reads: 'readindex', snapshotEvery: 50 } };
    const nemesis = { from: '300ms', until: '5s', crash: { rate: 0.6, downtime: { min: '200ms', max: '1s' } }, partition: { rate: 0.6, duration: { min: '100ms', max: '800ms' } }, pause: { rate: 0.3, duration: { min: '50ms', max: '400ms' } } };
    let served = 0;
    const found: number[] = [];
    for (const seed of [1, 2, 3]) {
      const run = runTraced(parseScenario({ ...input, faults: { nemesis } }), seed);
      expect([seed, run.result.violations]).toEqual([seed, []]);
      const term = new Map<string, number>();
      let deposedAnswer = false;
      for (const e of run.events) {
        if (e.type !== 'state') continue;
        const s = e.state as unknown as RaftServerState;
        term.set(e.node, s.term);
        for (const rd of s.reads ?? []) {
          served++;
          if (s.role !== 'leader' || [...term.values()].some((t) => t > rd.term)) deposedAnswer = true;
        }
      }
      if (deposedAnswer) found.push(seed);
    }
    expect(served).toBeGreaterThan(0);
    expect(found.length).toBeGreaterThan(0);
  });
});
