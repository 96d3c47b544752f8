// Each protocol's default fuzz workload (ProtocolDefinition.fuzzWorkload):
// every patch it draws is a config the protocol's schema accepts (over the
// default config and over each of its scenarios' configs), with every planted
// bug still off; `faultline fuzz <protocol>` draws it unless told
// --no-workload; and the correct protocols pass a short campaign with it.

import fc from 'fast-check';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mergeConfig } from '../../sim/fuzz/arbitraries.ts';
import { prepareCase } from '../../sim/fuzz/fuzz.ts';
import { getProtocol } from '../../sim/protocols/registry.ts';
import { loadAllScenarios } from '../../sim/cli/scenarios.ts';
import { cli, inProcess } from '../cli-harness.ts';

const PROTOCOLS = ['raft', 'lock', 'twopc', 'ring'] as const;
const tmp = mkdtempSync(join(tmpdir(), 'faultline-protocol-workloads-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Summary {
  runs: number;
  violations: number;
  workload: string;
  failures: { invariant: string; scenario: string }[];
}

describe('each protocol offers a default fuzz workload its schema accepts', () => {
  for (const name of PROTOCOLS) {
    it(`${name}: every drawn patch, over the default config and over each ${name} scenario's config, parses, with no planted bug on`, async () => {
      const p = getProtocol(name)!;
      expect(p.fuzzWorkload).toBeDefined();
      const scenarios = (await loadAllScenarios()).map((s) => s.scenario).filter((s) => {
        // Only the scenarios with no planted bug of their own.
        const bugs = (s.config as { bugs?: Record<string, boolean> }).bugs ?? {};
        return s.protocol === name && !Object.values(bugs).some(Boolean);
      });
      fc.assert(
        fc.property(p.fuzzWorkload!, fc.constantFrom(undefined, ...scenarios), (patch, scenario) => {
          expect(Object.keys(patch)).not.toContain('bugs');
          let config: unknown;
          if (scenario === undefined) {
            // Over the default config, every patch is valid as it is.
            const parsed = p.configSchema.safeParse(mergeConfig({}, patch));
            expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
            config = parsed.data;
          } else {
            // Over a scenario's own settings, fuzz() fits a clashing patch (drops the clashing part); the run is valid.
            const fitted = prepareCase(scenario, { seed: '1', faults: [], workload: patch });
            expect('problem' in fitted ? fitted.problem : undefined).toBeUndefined();
            config = 'problem' in fitted ? undefined : fitted.scenario.config;
          }
          const parsed = p.configSchema.parse(config);
          expect(Object.values((parsed as { bugs: Record<string, boolean> }).bugs).some(Boolean)).toBe(false);
        }),
        { numRuns: 60 },
      );
    });
  }
});

describe('faultline fuzz <protocol> draws the protocol workload by default', () => {
  const failingConfigs = async (extra: string[]): Promise<{ s: Summary; configs: Set<string> }> => {
    const out = join(tmp, extra.join('') || 'default');
    // Not shrunk, so each failure's scenario has the config its run drew. Targeted draws (fresh, no corpus) with a fixed seed: guided
    // mutants inherit their parent's workload, and a fresh campaign seed would make the test a different one each time.
    const r = await inProcess(['fuzz', 'lock', '--bug', 'skipFsync', '--runs', '40', '--batch', '5', '--workers', '1', '--no-shrink', '--max-failures', '4', '--strategy', 'targeted', '--seed', '1', '--json', '--out', out, ...extra]);
    expect(r.code, r.stderr).toBe(1);
    const s = JSON.parse(r.stdout) as Summary;
    expect(s.failures.length).toBeGreaterThanOrEqual(3);
    return { s, configs: new Set(s.failures.map((f) => JSON.stringify((JSON.parse(readFileSync(f.scenario, 'utf8')) as { config: unknown }).config))) };
  };

  it('the failing runs of a campaign have different configs; with --no-workload they all have the base config', async () => {
    const withWorkload = await failingConfigs([]);
    expect(withWorkload.s.workload).toBe('lock default');
    expect(withWorkload.configs.size).toBeGreaterThan(1);
    const without = await failingConfigs(['--no-workload']);
    expect(without.s.workload).toBe('none');
    expect(without.configs.size).toBe(1);
  });

  it('the run header and --json say which workload; worker threads load it too; --workload still wins', async () => {
    const pooled = cli(['fuzz', 'ring', '--seed', '24301', '--runs', '8', '--batch', '4', '--workers', '2', '--json']);
    const human = await inProcess(['fuzz', 'twopc', '--runs', '2', '--workers', '1']);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/^workload {4}twopc default$/m);
    const off = await inProcess(['fuzz', 'twopc', '--runs', '2', '--workers', '1', '--no-workload']);
    expect(off.stdout).toMatch(/^workload {4}none$/m);
    const module = await inProcess(['fuzz', 'test/fuzz/pingpong-base.ts', '--runs', '2', '--workers', '1', '--duration', '300ms', '--workload', 'test/fuzz/pingpong-workload.ts', '--json']);
    expect((JSON.parse(module.stdout) as Summary).workload).toBe('test/fuzz/pingpong-workload.ts');
    // pingpong has no default workload.
    const plain = await inProcess(['fuzz', 'pingpong', '--runs', '2', '--workers', '1', '--duration', '300ms', '--json']);
    expect((JSON.parse(plain.stdout) as Summary).workload).toBe('none');
    const p = await pooled;
    expect(p.code, p.stderr).toBe(0);
    expect(JSON.parse(p.stdout)).toMatchObject({ runs: 8, violations: 0, workload: 'ring default' });
  });
});

describe('the correct protocols pass a campaign with their default workload', () => {
  for (const name of PROTOCOLS) {
    it(`faultline fuzz ${name} --runs 60: no violation`, async () => {
      const r = await inProcess(['fuzz', name, '--seed', '24301', '--runs', '60', '--workers', '1', '--json', '--out', join(tmp, name)]);
      const s = JSON.parse(r.stdout) as Summary;
      expect(s.failures.map((f) => `${f.invariant} (${f.scenario})`)).toEqual([]);
      expect(s).toMatchObject({ runs: 60, violations: 0, workload: `${name} default` });
      expect(r.code).toBe(0);
    });
  }
});
