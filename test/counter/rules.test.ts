// The PN-counter's step rule (sim/protocols/counter/rules.ts): state-inflation, proven by a planted bug
// and clean on the correct counter; seeds searched, not named.

import { describe, expect, it } from 'vitest';
import type { SimView } from '../../sim/engine/types.ts';
import { fuzz } from '../../sim/fuzz/fuzz.ts';
import { counterFuzzWorkload } from '../../sim/protocols/counter/fuzz-workload.ts';
import { addsAppliedOnceRule, stateInflationRule } from '../../sim/protocols/counter/rules.ts';
import type { TraceEvent } from '../../sim/engine/types.ts';
import { parseScenario } from '../../sim/scenario/resolve.ts';

function base(config: Record<string, unknown> = {}) {
  return parseScenario({ name: 'counter-rules', description: 'counter under generated faults', protocol: 'counter', config: { opsUntil: '1.5s', ...config }, duration: '3s' });
}

/** A view with only what the rule reads: the actor and each replica's published state. */
function viewOf(states: Record<string, unknown>, actor?: string): SimView {
  return { actor, published: (id: string) => states[id] } as unknown as SimView;
}

describe('state-inflation', () => {
  it('flags an entry that goes down, at the step, and nothing while entries only grow', () => {
    const rule = stateInflationRule(['n1', 'n2']);
    const at = (n1: [number, number], n2: [number, number], actor?: string) => rule.check(viewOf({ n1: { design: 'pn-counter', entries: { n1, n2 } }, n2: { design: 'pn-counter', entries: { n2 } } }, actor));
    expect(at([1, 0], [0, 0])).toBeUndefined();
    expect(at([2, 0], [3, 1], 'n1')).toBeUndefined();
    expect(at([2, 0], [2, 1], 'n1')).toMatch(/^n1's entry for n2 went from \[P 3, N 1\] to \[P 2, N 1\]/);
  });

  it('catches the planted gCounterWithDecrements (P lowered by a negative delta) within 20 runs of some campaign seed 1-5', () => {
    const found = [1, 2, 3, 4, 5].some((seed) => fuzz({ scenario: base({ bugs: { gCounterWithDecrements: true } }), runs: 20, seed, shrink: false }).failures[0]?.violation.invariant === 'state-inflation');
    expect(found).toBe(true);
  }, 120_000);

  it('holds on the correct PN-counter (state and delta gossip, drawn workloads, duplication bursts among the faults), seeds 1-3', () => {
    for (const seed of [1, 2, 3]) {
      const report = fuzz({ scenario: base(), runs: 40, seed, workload: counterFuzzWorkload, shrink: false });
      expect(report.failures.map((f) => `${f.violation.invariant}: ${f.violation.message}`)).toEqual([]);
    }
  }, 300_000);
});

/** A trace event without its seq and time (the feed numbers them). */
type Ev = Record<string, unknown>;

describe('adds-applied-once', () => {
  /** Feed trace events, then judge n1's publish of its own entry as the acting replica. */
  function judge(events: Ev[], own: [number, number]): string | undefined {
    const rule = addsAppliedOnceRule(['n1', 'n2']);
    events.forEach((e, seq) => rule.observe?.({ ...e, seq, t: 0 } as unknown as TraceEvent, {} as SimView));
    return rule.check(viewOf({ n1: { design: 'pn-counter', entries: { n1: own } } }, 'n1'));
  }
  const add = (id: number, sendId: number, delta: number): Ev[] => [
    { type: 'send', id: sendId, from: 'c1', to: 'n1', msg: { type: 'add', id, delta } } ,
    { type: 'deliver', id: sendId, from: 'c1', to: 'n1' },
  ];

  it('flags an own entry above the distinct adds delivered (a late copy of add 1 applied again after add 2), and nothing at or below it', () => {
    const copy = { type: 'duplicate', id: 9, of: 1, from: 'c1', to: 'n1' };
    const events = [...add(1, 1, 5), ...add(2, 2, -3), copy, { type: 'deliver', id: 9, from: 'c1', to: 'n1' }];
    expect(judge(events, [5, 3])).toBeUndefined();
    expect(judge(events, [10, 3])).toBe("n1's own entry is [P 10, N 3], but the distinct adds delivered to it sum to [P 5, N 3]: a request was applied more than once");
    // An add sent but never delivered gives no room.
    expect(judge([add(1, 1, 5)[0]!], [5, 0])).toMatch(/sum to \[P 0, N 0\]/);
  });
});
