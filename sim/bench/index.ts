// Every benchmark case. Add one line per case.

import type { BenchCase } from './case.ts';
import { linearizabilityBench } from './linearizability.ts';
import { lockBench } from './lock.ts';
import { pingpongBench } from './pingpong.ts';
import { raftBench } from './raft.ts';
import { ringBench } from './ring.ts';
import { searchBench } from './search.ts';
import { twopcBench } from './twopc.ts';
import { twopcFuzzBench } from './twopc-fuzz.ts';
import { viewerBench } from './viewer.ts';
import { exploreBench } from './explore.ts';
import { counterBench } from './counter.ts';
import { mapreduceBench } from './mapreduce.ts';
import { mergesortBench } from './mergesort.ts';
import { redlockBench } from './redlock.ts';
import { sagaBench } from './saga.ts';
import { zookeeperBench } from './zookeeper.ts';

export const benchCases: BenchCase[] = [pingpongBench, linearizabilityBench, raftBench, ringBench, lockBench, viewerBench, twopcBench, exploreBench, searchBench, counterBench, mapreduceBench, mergesortBench, redlockBench, sagaBench, zookeeperBench, twopcFuzzBench];
