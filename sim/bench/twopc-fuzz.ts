// `faultline bench twopc-fuzz`: fuzzing throughput on two-phase commit (session 10): a default
// guided campaign (`faultline fuzz twopc`: the default workload, swarm on, shrinking off) of
// `--runs N` runs (default 100, campaign seed `--seed`, default 1), measured in CPU time of this
// process (process.cpuUsage: user + system), not wall time, which the shared machine makes noise of.
// Reported: CPU ms per run and runs per CPU second, plus the campaign's coverage (states, edges) and
// violations, which a speed change must leave as they were (the same runs, the same verdicts).

import { fuzz, strategyWorkload } from '../fuzz/fuzz.ts';
import { parseScenario } from '../scenario/resolve.ts';
import { positiveInt, type BenchCase } from './case.ts';

export const twopcFuzzBench: BenchCase = {
  name: 'twopc-fuzz',
  notInAll: true,
  description: 'two-phase commit fuzzing throughput: CPU ms per run and runs per CPU second of a default guided campaign (shrinking off)',
  run(opts) {
    const runs = positiveInt(opts.runs, 'runs', 100);
    const seed = positiveInt(opts.seed, 'seed', 1);
    const scenario = parseScenario({ name: 'twopc-fuzz', description: 'bench twopc-fuzz', protocol: 'twopc', duration: '5s' });
    const workload = strategyWorkload('twopc', 'guided');
    const plainWorkload = strategyWorkload('twopc', 'random');
    const campaign = (n: number, s: number): ReturnType<typeof fuzz> =>
      fuzz({ scenario, runs: n, seed: s, strategy: 'guided', shrink: false, keepGoing: true, maxFailures: n, ...(workload ? { workload } : {}), ...(plainWorkload ? { plainWorkload } : {}) });
    campaign(10, 0x7a11); // warm-up: let the JIT see the protocol, the checkers and the guided paths
    const c0 = process.cpuUsage();
    const r = campaign(runs, seed);
    const c = process.cpuUsage(c0);
    const cpuS = (c.user + c.system) / 1e6;
    return {
      runs: r.runs,
      violations: r.violations,
      states: r.states,
      edges: r.edges,
      cpu_s: +cpuS.toFixed(3),
      cpu_ms_per_run: +((cpuS * 1000) / r.runs).toFixed(1),
      runs_per_cpu_s: +(r.runs / cpuS).toFixed(1),
    };
  },
};
