// Never-judged checkers: a final or liveness checker that declares a judging point (Checker.judged)
// and a run that ends before it is reported, so a run too short to judge cannot pass silently, not
// even with a planted bug on. Data-driven over two protocols; the same scenarios long enough judge.
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../sim/scenario/run.ts';
import type { ScenarioInput } from '../../sim/scenario/schema.ts';
import { cli } from '../cli-harness.ts';

const counterBug: ScenarioInput = {
  name: 'counter-short',
  description: 'the planted bug of counter-delta-no-dedup, in a run that ends before its operations do',
  protocol: 'counter',
  config: { replicas: 3, clients: 3, gossip: 'delta', opsUntil: '3s', bugs: { deltaNoDedup: true } },
  duration: '2s',
  faults: { timeline: [{ at: '400ms', kind: 'block', from: 'n3', to: 'n1' }, { at: '1.2s', kind: 'heal' }] },
};

const cases: { name: string; short: ScenarioInput; long: Partial<ScenarioInput>; notJudged: string[] }[] = [
  { name: 'counter at 2 s with opsUntil 3 s (planted bug on)', short: counterBug, long: { duration: '6s', config: { replicas: 3, clients: 3, gossip: 'delta', opsUntil: '3s' } }, notJudged: ['counter-value', 'convergence'] },
  {
    name: 'mapreduce whose job cannot finish in time',
    short: { name: 'mapreduce-short', description: 'd', protocol: 'mapreduce', config: { workers: 4, maps: 12, reduces: 4 }, duration: '20ms' },
    long: { duration: '3s' },
    notJudged: ['output-correct', 'job-completes'],
  },
  {
    name: 'mergesort stopped before the sort is done',
    short: { name: 'mergesort-short', description: 'd', protocol: 'mergesort', config: { workers: 4, chunks: 8, size: 50, keyRange: 200, ranges: 3 }, duration: '2ms' },
    long: { duration: '2s' },
    notJudged: ['sorted', 'permutation', 'sort-completes'],
  },
  {
    name: 'saga stopped before the orders finish',
    short: { name: 'saga-short', description: 'd', protocol: 'saga', config: { sagas: 8 }, duration: '5ms' },
    long: { duration: '2s' },
    notJudged: ['saga-termination', 'conservation'],
  },
  {
    name: 'lock stopped before the progress grace period',
    short: { name: 'lock-short', description: 'd', protocol: 'lock', config: {}, duration: '10ms' },
    long: { duration: '20s' },
    notJudged: ['lock-progress'],
  },
];

describe('checkers that never reach their judging point', () => {
  for (const c of cases) {
    it(`${c.name}: reported as never judged; judged in a run long enough`, () => {
      const short = runScenario(c.short);
      expect(short.violations).toEqual([]);
      expect([...short.notJudged].sort()).toEqual([...c.notJudged].sort());
      const long = runScenario({ ...c.short, ...c.long } as ScenarioInput);
      expect(long.violations).toEqual([]);
      expect(long.notJudged).toEqual([]);
    });
  }

  it('the planted bug is caught once the run is long enough to judge (so the short run passed vacuously)', () => {
    const long = runScenario({ ...counterBug, duration: '6s' });
    expect(long.violations.map((v) => v.invariant)).toContain('convergence');
  });

  it('faultline run: a "not judged" line per checker, and notJudged in --json', async () => {
    const file = 'test/cli/fixtures/counter-short.json';
    const text = await cli(['run', file]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^not judged {2}convergence: never judged: /m);
    expect(text.stdout).toMatch(/^ {12}counter-value: never judged: /m);
    const json = await cli(['run', file, '--json']);
    expect((JSON.parse(json.stdout) as { notJudged: string[] }).notJudged.sort()).toEqual(['convergence', 'counter-value']);
  });

  it('faultline fuzz: a campaign whose runs end before a checker judges says so in its summary', async () => {
    const r = await cli(['fuzz', 'test/cli/fixtures/counter-short.json', '--runs', '4', '--workers', '1', '--seed', '1', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { not_judged: string[] }).not_judged.sort()).toEqual(['convergence', 'counter-value']);
    const long = await cli(['fuzz', 'test/cli/fixtures/counter-short.json', '--runs', '2', '--workers', '1', '--seed', '1', '--duration', '6s', '--json']);
    expect(long.code, long.stderr).toBe(0);
    expect((JSON.parse(long.stdout) as { not_judged: string[] }).not_judged).toEqual([]);
  });
});

describe('never judged across a fuzz campaign', () => {
  it('a checker the base run never judges is judged by the campaign runs whose drawn calm reaches its point (raft leader-elected), and only a checker no run judged is reported', async () => {
    const { fuzz } = await import('../../sim/fuzz/fuzz.ts');
    const { parseScenario, prepareRun } = await import('../../sim/scenario/resolve.ts');
    const { runPrepared } = await import('../../sim/scenario/run.ts');
    // A partition that never heals: the base run never reaches leader-elected's calm, so it is never judged there.
    const raft = parseScenario({ name: 'raft-unhealed', description: 'a partition that lasts to the end', protocol: 'raft', config: {}, duration: '3s', faults: { timeline: [{ at: '100ms', kind: 'partition', groups: [['n1'], ['n2'], ['n3']] }] } });
    expect(runPrepared(prepareRun(raft), { hash: false }).notJudged).toContain('leader-elected');
    // The campaign replaces the timeline by drawn episodes with a drawn quiesce point: some runs judge it.
    const report = fuzz({ scenario: raft, runs: 12, seed: 1, shrink: false, strategy: 'targeted' });
    expect(report.notJudged).toBeDefined();
    expect(report.notJudged).not.toContain('leader-elected');
    // The counter campaign of the test above: no run reaches its checkers' point, so both stay reported.
    const counter = fuzz({ scenario: parseScenario(counterBug), runs: 3, seed: 1, shrink: false, strategy: 'targeted', workload: undefined });
    expect(counter.notJudged).toEqual(['convergence', 'counter-value']);
  });
});
