// The two-phase commit scenarios: each one's story, checked in its trace
// (in-doubt intervals, who resolved what and how, outcomes the client saw).

import { describe, expect, it } from 'vitest';
import type { ParticipantState } from '../../sim/protocols/twopc/state.ts';
import coordinatorCrash from '../../scenarios/twopc-coordinator-crash.ts';
import participantCrash from '../../scenarios/twopc-participant-crash.ts';
import decisionLost from '../../scenarios/twopc-decision-lost.ts';
import coordinatorPartition from '../../scenarios/twopc-coordinator-partition.ts';
import cooperative from '../../scenarios/twopc-cooperative-termination.ts';
import inDoubtAlone from '../../scenarios/twopc-in-doubt-decides-alone.ts';
import commitBeforeLog from '../../scenarios/twopc-commit-before-log.ts';
import voteWithoutLog from '../../scenarios/twopc-vote-without-log.ts';
import transfers from '../../scenarios/twopc-transfers.ts';
import { inDoubtIntervals, logs, openInDoubt, run, stateAt } from './helpers.ts';
import coordinatorRecovery from '../../scenarios/twopc-coordinator-recovery.ts';
import participantRecovery from '../../scenarios/twopc-participant-recovery.ts';
import { parseScenario } from '../../sim/scenario/resolve.ts';
import { InputError } from '../../sim/scenario/errors.ts';

const returns = (r: ReturnType<typeof run>): string[] => r.events.flatMap((e) => (e.type === 'return' ? [e.outcome] : []));

describe('twopc scenarios', () => {
  it('coordinator crash after prepare, all votes yes: both participants block in doubt until it recovers, then abort by presumption', () => {
    const r = run(coordinatorCrash);
    expect(r.result.violations).toEqual([]);
    for (const p of ['p1', 'p2']) {
      const [i, ...rest] = inDoubtIntervals(r.events, p);
      expect(rest).toEqual([]);
      // In doubt from the yes vote (41 ms) to the first query answered after the restart at 1 s.
      expect(i).toMatchObject({ tx: 'c1.0', from: 41, outcome: 'aborted', via: 'coordinator' });
      expect(i!.to).toBeGreaterThan(1000);
      expect(i!.to).toBeLessThan(1000 + 150 + 20);
      // While blocked, the published state shows it, locks and all.
      expect(stateAt(r.events, p, 900_000)).toMatchObject({ txs: { 'c1.0': 'prepared' }, inDoubt: ['c1.0'] });
      expect((stateAt(r.events, p, 2_000_000) as unknown as ParticipantState).inDoubt).toEqual([]);
    }
    // Its queries while the coordinator was down were lost.
    const lost = r.events.filter((e) => e.type === 'drop' && e.to === 'co' && e.reason === 'crashed');
    expect(lost.length).toBeGreaterThanOrEqual(2 * 6);
    expect(returns(r)).toEqual(['info']);
  });

  it('participant crash before voting: the coordinator times out and aborts; the other participant leaves doubt', () => {
    const r = run(participantCrash);
    expect(r.result.violations).toEqual([]);
    expect(inDoubtIntervals(r.events, 'p1')).toEqual([{ tx: 'c1.0', from: 41, to: 241, outcome: 'aborted', via: 'coordinator' }]);
    expect(inDoubtIntervals(r.events, 'p2')).toEqual([]);
    expect(stateAt(r.events, 'p2', 1_000_000)).toEqual({ txs: {}, inDoubt: [], balance: 1000, locks: {} });
    expect(returns(r)).toEqual(['fail']);
  });

  it('lost decision: p1 commits at once, p2 stays in doubt until the heal lets a re-send or an answer through', () => {
    const r = run(decisionLost);
    expect(r.result.violations).toEqual([]);
    expect(inDoubtIntervals(r.events, 'p1')).toEqual([{ tx: 'c1.0', from: 41, to: 61, outcome: 'committed', via: 'coordinator' }]);
    const [p2] = inDoubtIntervals(r.events, 'p2');
    expect(p2).toMatchObject({ outcome: 'committed', via: 'coordinator' });
    expect(p2!.to).toBeGreaterThan(600);
    expect(p2!.to).toBeLessThan(600 + 170);
    const blocked = r.events.filter((e) => e.type === 'drop' && e.from === 'co' && e.to === 'p2' && e.reason === 'partition');
    expect(blocked.length).toBeGreaterThanOrEqual(6); // the decision, re-sends and query answers
    expect(returns(r)).toEqual(['ok']);
  });

  it('cooperative termination: p2 learns the commit from p1 while the coordinator is down', () => {
    const r = run(cooperative);
    expect(r.result.violations).toEqual([]);
    expect(inDoubtIntervals(r.events, 'p2')).toEqual([{ tx: 'c1.0', from: 41, to: 361, outcome: 'committed', via: 'peer p1' }]);
    // Without it, p2 is blocked until the coordinator is back at 2.5 s.
    const classic = run(cooperative, { cooperative: false });
    expect(classic.result.violations).toEqual([]);
    const [blocked] = inDoubtIntervals(classic.events, 'p2');
    expect(blocked).toMatchObject({ outcome: 'committed', via: 'coordinator' });
    expect(blocked!.to).toBeGreaterThanOrEqual(2500);
  });

  it('coordinator recovery: the commit record without an end record is re-sent to the participant that missed it', () => {
    const r = run(coordinatorRecovery);
    expect(r.result.violations).toEqual([]);
    expect(logs(r.events, 'co')).toContainEqual([500, 'recovery: re-sending commit of c1.0']);
    expect(inDoubtIntervals(r.events, 'p2')).toEqual([{ tx: 'c1.0', from: 41, to: 510, outcome: 'committed', via: 'coordinator' }]);
  });

  it('participant recovery: prepared in the log, it comes back in doubt with its lock, asks, and commits', () => {
    const r = run(participantRecovery);
    expect(r.result.violations).toEqual([]);
    expect(stateAt(r.events, 'p2', 300_000)).toEqual({ txs: { 'c1.0': 'prepared' }, inDoubt: ['c1.0'], balance: 1000, locks: { a19: 'c1.0' } });
    expect(inDoubtIntervals(r.events, 'p2')).toEqual([{ tx: 'c1.0', from: 41, to: 320, outcome: 'committed', via: 'coordinator' }]);
    // The in-doubt time is measured from the yes vote, across the crash.
    expect(logs(r.events, 'p2').at(-1)).toEqual([320, 'resolved c1.0: committed via coordinator after 279.000 ms in doubt']);
    const p2 = r.events.filter((e) => e.type === 'send' && e.from === 'p2').map((e) => (e.type === 'send' ? e.msg : null));
    expect(p2.slice(-2)).toEqual([{ type: 'query', tx: 'c1.0' }, { type: 'ack', tx: 'c1.0' }]);
  });

  it('a partition isolating the coordinator holds transactions in doubt across it, and all resolve after the heal', () => {
    const r = run(coordinatorPartition);
    expect(r.result.violations).toEqual([]);
    const spanning = ['p1', 'p2', 'p3'].flatMap((p) => inDoubtIntervals(r.events, p)).filter((i) => i.from < 300 && i.to > 900);
    expect(spanning.length).toBeGreaterThan(0);
    // After the heal every interval that was open closes within a few query intervals.
    const all = ['p1', 'p2', 'p3'].flatMap((p) => inDoubtIntervals(r.events, p));
    expect(all.filter((i) => i.from < 900 && i.to > 900 + 400)).toEqual([]);
    for (const p of ['p1', 'p2', 'p3']) {
      const s = stateAt(r.events, p, 2_500_000) as unknown as ParticipantState;
      const open = openInDoubt(r.events, p);
      expect(open.map(([tx]) => tx).sort()).toEqual([...s.inDoubt].sort());
      expect(open.filter(([, from]) => from < 2500 - 2 * 150 - 50)).toEqual([]); // at most two query intervals old
    }
    // With a bounded workload everything settles: no doubt, no locks, and the money is all there.
    const bounded = run(coordinatorPartition, { transfers: 15 });
    expect(bounded.result.violations).toEqual([]);
    let total = 0;
    for (const p of ['p1', 'p2', 'p3']) {
      const s = stateAt(bounded.events, p, 2_500_000) as unknown as ParticipantState;
      expect(Object.values(s.txs).filter((st) => st === 'working' || st === 'prepared')).toEqual([]);
      total += s.balance;
    }
    expect(total).toBe(3 * 10 * 100);
    expect(returns(bounded).filter((o) => o === 'ok').length).toBeGreaterThan(20);
  });

  it('the transfer workload under the nemesis commits and aborts transfers, keeps every invariant, and is deterministic', () => {
    const a = run(transfers);
    expect(a.result.violations).toEqual([]);
    const outcomes = returns(a);
    expect(outcomes.filter((o) => o === 'ok').length).toBeGreaterThan(50);
    expect(outcomes.filter((o) => o === 'fail').length).toBeGreaterThan(10);
    expect(run(transfers).result.hash).toBe(a.result.hash);
  });

  it.each([
    { name: 'in-doubt participant decides alone', input: inDoubtAlone, invariant: 'in-doubt-waits' },
    { name: 'commit sent before the decision is logged', input: commitBeforeLog, invariant: 'decision-stable' },
    { name: 'yes vote before the prepared record is forced', input: voteWithoutLog, invariant: 'in-doubt-waits' },
  ])('planted bug scenario ($name) is caught by $invariant, and is harmless with the bug off', ({ input, invariant }) => {
    const r = run(input);
    expect(r.result.violations[0]?.invariant).toBe(invariant);
    expect(r.result.expectation.held).toBe(true);
    const fixed = run(input, { bugs: {} }, { expect: 'no-violation' });
    expect(fixed.result.violations).toEqual([]);
  });
});

describe('twopc scenario input', () => {
  it('rejects a bad config with the path inside the scenario and what was expected', () => {
    const reason = (config: Record<string, unknown>): string => {
      try {
        parseScenario({ ...transfers, config }, 'scenarios/x.ts');
      } catch (err) {
        if (err instanceof InputError) return err.describe();
        throw err;
      }
      return 'accepted';
    };
    expect(reason({ participants: 1 })).toMatch(/^scenarios\/x\.ts: config\.participants: /);
    expect(reason({ amount: { min: 5, max: 2 } })).toBe('scenarios/x.ts: config.amount.max: max 2 must be >= min 5');
    expect(reason({ bugs: { noSuchBug: true } })).toMatch(/^scenarios\/x\.ts: config\.bugs\.noSuchBug: unknown key/);
    expect(reason({ participants: 4 })).toBe('accepted');
  });

  it('a chosen subset of checkers still judges liveness, even when the run goes idle before its end', () => {
    const r = run(coordinatorCrash, { bugs: { noQueryAfterRecovery: true } }, {
      checkers: ['atomicity', 'in-doubt-resolves'],
      duration: '3s',
      faults: { timeline: [{ at: '45ms', kind: 'crash', node: 'co' }, { at: '60ms', kind: 'crash', node: 'p1' }, { at: '1s', kind: 'quiesce' }] },
    });
    expect(r.result.violations[0]?.invariant).toBe('in-doubt-resolves');
    expect(r.result.violations[0]?.message).toMatch(/^1 transaction\(s\) still unresolved 1s after the quiesce point \(1s\).*p1: c1\.0/);
  });
});
