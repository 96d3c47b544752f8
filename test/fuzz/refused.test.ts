// Refused runs (session 9): a run the engine refuses (its event-queue bound exceeded by a message storm) is an
// outcome of its own: counted, kept shrunk and replayable like a failure, never a violation, and the campaign
// goes on. The storm protocol (storm-protocol.ts) answers every message twice after a restart.

import { describe, expect, it, vi } from 'vitest';
import { fuzz, refusalOf, type FuzzStrategy } from '../../sim/fuzz/fuzz.ts';
import { mergeFuzzReports, readFuzzReport } from '../../sim/fuzz/merge.ts';
import { formatRefusal } from '../../sim/cli/commands/fuzz.ts';
import { RunRefusedError } from '../../sim/scenario/errors.ts';
import { parseScenario, prepareRun } from '../../sim/scenario/resolve.ts';
import { runPrepared } from '../../sim/scenario/run.ts';
import { storm } from './storm-protocol.ts';

vi.mock('../../sim/protocols/registry.ts', async (importOriginal) => {
  const orig = await importOriginal<typeof import('../../sim/protocols/registry.ts')>();
  return { ...orig, getProtocol: (name: string) => (name === 'storm' ? storm : orig.getProtocol(name)), protocolNames: () => [...orig.protocolNames(), 'storm'] };
});

const BASE = parseScenario({ name: 'storm-fuzz', description: 'x', protocol: 'storm', duration: '2s' });
const LIMITS = { queuedEvents: 2000 };
const campaign = (strategy: FuzzStrategy, seed: number) => fuzz({ scenario: BASE, runs: 25, seed, strategy, faults: { kinds: ['crash'] }, limits: LIMITS });

describe('refused runs', () => {
  it('a run without a restart is not refused; a restart storms past the bound and is refused, with the bound as its cause', () => {
    const calm = prepareRun(BASE);
    expect(runPrepared(calm, { hash: false, limits: LIMITS }).violations).toEqual([]);
    const crashed = prepareRun(parseScenario({ ...BASE, faults: { timeline: [{ at: '100ms', kind: 'crash', node: 'n2' }, { at: '150ms', kind: 'restart', node: 'n2' }] } }));
    let caught: unknown;
    try {
      runPrepared(crashed, { hash: false, limits: LIMITS });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(RunRefusedError);
    const r = refusalOf(caught);
    expect(r).toMatchObject({ limit: 'queuedEvents', bound: 2000 });
    expect(r!.t).toBeGreaterThan(150_000);
  });

  for (const strategy of ['random', 'guided'] as const) {
    it(`${strategy}: refused runs are counted and the campaign runs its whole budget (some seed of 1-3)`, () => {
      // Draws differ per seed: search seeds 1-3 for a campaign with both refused and clean runs.
      const report = [1, 2, 3].map((seed) => campaign(strategy, seed)).find((r) => r.refused > 0 && r.refused < r.runs);
      expect(report).toBeDefined();
      const rep = report!;
      expect(rep.runs).toBe(25);
      expect(rep.violations).toBe(0);
      expect(rep.failures).toEqual([]);
      expect(rep.refusals).toHaveLength(1);
      const refusal = rep.refusals[0]!;
      expect(refusal).toMatchObject({ limit: 'queuedEvents', bound: 2000 });
      expect(refusal.reason).toMatch(/exceeded the engine's bound of 2000 \(queuedEvents\)/);
      // Shrunk by "refused at the same bound": one crash (and what restarts it) is all it needs.
      const timeline = refusal.scenario.faults.timeline as unknown as { kind: string }[];
      expect(timeline.filter((f) => f.kind === 'crash')).toHaveLength(1);
      expect(timeline.length).toBeLessThanOrEqual(3);
      // Replayable: running the kept scenario is refused again, with the same message.
      let again: unknown;
      try {
        runPrepared(prepareRun(parseScenario(JSON.parse(JSON.stringify(refusal.scenario)))), { hash: true, limits: LIMITS });
      } catch (err) {
        again = err;
      }
      expect(again).toBeInstanceOf(RunRefusedError);
      expect((again as Error).message).toBe(refusal.reason);
      expect(refusalOf(again)?.t).toBe(refusal.t);
    });
  }

  it('a campaign with refused runs is a pure function of its seed', () => {
    const a = campaign('guided', 2);
    const b = campaign('guided', 2);
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
  });

  it('the refusal is shown as what it is, not as a violation; merged shards add up refused runs', () => {
    const rep = [1, 2, 3].map((seed) => campaign('random', seed)).find((r) => r.refusals.length > 0)!;
    const text = formatRefusal({ refusal: rep.refusals[0]!, batch: 0, scenarioFile: 'out/x.json', replay: 'npx faultline run out/x.json' }, true).join('\n');
    expect(text).toMatch(/^REFUSED/);
    expect(text).toMatch(/a message storm/);
    expect(text).toMatch(/not a violation of a protocol property/);
    const shard = (i: number, refused: number) =>
      readFuzzReport({ runs: 10, violations: 0, failures: [], scenario: 's', protocol: 'storm', seed: 1, shard: `${i}/2`, batches: [{ batch: i - 1, seed: i, runs: 10, violations: 0 }], refused, refusals: refused > 0 ? [{ limit: 'queuedEvents', scenario: `f${i}.json`, batch: i - 1 }] : [] }, `s${i}`);
    const merged = mergeFuzzReports([{ file: 'a', report: shard(1, 2) }, { file: 'b', report: shard(2, 3) }]);
    expect(merged.refused).toBe(5);
    expect(merged.refusals.map((r) => r.scenario)).toEqual(['f1.json', 'f2.json']);
  });
});
