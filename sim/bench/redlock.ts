// Redlock throughput (issue 17): lock acquisitions per wall second, 5 masters and
// 4 contending clients under 1% loss, every checker on (mutual-exclusion at the
// resource, lease-bounded over the masters' published keys; token-order has
// nothing to check without fencing). Baseline, in the same process: the identical run with checkers off,
// so the ratio is what checking costs. Tracing is off in both.

import type { ScenarioInput } from '../scenario/schema.ts';
import type { BenchCase } from './case.ts';
import { lockAcquisitionsBench } from './lock-acquisitions.ts';

function scenario(seconds: number, checkers: boolean): ScenarioInput {
  return {
    name: 'redlock-bench',
    description: '5 masters, 4 clients, 1% loss',
    protocol: 'redlock',
    config: { masters: 5, clients: 4, writes: 2, work: '5ms', think: '20ms' },
    duration: seconds * 1_000_000,
    network: { latency: { kind: 'uniform', min: '1ms', max: '5ms' }, loss: 0.01 },
    ...(checkers ? {} : { checkers: [] }),
  };
}

export const redlockBench: BenchCase = lockAcquisitionsBench('redlock', 'Redlock: acquisitions per wall second, 5 masters, 4 clients, 1% loss, all checkers on; baseline: the same run with checkers off', scenario);
