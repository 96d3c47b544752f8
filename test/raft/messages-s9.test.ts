// The engine reports one violation per step: the first checker of the protocol's list that fails
// after it (sim/engine/checking.ts). Raft lists its step rules (rules.ts) before the Figure 3
// invariants, so a wrong step that breaks both at once is reported as the step rule, the cause:
// with electionQuorumOffByOne, two candidates of one term each "win" with two votes of five, and the
// second win is both the wrong step (leader-has-vote-quorum) and the damage (election-safety).
// Also: raft's liveness messages show durations as text (formatDuration), not raw µs.

import { describe, expect, it } from 'vitest';
import type { Violation } from '../../sim/engine/types.ts';
import { runScenario } from '../../sim/fuzz/fuzz.ts';
import { raft } from '../../sim/protocols/raft/protocol.ts';
import { raftRules } from '../../sim/protocols/raft/rules.ts';
import { ServerProbe } from '../../sim/protocols/raft/checkers.ts';
import { parseScenario } from '../../sim/scenario/resolve.ts';

const FIGURE_3 = ['election-safety', 'leader-append-only', 'log-matching', 'leader-completeness', 'state-machine-safety'];
const RULE = 'leader-has-vote-quorum';

/** A fault-free 5-server cluster with the planted bug, short timeouts so elections race (the shape a shrunk campaign failure takes). */
function cluster(seed: number, checkers?: string[]) {
  return parseScenario({
    name: 'quorum-off-by-one',
    description: 'two leaders of one term, each with two votes of five',
    protocol: 'raft',
    seed,
    duration: '1s',
    config: { servers: 5, clients: 2, electionTimeout: { min: '100ms', max: '200ms' }, heartbeat: '33ms', checkQuorum: false, client: { keys: 1 }, bugs: { electionQuorumOffByOne: true } },
    network: { latency: { kind: 'uniform', min: '1ms', max: '10ms' } },
    ...(checkers ? { checkers } : {}),
  });
}

/** The first violation of a traced run (its seq and cause are those of the trace). */
const first = (seed: number, checkers?: string[]): Violation | undefined => runScenario(cluster(seed, checkers), { trace: true }).violations[0];
const at = (v: Violation | undefined) => (v === undefined ? undefined : { t: v.t, cause: v.cause });

describe('raft: a step rule is reported before a Figure 3 invariant broken at the same step', () => {
  it('seeds 1-30: the run reports the earliest violation, and at a step that breaks both, leader-has-vote-quorum (some seed has such a step: 2 of 30 at this commit, seed 10 among them)', () => {
    let both = 0;
    for (let seed = 1; seed <= 30; seed++) {
      const all = first(seed);
      const rule = first(seed, [RULE]);
      const inv = first(seed, FIGURE_3);
      if (rule === undefined) {
        expect([seed, all?.invariant]).toEqual([seed, inv?.invariant]);
        continue;
      }
      // The rule never fires later than the damage it precedes.
      if (inv !== undefined) expect(rule.t).toBeLessThanOrEqual(inv.t);
      if (inv !== undefined && inv.t === rule.t && inv.cause === rule.cause) {
        both++;
        expect(inv.message).toMatch(/were both elected leader of term \d+/);
      }
      expect([seed, all?.invariant, at(all)]).toEqual([seed, RULE, at(rule)]);
      expect(all?.message).toMatch(/became leader of term \d+ with the votes of \S+, \S+ only: a majority of 5 servers is 3/);
    }
    expect(both).toBeGreaterThan(0);
  });

  it('the step rules are the first checkers of the list (before the Figure 3 invariants and liveness)', () => {
    const names = raft.build(raft.configSchema.parse({}), {} as never).checkers.map((c) => c.name);
    const rules = raftRules(new ServerProbe(['n1'])).map((c) => c.name);
    expect(names.slice(0, rules.length)).toEqual(rules);
    expect(names.slice(rules.length)).toEqual(expect.arrayContaining([...FIGURE_3, 'leader-elected', 'ops-complete']));
  });
});
