// The fast twopc abstract state (coverage.ts, written for speed) against its
// straightforward definition, kept here as the reference: the same string on every
// step of runs with crashes, partitions, several shard sizes, cooperative termination
// and planted bugs, so guided fuzzing's corpus and run sequence are unchanged.

import { describe, expect, it } from 'vitest';
import { Simulation } from '../../sim/engine/simulation.ts';
import type { Checker, SimView } from '../../sim/engine/types.ts';
import { twopcAbstractState } from '../../sim/protocols/twopc/coverage.ts';
import type { CoordinatorState, ParticipantState } from '../../sim/protocols/twopc/state.ts';
import { parseScenario, prepareRun } from '../../sim/scenario/resolve.ts';

const PHASE: Record<string, string> = { working: 'w', prepared: 'p', committed: 'c', aborted: 'a', preparing: 'P', committing: 'C', aborting: 'A', done: 'D' };

/** The definition: every live transaction's shape, sorted by rank, the top one kept. */
function reference(view: SimView): string {
  let coordinator: CoordinatorState | undefined;
  let coordinatorDown = false;
  const participants: ParticipantState[] = [];
  let participantsDown = 0;
  for (const id of view.nodeIds) {
    if (view.role(id) !== 'server') continue;
    const s = view.published(id) as Record<string, unknown> | undefined;
    if (!s || typeof s !== 'object') continue;
    const up = view.isUp(id);
    if ('inDoubt' in s) {
      participants.push(s as unknown as ParticipantState);
      if (!up) participantsDown++;
    } else if ('txs' in s) {
      coordinator = s as unknown as CoordinatorState;
      coordinatorDown = !up;
    }
  }
  const txs = new Set<string>();
  for (const [tx, t] of Object.entries(coordinator?.txs ?? {})) if (t.state !== 'done') txs.add(tx);
  for (const p of participants) for (const [tx, phase] of Object.entries(p.txs)) if (phase === 'working' || phase === 'prepared') txs.add(tx);
  const shapes = new Set<string>();
  for (const tx of txs) {
    const c = coordinator?.txs[tx];
    const phases = [...new Set(participants.map((p) => PHASE[p.txs[tx] ?? '']).filter((x) => x !== undefined))].sort().join('');
    const doubt = participants.some((p) => p.inDoubt.includes(tx)) ? '?' : '';
    shapes.add(`${c ? (PHASE[c.state] ?? '-') : '-'}:${phases}${doubt}`);
  }
  const rank = (x: string): string => `${'-PACD'.indexOf(x[0] ?? '-')}${x.endsWith('?') ? 1 : 0}${x}`;
  const top = [...shapes].sort((a, b) => (rank(a) < rank(b) ? 1 : rank(a) > rank(b) ? -1 : 0))[0] ?? '';
  return `${coordinatorDown ? 'Cx' : 'C'} px${participantsDown} n${txs.size >= 2 ? '2+' : txs.size} ${top}`;
}

const CASES: { name: string; config: Record<string, unknown>; seed: number }[] = [
  { name: 'default', config: { participants: 3, clients: 5 }, seed: 1 },
  { name: 'one account per shard, cooperative', config: { participants: 4, clients: 6, accountsPerShard: 1, cooperative: true }, seed: 2 },
  { name: 'two shards, short timeouts', config: { participants: 2, clients: 3, voteTimeout: 100_000, retryInterval: 10_000, queryInterval: 30_000 }, seed: 3 },
  { name: 'planted inDoubtDecidesAlone', config: { participants: 3, clients: 4, bugs: { inDoubtDecidesAlone: true } }, seed: 4 },
];

describe('twopc abstract state (coverage.ts)', () => {
  it.each(CASES)('equals the straightforward definition at every step: $name', ({ config, seed }) => {
    const scenario = parseScenario({
      name: 'twopc-coverage-speed',
      description: 'abstract state equivalence',
      protocol: 'twopc',
      config,
      duration: '3s',
      network: { latency: { kind: 'uniform', min: '1ms', max: '10ms' }, loss: 0.02 },
      faults: {
        nemesis: { until: '2s', crash: { rate: 2, downtime: { min: '50ms', max: '400ms' } }, partition: { rate: 2, duration: { min: '50ms', max: '300ms' } } },
        timeline: [{ at: '2s', kind: 'quiesce' }],
      },
    });
    const run = prepareRun(scenario, { seed });
    const seen = new Set<string>();
    let samples = 0;
    const compare: Checker = {
      name: 'compare',
      description: 'fast and reference abstract states agree',
      when: 'always',
      check(view) {
        const fast = twopcAbstractState(view);
        const ref = reference(view);
        samples++;
        seen.add(ref);
        return fast === ref ? undefined : `fast ${fast} != reference ${ref}`;
      },
    };
    const sim = new Simulation({ seed: run.seed, nodes: run.nodes, config: run.engine, faults: run.timeline, checkers: [compare], isolate: 'freeze' });
    const r = sim.run(scenario.duration);
    expect(r.violations.map((v) => v.message)).toEqual([]);
    expect(samples).toBeGreaterThan(100);
    // The runs reach many shapes (several live transactions, in doubt, nodes down), not one.
    expect(seen.size).toBeGreaterThan(8);
  });
});
