// The engine reports one violation per step, the first checker of the list that fails after it
// (sim/engine/checking.ts). twopc lists its step rules (rules.ts) first, so a wrong step that also
// breaks atomicity at once is reported as the step rule, the cause.

import { describe, expect, it } from 'vitest';
import { runScenario } from '../../sim/fuzz/fuzz.ts';
import { twopc } from '../../sim/protocols/twopc/protocol.ts';
import { parseScenario } from '../../sim/scenario/resolve.ts';
import decidesAlone from '../../scenarios/twopc-in-doubt-decides-alone.ts';

const RULES = ['in-doubt-waits', 'answers-known-outcome'];
const STATE = ['atomicity', 'commit-validity', 'decision-stable', 'money-conserved', 'locks-released', 'cooperative-termination', 'in-doubt-resolves'];

describe('twopc: a step rule is reported before an invariant broken at the same step', () => {
  it('inDoubtDecidesAlone: the abort breaks in-doubt-waits and atomicity in one step; the run reports in-doubt-waits', () => {
    const first = (checkers?: string[]) => runScenario(parseScenario({ ...decidesAlone, expect: 'no-violation', ...(checkers ? { checkers } : {}) }), { trace: true }).violations[0];
    const all = first();
    const state = first(STATE);
    expect(state?.invariant).toBe('atomicity');
    expect(all?.invariant).toBe('in-doubt-waits');
    expect({ t: all?.t, cause: all?.cause }).toEqual({ t: state?.t, cause: state?.cause });
    expect(all?.message).toMatch(/voted yes for c1\.0 and then aborted it before any outcome reached it/);
  });

  it('the step rules are the first checkers of the list', () => {
    const names = twopc.build(twopc.configSchema.parse({}), {} as never).checkers.map((c) => c.name);
    expect(names.slice(0, RULES.length)).toEqual(RULES);
    expect(names.slice(RULES.length)).toEqual(expect.arrayContaining(STATE));
  });
});
