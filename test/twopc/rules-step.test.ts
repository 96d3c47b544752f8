// Two-phase commit step rules (sim/protocols/twopc/rules.ts; the nodes' paper
// rules as tables are in rules.test.ts): each fires at the first wrong step of
// a planted bug, before atomicity sees the damage, and never on the correct
// protocol.

import { describe, expect, it } from 'vitest';
import { fuzz, runScenario, strategyWorkload } from '../../sim/fuzz/fuzz.ts';
import { parseScenario } from '../../sim/scenario/resolve.ts';
import { callHooks } from '../../sim/engine/hooks.ts';
import type { SimView, TraceEvent } from '../../sim/api/index.ts';
import { twopcRules } from '../../sim/protocols/twopc/rules.ts';
import type { ParticipantState } from '../../sim/protocols/twopc/state.ts';
import type { Scenario } from '../../sim/scenario/schema.ts';
import preparedPeerGuesses from '../../scenarios/twopc-prepared-peer-guesses.ts';
import decidesAlone from '../../scenarios/twopc-in-doubt-decides-alone.ts';

const FIGURE = ['atomicity', 'commit-validity', 'decision-stable', 'money-conserved', 'locks-released', 'cooperative-termination', 'in-doubt-resolves'];

function violations(s: Scenario): [string, string][] {
  return runScenario(s).violations.map((v) => [v.invariant, v.message]);
}

describe('twopc step rules', () => {
  it('answers-known-outcome: a prepared participant that answers a peer "abort" (preparedPeerAnswersAbort) is caught at the answer, 60 ms before the atomicity violation; the correct protocol passes', () => {
    const s = parseScenario(preparedPeerGuesses);
    expect(runScenario(s).violations[0]).toMatchObject({ invariant: 'answers-known-outcome', message: "p1 answered p2's cooperative-termination query with abort of c1.0, but it is prepared itself" });
    const withoutRules = parseScenario({ ...preparedPeerGuesses, checkers: FIGURE, expect: undefined });
    expect(violations(withoutRules)).toEqual([['atomicity', 'c1.0 committed at p1 but aborted at p2']]);
    expect(runScenario(s).violations[0]!.t).toBeLessThan(runScenario(withoutRules).violations[0]!.t);
    expect(violations(parseScenario({ ...preparedPeerGuesses, config: { ...preparedPeerGuesses.config, bugs: {} }, expect: undefined }))).toEqual([]);
  });

  it('in-doubt-waits: a participant that voted yes and aborts on its own timeout (inDoubtDecidesAlone) is caught; the correct protocol passes', () => {
    const only = parseScenario({ ...decidesAlone, checkers: ['in-doubt-waits'], expect: undefined });
    const v = runScenario(only).violations;
    expect(v.map((x) => x.invariant)).toEqual(['in-doubt-waits']);
    expect(v[0]!.message).toMatch(/voted yes for c1\.0 and then aborted it before any outcome reached it/);
    const correct = parseScenario({ ...decidesAlone, config: { ...decidesAlone.config, bugs: {} }, expect: undefined });
    expect(violations(correct)).toEqual([]);
  });

  it('correct twopc under guided fuzzing with the default workload (cooperative termination drawn), seeds 1-2, 30 runs each: no violation', () => {
    const workload = strategyWorkload('twopc', 'guided');
    const s = parseScenario({ name: 'twopc-fuzz', description: 'rules', protocol: 'twopc', duration: '5s' });
    for (const seed of [1, 2]) {
      const r = fuzz({ scenario: s, runs: 30, seed, strategy: 'guided', shrink: false, keepGoing: true, ...(workload ? { workload } : {}) });
      expect(r.failures.map((f) => `${f.violation.invariant}: ${f.violation.message}`)).toEqual([]);
    }
  });
});

/** Feed steps of trace events to the step rules (each step then checked with a view of the durable disks at its end); the first violation of each rule, by name. */
function feed(steps: { events: TraceEvent[]; durable?: Record<string, Record<string, unknown>> }[]): Record<string, string | undefined> {
  const rules = twopcRules(['p1', 'p2']);
  const out: Record<string, string | undefined> = {};
  let seq = 0;
  for (const step of steps) {
    const view = { durable: (id: string) => new Map(Object.entries(step.durable?.[id] ?? {})) } as unknown as SimView;
    for (const ev of step.events) {
      seq++;
      for (const r of rules) if (r.on) callHooks(r.on, { ...ev, seq } as TraceEvent);
    }
    for (const r of rules) {
      const v = r.check(view);
      if (v !== undefined && out[r.name] === undefined) out[r.name] = v;
    }
  }
  return out;
}
const pub = (node: string, txs: Record<string, ParticipantState['txs'][string]>): TraceEvent => ({ seq: 0, t: 0, type: 'state', node, state: { txs, inDoubt: Object.keys(txs).filter((t) => txs[t] === 'prepared'), balance: 0, locks: {} } });
const sent = (id: number, from: string, to: string, msg: Record<string, unknown>): TraceEvent => ({ seq: 0, t: 0, type: 'send', id, from, to, msg } as TraceEvent);
const delivered = (id: number, from: string, to: string): TraceEvent => ({ seq: 0, t: 0, type: 'deliver', id, from, to });

describe('acts-on-outcome (TwoPhase RMRcvCommitMsg / RMRcvAbortMsg; BHG 7.4)', () => {
  it('a prepared participant told commit by a decided peer that stays prepared is caught at that step; one that commits, or is told while working, is not', () => {
    const prepared = { events: [pub('p2', { t1: 'prepared' })] };
    const answer = [sent(1, 'p1', 'p2', { type: 'peer-answer', tx: 't1', outcome: 'commit' }), delivered(1, 'p1', 'p2')];
    expect(feed([prepared, { events: answer }])['acts-on-outcome']).toBe('p2 is in doubt about t1 and p1 told it commit, but it stayed prepared');
    expect(feed([prepared, { events: [...answer, pub('p2', { t1: 'committed' })] }])['acts-on-outcome']).toBeUndefined();
    // An uncertain answer tells nothing; a decision to a participant that has not voted is not judged here.
    expect(feed([prepared, { events: [sent(1, 'p1', 'p2', { type: 'peer-answer', tx: 't1', outcome: 'uncertain' }), delivered(1, 'p1', 'p2')] }])['acts-on-outcome']).toBeUndefined();
    expect(feed([{ events: [pub('p2', { t1: 'working' })] }, { events: [sent(1, 'co', 'p2', { type: 'decision', tx: 't1', commit: false }), delivered(1, 'co', 'p2')] }])['acts-on-outcome']).toBeUndefined();
  });
});

describe('abort-alone-forced (TCommit: an aborted RM never prepares; BHG 7.3)', () => {
  it('a unilateral abort (working -> aborted, no outcome delivered) without the abort record on disk at the end of the step is caught; with it, or an abort learned from the coordinator (presumed, lazy), is not', () => {
    const working = { events: [pub('p1', { t1: 'working' })] };
    expect(feed([working, { events: [pub('p1', { t1: 'aborted' })] }])['abort-alone-forced']).toBe('p1 aborted t1 alone (no outcome reached it) but its disk holds no record of it: a unilateral abort is forced before it is acted on');
    expect(feed([working, { events: [pub('p1', { t1: 'aborted' })], durable: { p1: { 'tx/t1': { state: 'aborted' } } } }])['abort-alone-forced']).toBeUndefined();
    // A lock conflict aborts a transaction first seen in that step: judged the same.
    expect(feed([{ events: [pub('p1', { t1: 'aborted' })] }])['abort-alone-forced']).toMatch(/^p1 aborted t1 alone/);
    expect(feed([working, { events: [sent(1, 'co', 'p1', { type: 'decision', tx: 't1', commit: false }), delivered(1, 'co', 'p1'), pub('p1', { t1: 'aborted' })] }])['abort-alone-forced']).toBeUndefined();
  });
});
