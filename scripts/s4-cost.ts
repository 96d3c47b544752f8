// Oracle cost on the Raft bench scenario (5 servers, 3 clients, 1% loss): all checkers vs all + oracle vs none, alternated, CPU time.
import { parseScenario, prepareRun } from '../sim/scenario/resolve.ts';
import { Simulation } from '../sim/engine/simulation.ts';
const seconds = Number(process.argv[2] ?? 20);
const doc = { name: 'raft-bench', description: 'bench', protocol: 'raft', config: { servers: 5, clients: 3, electionTimeout: { min: '150ms', max: '300ms' }, heartbeat: '50ms', snapshotEvery: 1000, client: { thinkTime: '10ms', keys: 100, mix: { get: 1, put: 1, append: 0, cas: 0 } } }, duration: `${seconds}s`, network: { latency: { kind: 'uniform', min: '1ms', max: '10ms' }, loss: 0.01 } };
function once(mode: 'none' | 'checked' | 'oracle'): number {
  const run = prepareRun(parseScenario(doc), { seed: 'raft-bench', recovery: mode === 'oracle' });
  const sim = new Simulation({ seed: run.seed, nodes: run.nodes, config: run.engine, faults: run.timeline, checkers: mode === 'none' ? [] : run.checkers, isolate: 'freeze' });
  const c0 = process.cpuUsage(); const r = sim.run(run.scenario.duration); const c = process.cpuUsage(c0);
  if (r.violations.length) throw new Error(r.violations[0]!.message);
  return (c.user + c.system) / 1e6;
}
for (let i = 0; i < 2; i++) { once('none'); once('checked'); once('oracle'); }
const t = { none: [] as number[], checked: [] as number[], oracle: [] as number[] };
for (let i = 0; i < 5; i++) for (const m of (i % 2 ? ['oracle', 'checked', 'none'] : ['none', 'checked', 'oracle']) as ('none' | 'checked' | 'oracle')[]) t[m].push(once(m));
const med = (a: number[]): number => a.sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
console.log(JSON.stringify({ seconds, none: med(t.none), checked: med(t.checked), oracle: med(t.oracle), checked_vs_baseline: med(t.checked) / med(t.none), oracle_vs_baseline: med(t.oracle) / med(t.none), oracle_vs_checked: med(t.oracle) / med(t.checked) }));
