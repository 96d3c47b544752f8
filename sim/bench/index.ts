// Every benchmark case. Add one line per case.

import type { BenchCase } from './case.ts';
import { linearizabilityBench } from './linearizability.ts';
import { lockBench } from './lock.ts';
import { pingpongBench } from './pingpong.ts';

export const benchCases: BenchCase[] = [pingpongBench, linearizabilityBench, lockBench];
