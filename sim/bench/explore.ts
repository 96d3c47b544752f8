// Exhaustive exploration speed (issue 12): distinct states per wall second on
// the TLA+ TwoPhase model with 5 RMs (8,832 states, the whole space), and on
// 3-server Raft through the stepping engine (bounded: the first N distinct
// states of the explore profile's BFS); the fingerprint table's bytes per
// million states, measured by filling a table with 1M fingerprints (and the
// process RSS before and after).
// Baseline in the same process: the same Raft configuration run by the seed
// (Simulation.run, no exploration), in engine steps per second, so that
// `raft_explore_cost_steps` says how many seeded engine steps one explored
// state costs (each state is rebuilt by replaying its path).
// Symmetry on engine models, in the same process: 3-server Raft without a
// client (every server alike) explored to a fixed depth with and without
// --symmetry: distinct states, states generated and CPU-free wall ratio.
// Partial-order reduction, in the same process: raft (crashes 1, depth 5) and twopc (crashes 1, depth 8) by
// plain DFS and DFS with sleep sets: the same distinct states (checked), states generated, CPU ratio.

import { Simulation } from '../engine/simulation.ts';
import { explore } from '../explore/explorer.ts';
import { FingerprintTable, hash64 } from '../explore/fingerprint.ts';
import { exploreTarget, protocolScenario } from '../explore/run.ts';
import { TwoPhaseModel } from '../explore/twophase.ts';
import { parseScenario, prepareRun } from '../scenario/resolve.ts';
import { positiveInt, type BenchCase } from './case.ts';

function timed<T>(fn: () => T): { wall: number; value: T } {
  const t0 = performance.now();
  const value = fn();
  return { wall: (performance.now() - t0) / 1000, value };
}

export const exploreBench: BenchCase = {
  name: 'explore',
  description: 'exhaustive exploration: distinct states/s on TwoPhase (5 RMs) and 3-server Raft, fingerprint table bytes per 1M states',
  run(opts) {
    const raftStates = positiveInt(opts.runs, 'runs', 2000);
    // TwoPhase, 5 RMs: best of 3 (noise on a shared machine only adds time).
    let spec = { wall: Infinity, value: explore(new TwoPhaseModel({ rms: 5 })) };
    for (let i = 0; i < 3; i++) {
      const r = timed(() => explore(new TwoPhaseModel({ rms: 5 })));
      if (r.wall < spec.wall) spec = r;
    }
    if (spec.value.distinct !== 8832) throw new Error(`TwoPhase 5 RMs: expected 8832 distinct states, got ${spec.value.distinct}`);

    const target = exploreTarget('raft', { crashes: 1 });
    const raft = timed(() => explore(target.model, { maxStates: raftStates }));
    // Baseline: seeded run of the same configuration for as many steps as the exploration replayed.
    const run = prepareRun(protocolScenario('raft'));
    const seeded = timed(() => new Simulation({ seed: run.seed, nodes: run.nodes, config: run.engine, checkers: run.checkers, maxSteps: 200_000 }).run(3_600_000_000));
    const stepsPerS = seeded.value.stats.steps / seeded.wall;
    const raftRate = raft.value.distinct / raft.wall;

    // Symmetry: raft servers only (no client, whose random redirects are not permuted), depth 5.
    const base = protocolScenario('raft');
    const serversOnly = parseScenario({ ...base, config: { ...base.config, clients: 0 } });
    const symDepth = 5;
    const plain = timed(() => explore(exploreTarget(serversOnly, { crashes: 0 }).model, { maxDepth: symDepth }));
    const sym = timed(() => explore(exploreTarget(serversOnly, { crashes: 0 }).model, { maxDepth: symDepth, symmetry: true }));

    // Snapshots against path replay, same process, CPU seconds: the first N distinct states of the raft
    // profile (crashes 1) and of the twopc profile (crashes 1), each way.
    const cpu = <T>(fn: () => T): { cpu: number; value: T } => {
      const c0 = process.cpuUsage();
      const value = fn();
      const c = process.cpuUsage(c0);
      return { cpu: (c.user + c.system) / 1e6, value };
    };
    const modes = (protocol: string): { replay: number; snapshots: number; depth: number } => {
      const n = Math.min(raftStates, 2000);
      const replay = cpu(() => explore(exploreTarget(protocol, { crashes: 1 }).model, { maxStates: n }));
      const snap = cpu(() => explore(exploreTarget(protocol, { crashes: 1, snapshots: 100_000 }).model, { maxStates: n }));
      if (snap.value.distinct !== replay.value.distinct || snap.value.states !== replay.value.states) throw new Error(`${protocol}: snapshots and replay explored different spaces`);
      return { replay: replay.value.distinct / replay.cpu, snapshots: snap.value.distinct / snap.cpu, depth: replay.value.depth };
    };
    // Partial-order reduction (DFS, sleep sets) against plain DFS, same process, CPU seconds, same model options
    // (no in-flight bound either way): every state is still visited, so only `generated` and CPU may drop.
    const por = (protocol: string, maxDepth: number): Record<string, number> => {
      const make = () => exploreTarget(protocol, { crashes: 1, por: true }).model;
      const off = cpu(() => explore(make(), { strategy: 'dfs', maxDepth }));
      const on = cpu(() => explore(make(), { strategy: 'dfs', maxDepth, por: true }));
      if (on.value.distinct !== off.value.distinct) throw new Error(`${protocol}: POR visited ${on.value.distinct} distinct states, plain DFS ${off.value.distinct}`);
      return {
        [`${protocol}_por_depth`]: maxDepth,
        [`${protocol}_por_distinct`]: on.value.distinct,
        [`${protocol}_plain_generated`]: off.value.states,
        [`${protocol}_por_generated`]: on.value.states,
        [`${protocol}_por_cpu_ratio`]: +(off.cpu / on.cpu).toFixed(2),
      };
    };
    const porRows = { ...por('raft', 5), ...por('twopc', 8) };
    const raftModes = modes('raft');
    const twopcModes = modes('twopc');

    const rss0 = process.memoryUsage().rss;
    const table = new FingerprintTable();
    const fill = timed(() => {
      for (let i = 0; i < 1_000_000; i++) table.add(hash64(`state-${i}`), i - 1, 0, 0);
    });
    const rssDelta = process.memoryUsage().rss - rss0;
    return {
      twopc_spec_5rm_distinct: spec.value.distinct,
      twopc_spec_5rm_generated: spec.value.states,
      twopc_spec_5rm_wall_s: +spec.wall.toFixed(3),
      twopc_spec_5rm_distinct_per_s: Math.round(spec.value.distinct / spec.wall),
      raft_bounds: target.bounds,
      raft_distinct: raft.value.distinct,
      raft_generated: raft.value.states,
      raft_depth: raft.value.depth,
      raft_wall_s: +raft.wall.toFixed(3),
      raft_distinct_per_s: Math.round(raftRate),
      raft_seeded_steps_per_s: Math.round(stepsPerS),
      raft_explore_cost_steps: +(stepsPerS / raftRate).toFixed(1),
      raft_servers_only_depth: symDepth,
      raft_servers_only_distinct: plain.value.distinct,
      raft_servers_only_generated: plain.value.states,
      raft_servers_only_symmetry_distinct: sym.value.distinct,
      raft_servers_only_symmetry_generated: sym.value.states,
      raft_symmetry_wall_ratio: +(plain.wall / sym.wall).toFixed(2),
      raft_replay_distinct_per_cpu_s: Math.round(raftModes.replay),
      raft_snapshots_distinct_per_cpu_s: Math.round(raftModes.snapshots),
      raft_snapshots_speedup: +(raftModes.snapshots / raftModes.replay).toFixed(2),
      raft_modes_depth: raftModes.depth,
      twopc_replay_distinct_per_cpu_s: Math.round(twopcModes.replay),
      twopc_snapshots_distinct_per_cpu_s: Math.round(twopcModes.snapshots),
      twopc_snapshots_speedup: +(twopcModes.snapshots / twopcModes.replay).toFixed(2),
      twopc_modes_depth: twopcModes.depth,
      ...porRows,
      table_bytes_per_1m_states: table.bytes,
      table_fill_1m_s: +fill.wall.toFixed(3),
      table_rss_delta_1m_mb: +(rssDelta / 2 ** 20).toFixed(1),
    };
  },
};
