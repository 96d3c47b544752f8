// Isolation rules of two-phase commit (sim/protocols/twopc/rules-isolation.ts):
// `strict-two-phase-locking` and `no-overdraft`, shown loud on hand-made traces of
// the wrong step (a prepared transaction that comes back from a restart without its
// locks and a second transfer let in on its account; a commit that overdraws) and
// quiet on the right ones, whatever the shard size. The outside mutant
// testdata/mutants/twopc/locksNotRetakenOnRecovery.json is their end-to-end test
// (scripts/mutants.mjs; figures in sim/protocols/twopc/README.md); correct twopc under
// guided fuzzing with every checker is test/twopc/rules-step.test.ts's quiet campaign.

import { describe, expect, it } from 'vitest';
import type { Checker, TraceEvent } from '../../sim/api/index.ts';
import { parseScenario } from '../../sim/scenario/resolve.ts';
import { callHooks } from '../../sim/engine/hooks.ts';
import { runScenario } from '../../sim/fuzz/fuzz.ts';
import { twopcIsolationRules } from '../../sim/protocols/twopc/rules-isolation.ts';
import type { ParticipantState } from '../../sim/protocols/twopc/state.ts';
import type { Op } from '../../sim/protocols/twopc/accounts.ts';
import participantRecovery from '../../scenarios/twopc-participant-recovery.ts';

type Step = { work: [string, string, Op[]] } | { state: [string, ParticipantState] };

/** Feed the steps to both rules' typed hooks (as the engine does), as trace events; the first violation of each, by name. */
function run(steps: Step[], initialBalance = 10): Record<string, string | undefined> {
  const rules: Checker[] = twopcIsolationRules(['p1', 'p2'], initialBalance);
  const out: Record<string, string | undefined> = {};
  let seq = 0;
  for (const s of steps) {
    const ev: TraceEvent =
      'work' in s
        ? { seq: seq++, t: 0, type: 'send', id: seq, from: 'co', to: s.work[0], msg: { type: 'work', tx: s.work[1], epoch: 1, ops: s.work[2], participants: ['p1', 'p2'] } }
        : { seq: seq++, t: 0, type: 'state', node: s.state[0], state: s.state[1] };
    for (const r of rules) {
      if (r.on) callHooks(r.on, ev);
      const v = r.check({} as never);
      if (v !== undefined && out[r.name] === undefined) out[r.name] = v;
    }
  }
  return out;
}

const st = (txs: Record<string, ParticipantState['txs'][string]>, locks: Record<string, string>, balance = 40): { state: [string, ParticipantState] } => ({
  state: ['p1', { txs, inDoubt: Object.keys(txs).filter((t) => txs[t] === 'prepared'), balance, locks }],
});
const debit = (account: string, delta: number): Op[] => [{ account, delta }];

describe('strict-two-phase-locking (BHG ch. 3 and 7)', () => {
  it('correct: a transaction holds its locks while working and prepared, across a restart, and a second one on the account comes only after the first resolves', () => {
    expect(
      run([
        { work: ['p1', 'c1.0', debit('a0', -5)] },
        st({ 'c1.0': 'working' }, { a0: 'c1.0' }),
        st({ 'c1.0': 'prepared' }, { a0: 'c1.0' }),
        st({ 'c1.0': 'prepared' }, { a0: 'c1.0' }), // after a restart: recovery re-took the lock
        { work: ['p1', 'c2.0', debit('a0', -5)] },
        st({ 'c1.0': 'prepared', 'c2.0': 'aborted' }, { a0: 'c1.0' }), // conflict: c2.0 aborts alone
        st({ 'c1.0': 'committed', 'c2.0': 'aborted' }, {}, 35),
        { work: ['p1', 'c2.1', debit('a0', -5)] },
        st({ 'c1.0': 'committed', 'c2.0': 'aborted', 'c2.1': 'working' }, { a0: 'c2.1' }, 35),
      ]),
    ).toEqual({});
  });

  it('a prepared transaction back from a restart without its lock is a violation at that publish (whatever the shard size)', () => {
    const v = run([{ work: ['p1', 'c1.0', [...debit('a0', -5), ...debit('a3', 5)]] }, st({ 'c1.0': 'prepared' }, { a0: 'c1.0', a3: 'c1.0' }), st({ 'c1.0': 'prepared' }, {})]);
    expect(v['strict-two-phase-locking']).toBe('p1 has c1.0 prepared but a0, which it writes, is unlocked: an undecided transaction holds its locks until the outcome (a prepared one across restarts: recovery re-takes them)');
  });

  it('a second transaction let in on an account an undecided one writes is a violation', () => {
    const v = run([
      { work: ['p1', 'c1.0', debit('a0', -5)] },
      { work: ['p1', 'c2.0', debit('a0', -7)] },
      st({ 'c1.0': 'prepared', 'c2.0': 'working' }, { a0: 'c2.0' }),
    ]);
    expect(v['strict-two-phase-locking']).toMatch(/^p1 has c1\.0 prepared but a0, which it writes, is locked by c2\.0|^p1 has c1\.0 and c2\.0 both undecided and both writing a0/);
  });

  it('a transaction whose work the trace never showed is not judged', () => {
    expect(run([st({ 'c9.0': 'prepared' }, {})])).toEqual({});
  });
});

describe('no-overdraft', () => {
  it('two commits that each passed the funds check alone but together overdraw an account are a violation at the second commit', () => {
    const v = run([
      { work: ['p1', 'c1.0', debit('a0', -8)] },
      { work: ['p1', 'c2.0', debit('a0', -8)] },
      st({ 'c1.0': 'committed' }, {}, 32),
      st({ 'c1.0': 'committed', 'c2.0': 'committed' }, {}, 24),
    ]);
    expect(v['no-overdraft']).toBe('p1 committed c2.0, taking a0 to -6: an account never goes below zero (the funds check holds under the lock until the commit)');
  });

  it('a commit published again (a later publish, a restart) is replayed once; credits count', () => {
    expect(
      run([
        { work: ['p1', 'c1.0', debit('a0', -8)] },
        { work: ['p1', 'c2.0', debit('a0', 5)] },
        { work: ['p1', 'c3.0', debit('a0', -7)] },
        st({ 'c1.0': 'committed' }, {}),
        st({ 'c1.0': 'committed' }, {}),
        st({ 'c1.0': 'committed', 'c2.0': 'committed' }, {}),
        st({ 'c1.0': 'committed', 'c2.0': 'committed', 'c3.0': 'committed' }, {}),
      ]),
    ).toEqual({});
  });

  it('a negative shard balance is a violation', () => {
    expect(run([st({}, {}, -1)])['no-overdraft']).toBe('p1 published a shard balance of -1, below zero');
  });
});

describe('end to end on correct twopc', () => {
  it('twopc-participant-recovery (p2 crashes prepared and re-takes its lock at recovery, 10-account shards): the rules run and stay quiet', () => {
    const r = runScenario(parseScenario(participantRecovery), { trace: true });
    expect(r.violations.map((v) => `${v.invariant}: ${v.message}`)).toEqual([]);
    // the judged case happened: p2's first publish after its restart shows the prepared transaction holding its lock
    const events = (r.trace ?? '').split('\n').filter((l) => l.startsWith('{"seq"')).map((l) => JSON.parse(l) as TraceEvent);
    const restart = events.findIndex((e) => e.type === 'restart' && e.node === 'p2');
    const after = events.slice(restart).find((e) => e.type === 'state' && e.node === 'p2');
    const st = after?.type === 'state' ? (after.state as ParticipantState) : undefined;
    expect(restart).toBeGreaterThan(0);
    expect(st?.inDoubt.length).toBe(1);
    expect(Object.values(st?.locks ?? {})).toEqual(st?.inDoubt);
  });
});
