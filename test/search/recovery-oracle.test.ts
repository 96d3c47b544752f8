// The recovery oracle (sim/api/recovery.ts): durability bugs caught in short runs WITHOUT any crash
// (no fault at all), from each protocol's declared durability rule (ProtocolDefinition.recovery);
// the correct protocols stay clean, and the oracle changes nothing in a run (same trace hash).

import { describe, expect, it } from 'vitest';
import { NodeAdapter, nodeSpec, recoveryOracle, type JsonValue, type NodeSpec } from '../../sim/api/index.ts';
import { Simulation } from '../../sim/engine/simulation.ts';
import { counterRecovery } from '../../sim/protocols/counter/protocol.ts';
import { CounterReplica } from '../../sim/protocols/counter/replica.ts';
import { parseScenario, prepareRun } from '../../sim/scenario/resolve.ts';
import { runPrepared, runScenario } from '../../sim/scenario/run.ts';
import defaultScenario from '../../scenarios/default.ts';

function quiet(protocol: string, config: Record<string, unknown> = {}, duration = '5s', seed = 1): ReturnType<typeof parseScenario> {
  return parseScenario({ name: 'recovery', description: 'no faults', protocol, config, duration, seed });
}

/** The run's violations (invariant and message), with the oracle on or off; asserts no crash happened. */
function violations(protocol: string, config: Record<string, unknown>, recovery: boolean, seed = 1): { invariant: string; message: string }[] {
  const s = quiet(protocol, config, '5s', seed);
  expect(s.faults.timeline).toEqual([]);
  const r = runPrepared(prepareRun(s, { recovery }), { hash: false });
  return r.violations.map((v) => ({ invariant: v.invariant, message: v.message }));
}

describe('recovery oracle: persistence bugs found with no crash', () => {
  it('raft notPersistingVotedFor (Figure 2: votedFor persistent) -> recovery at the first vote, no fault in the run; without the oracle the run passes', () => {
    const on = violations('raft', { bugs: { notPersistingVotedFor: true } }, true);
    expect(on[0]?.invariant).toBe('recovery');
    expect(on[0]?.message).toMatch(/runs with votedFor "n\d", but its durable records give null/);
    expect(violations('raft', { bugs: { notPersistingVotedFor: true } }, false)).toEqual([]);
  });

  it('twopc voteYesWithoutLog (the prepared record not forced before the yes vote) -> recovery at the vote; commitBeforeLog (the commit record not forced) -> recovery at the coordinator', () => {
    const vote = violations('twopc', { bugs: { voteYesWithoutLog: true } }, true);
    expect(vote[0]?.invariant).toBe('recovery');
    expect(vote[0]?.message).toMatch(/^p\d sent or completed something while it runs with txs\.\S+ "prepared", but its durable records give absent/);
    const commit = violations('twopc', { bugs: { commitBeforeLog: true } }, true);
    expect(commit[0]?.invariant).toBe('recovery');
    expect(commit[0]?.message).toMatch(/^co sent or completed something while it runs with txs\.\S+\.state "committing"/);
  });

  it('lock skipFsync (the table not fsynced before the answer) -> recovery alone (checkers: ["recovery"]) catches the lost token counter', () => {
    const s = parseScenario({ ...quiet('lock', { bugs: { skipFsync: true } }), checkers: ['recovery'] });
    const r = runScenario(s, { hash: false });
    expect(r.violations[0]?.invariant).toBe('recovery');
    expect(r.violations[0]?.message).toMatch(/^s1 sent or completed something while it runs with nextToken (\(internal\) )?\d+, but its durable records give 1/);
  });

  it('counter: a replica that does not reload its request dedup table at restart (the outside mutant dedupTableNotReloaded) -> recovery at the first add, no crash', () => {
    /** The mutant, as a subclass: onStart (also recover) reloads the durable record but starts with an empty table. */
    class Forgets extends CounterReplica {
      override onStart(io: Parameters<CounterReplica['onStart']>[0]): void {
        super.onStart(io);
        const last = this.durableParts().last;
        for (const k of Object.keys(last)) delete last[k];
      }
    }
    const prepare = (): ReturnType<typeof prepareRun> => prepareRun(quiet('counter'), { recovery: false });
    const nodes: NodeSpec[] = prepare().nodes.map((n) => {
      if (n.role !== 'server') return n;
      const made = n.create();
      if (!(made instanceof NodeAdapter) || !(made.node instanceof CounterReplica)) throw new Error('expected a counter replica');
      const opts = (made.node as unknown as { o: ConstructorParameters<typeof CounterReplica>[0] }).o;
      return nodeSpec(n.id, 'server', () => new Forgets(opts));
    });
    const run = (oracle: boolean): { invariant: string; message: string }[] => {
      const prepared = prepare(); // fresh checkers for each run
      const checkers = [...prepared.checkers, ...(oracle ? [recoveryOracle(nodes, counterRecovery, prepared.seed)] : [])];
      const r = new Simulation({ seed: prepared.seed, nodes, config: prepared.engine, faults: [], checkers }).run(prepared.scenario.duration);
      return r.violations.map((v) => ({ invariant: v.invariant, message: v.message }));
    };
    const on = run(true);
    expect(on[0]?.invariant).toBe('recovery');
    expect(on[0]?.message).toMatch(/runs with last \(internal\) \{"c\d+":\d+\}, but its durable records give \{\}/);
    expect(run(false)).toEqual([]);
  });
});

describe('recovery oracle: correct protocols stay clean and runs are unchanged', () => {
  it.each([
    ['raft', {}],
    ['raft', { snapshotEvery: 10, preVote: true }],
    ['counter', {}],
    ['counter', { gossip: 'delta' }],
    ['counter', { design: 'raft' }],
    ['twopc', {}],
    ['lock', {}],
  ] as [string, Record<string, unknown>][])('%s %j: no violation, and the same trace hash with the oracle on and off', (protocol, config) => {
    for (const seed of [1, 2]) {
      const s = quiet(protocol, config, '5s', seed);
      const on = runPrepared(prepareRun(s, { recovery: true }));
      const off = runPrepared(prepareRun(s, { recovery: false }));
      expect(on.violations).toEqual([]);
      expect(on.hash).toBe(off.hash);
    }
  });

  it('scenarios/default.ts (faults: crashes, partitions) prints the same hash with the oracle on and off, with no violation', () => {
    const s = parseScenario(defaultScenario);
    const on = runPrepared(prepareRun(s, { recovery: true }));
    const off = runPrepared(prepareRun(s, { recovery: false }));
    expect(on.violations).toEqual([]);
    expect(on.hash).toBe(off.hash);
  });

  it('a protocol that declares no durability rule gets no oracle; a scenario may switch it off or list it', () => {
    const names = (s: ReturnType<typeof parseScenario>): string[] => prepareRun(s).checkers.map((c) => c.name);
    expect(names(quiet('pingpong'))).not.toContain('recovery');
    expect(names(quiet('raft'))).toContain('recovery');
    expect(names(parseScenario({ ...quiet('raft'), recovery: false }))).not.toContain('recovery');
    expect(names(parseScenario({ ...quiet('raft'), checkers: ['election-safety'] }))).toEqual(['election-safety']);
    expect(names(parseScenario({ ...quiet('raft'), checkers: ['recovery'] }))).toEqual(['recovery']);
  });

  it('JSON equality of the relation ignores key order and tells absent from null', async () => {
    const { jsonEqual } = await import('../../sim/api/recovery.ts');
    const a: JsonValue = { x: 1, y: [1, { z: null }] };
    expect(jsonEqual(a, { y: [1, { z: null }], x: 1 })).toBe(true);
    expect(jsonEqual({ x: null }, {})).toBe(false);
    expect(jsonEqual([1, 2], [2, 1])).toBe(false);
  });
});
