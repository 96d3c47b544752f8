// ZooKeeper lock throughput (issue 17): lock acquisitions per wall second, 3 Raft
// servers replicating the data tree and 4 clients under 1% loss, every checker on
// (mutual-exclusion, lock-order, no-herd, the final lock-progress over the history,
// and Raft's own). Baseline, in the same
// process: the identical run with checkers off, so the ratio is what checking
// costs. Tracing is off in both.

import type { ScenarioInput } from '../scenario/schema.ts';
import type { BenchCase } from './case.ts';
import { lockAcquisitionsBench } from './lock-acquisitions.ts';

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

export const zookeeperBench: BenchCase = lockAcquisitionsBench('zookeeper', 'ZooKeeper lock on Raft: acquisitions per wall second, 3 servers, 4 clients, 1% loss, all checkers on; baseline: the same run with checkers off', scenario);
