// The fenced resource's step rule (sim/protocols/lock/rules.ts): fence-monotonic. Proven by the
// forgetting it exists for (a resource that restarts without its fsynced fence: the fenceNotDurable
// outside mutant, as published states) and clean on the correct lock service (seeds 1-3).

import { describe, expect, it } from 'vitest';
import type { SimView } from '../../sim/engine/types.ts';
import { fuzz } from '../../sim/fuzz/fuzz.ts';
import { lockFuzzWorkload } from '../../sim/protocols/lock/fuzz-workload.ts';
import { fenceMonotonicRule } from '../../sim/protocols/lock/rules.ts';
import { parseScenario } from '../../sim/scenario/resolve.ts';

const viewOf = (highestToken: number | undefined, actor?: string): SimView =>
  ({ actor, published: (id: string) => (id === 'r1' && highestToken !== undefined ? { highestToken, accepted: 0, rejected: 0 } : undefined) }) as unknown as SimView;

describe('fence-monotonic', () => {
  it('flags a resource that publishes a lower highest token (a restart that lost the fence), not one that keeps or raises it', () => {
    const rule = fenceMonotonicRule('r1');
    expect(rule.check(viewOf(undefined))).toBeUndefined();
    expect(rule.check(viewOf(3, 'r1'))).toBeUndefined();
    expect(rule.check(viewOf(3, 'c1'))).toBeUndefined();
    expect(rule.check(viewOf(5))).toBeUndefined(); // after a fault step (no actor): rescanned
    expect(rule.check(viewOf(0))).toBe('r1 published highest token 0 after 5: it forgot a fencing token it had accepted (a restart without the fsynced fence?)');
  });

  it('holds on the correct lock service under generated faults (resource crashes, duplication bursts), seeds 1-3', () => {
    const base = parseScenario({ name: 'lock-fence-rule', description: 'lock under generated faults', protocol: 'lock', duration: '3s' });
    for (const seed of [1, 2, 3]) {
      const report = fuzz({ scenario: base, runs: 30, seed, workload: lockFuzzWorkload, shrink: false, faults: { nodes: ['s1', 'r1'] } });
      expect(report.failures.map((f) => `${f.violation.invariant}: ${f.violation.message}`)).toEqual([]);
    }
  }, 300_000);
});
