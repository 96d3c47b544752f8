// ZooKeeper lock throughput (issue 17): lock acquisitions per wall second, 3 Raft
// servers replicating the data tree and 4 clients under 1% loss, every checker on
// (mutual-exclusion, lock-order, no-herd, the final lock-progress over the history,
// and Raft's own). Baseline, in the same
// process: the identical run with checkers off, so the ratio is what checking
// costs. Tracing is off in both.

import type { ZkClientState } from '../protocols/zookeeper/state.ts';
import type { ScenarioInput } from '../scenario/schema.ts';
import { checkedAgainstUnchecked, positiveInt, type BenchCase } from './case.ts';
import { timedRun } from './timed-run.ts';

function scenario(seconds: number, checkers: boolean): ScenarioInput {
  return {
    name: 'zookeeper-bench',
    description: '3 Raft servers, 4 clients, 1% loss',
    protocol: 'zookeeper',
    config: { clients: 4, writes: 2, work: '5ms', think: '20ms' },
    duration: seconds * 1_000_000,
    network: { latency: { kind: 'uniform', min: '1ms', max: '5ms' }, loss: 0.01 },
    ...(checkers ? {} : { checkers: [] }),
  };
}

function timed(seconds: number, checkers: boolean): { wall: number; acquisitions: number; events: number; violations: string[] } {
  const { wall, sim, result, run } = timedRun(scenario(seconds, checkers));
  let acquisitions = 0;
  for (const n of run.nodes) if (n.role === 'client') acquisitions += (sim.published(n.id) as unknown as ZkClientState | undefined)?.acquired ?? 0;
  return { wall, acquisitions, events: result.stats.events, violations: result.violations.map((v) => v.invariant) };
}

export const zookeeperBench: BenchCase = {
  name: 'zookeeper',
  description: 'ZooKeeper lock on Raft: acquisitions per wall second, 3 servers, 4 clients, 1% loss, all checkers on; baseline: the same run with checkers off',
  run(opts) {
    const seconds = positiveInt(opts.seconds, 'seconds', 10);
    const { on: r, offWall: off } = checkedAgainstUnchecked((checkers) => timed(seconds, checkers));
    return {
      virtual_s: seconds,
      acquisitions: r.acquisitions,
      violations: r.violations,
      wall_s: +r.wall.toFixed(4),
      acquisitions_per_s: Math.round(r.acquisitions / r.wall),
      baseline_acquisitions_per_s: Math.round(r.acquisitions / off),
      checked_vs_unchecked: +(off / r.wall).toFixed(3),
      events: r.events,
    };
  },
};
