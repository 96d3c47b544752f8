// A protocol's fault prior (ProtocolDefinition.fuzzFaults, sim/fuzz/README.md "Protocol fault priors"): default
// kinds it declares ordinary are not rare for its campaigns. The counter declares duplication ordinary (delta
// gossip retransmits and deduplicates: its fault model); raft declares nothing, so duplication stays rare there.
// Kinds named explicitly (--kinds, `faults.kinds`) override the prior, as do explicit rare kinds.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_FAULT_KINDS, DEFAULT_RARE_KINDS, RARE_KIND_SHARE, episodesArb, pickKind, priorRareKinds, type FaultEpisode, type FaultGenOptions, type GenFaultKind } from '../../sim/fuzz/arbitraries.ts';
import { strategyGen, type FuzzStrategy } from '../../sim/fuzz/fuzz.ts';
import { campaignFaults, campaignFaultsText } from '../../sim/cli/commands/fuzz.ts';
import { inProcess } from '../cli-harness.ts';
import { getProtocol, protocolNames } from '../../sim/protocols/registry.ts';
import { parseScenario } from '../../sim/scenario/resolve.ts';

const scenarioOf = (protocol: string) => parseScenario({ name: `prior-${protocol}`, description: 'x', protocol, duration: '3s' });
/** The schedules a campaign's runs draw (1000 runs, fixed seed) and the share of them with a duplication burst. */
const drawn = (protocol: string, s: FuzzStrategy, faults: FaultGenOptions = {}): FaultEpisode[][] => fc.sample(episodesArb(strategyGen(scenarioOf(protocol), s, faults).gen), { seed: 5, numRuns: 1000 });
const share = (runs: FaultEpisode[][], kind: GenFaultKind = 'duplicate'): number => runs.filter((eps) => eps.some((e) => e.kind === kind)).length / runs.length;

describe('protocol fault priors', () => {
  it('priorRareKinds removes the kinds a prior declares ordinary from the default rare kinds, and nothing else', () => {
    const cases: { prior: Parameters<typeof priorRareKinds>[0]; rare: readonly GenFaultKind[] }[] = [
      { prior: undefined, rare: DEFAULT_RARE_KINDS },
      { prior: {}, rare: DEFAULT_RARE_KINDS },
      { prior: { ordinary: [] }, rare: DEFAULT_RARE_KINDS },
      { prior: { ordinary: ['duplicate'] }, rare: [] },
      { prior: { ordinary: ['crash', 'corrupt'] }, rare: DEFAULT_RARE_KINDS },
    ];
    for (const c of cases) expect(priorRareKinds(c.prior)).toEqual(c.rare);
  });

  it('the counter declares duplication ordinary; raft declares no prior', () => {
    expect(getProtocol('counter')?.fuzzFaults?.ordinary).toEqual(['duplicate']);
    expect(getProtocol('raft')?.fuzzFaults).toBeUndefined();
    // Every declared kind is a default kind (a prior does not turn a kind on, so naming another would do nothing).
    for (const name of protocolNames()) for (const k of getProtocol(name)?.fuzzFaults?.ordinary ?? []) expect(DEFAULT_FAULT_KINDS).toContain(k);
  });

  it('resolves to no rare kinds for the counter and the default rare kinds for raft, unless kinds or rare kinds are given', () => {
    for (const s of ['targeted', 'guided'] as FuzzStrategy[]) {
      const gen = (p: string, faults: FaultGenOptions = {}) => strategyGen(scenarioOf(p), s, faults).gen;
      expect(gen('counter').rareKinds).toEqual([]);
      expect(gen('counter').kinds).toEqual(DEFAULT_FAULT_KINDS);
      expect(gen('raft').rareKinds).toEqual(['duplicate']);
      // An explicit rareKinds wins over the prior.
      expect(gen('counter', { rareKinds: ['duplicate'] }).rareKinds).toEqual(['duplicate']);
      // Kinds named explicitly: all ordinary, whatever the protocol.
      expect(gen('raft', { kinds: ['crash', 'duplicate'] }).rareKinds).toEqual([]);
      expect(gen('counter', { kinds: ['crash', 'duplicate'] }).rareKinds).toEqual([]);
    }
    // Random keeps its issue-11 kinds (no duplication) for every protocol.
    expect(share(drawn('counter', 'random'))).toBe(0);
  });

  it("a counter campaign's runs draw duplication as often as each other default kind; a raft one's much less often", () => {
    // A run draws a burst when swarm enabled the kind (about half the runs for an ordinary kind, RARE_KIND_SHARE for a
    // rare one) and then drew an episode of it (0-8 episodes over the enabled kinds): about 1 run in 4 for an ordinary kind.
    const others = DEFAULT_FAULT_KINDS.filter((k) => k !== 'duplicate');
    const meanOthers = (runs: FaultEpisode[][]): number => others.reduce((sum, k) => sum + share(runs, k), 0) / others.length;
    for (const s of ['targeted', 'guided'] as FuzzStrategy[]) {
      const counterRuns = drawn('counter', s);
      const raftRuns = drawn('raft', s);
      const counter = share(counterRuns);
      const raft = share(raftRuns);
      expect(counter).toBeGreaterThan(0.8 * meanOthers(counterRuns));
      expect(raft).toBeGreaterThan(0.05);
      expect(raft).toBeLessThan(0.75 * meanOthers(raftRuns));
      expect(counter).toBeGreaterThan(raft * 1.3);
      // --kinds overrides the prior: without duplication named, the counter draws none; with only crash and
      // duplication named, the two are drawn alike on the counter and on raft.
      expect(share(drawn('counter', s, { kinds: ['crash', 'partition'] }))).toBe(0);
      const named = { kinds: ['crash', 'duplicate'] as GenFaultKind[] };
      expect(Math.abs(share(drawn('counter', s, named)) - share(drawn('raft', s, named)))).toBeLessThan(0.1);
      // Made rare again by the caller, the counter's share falls back under the rare share.
      expect(share(drawn('counter', s, { rareKinds: ['duplicate'] }))).toBeLessThan(RARE_KIND_SHARE);
    }
  });

  it("guided's add and branch mutations pick duplication like any other kind on the counter, at rareShare on raft", () => {
    const kinds: GenFaultKind[] = ['crash', 'duplicate'];
    // crash 1 + duplicate 1 on the counter: duplicate for u in [0.5, 1); crash 1 + duplicate 0.25 on raft: for u in [0.8, 1).
    const counter = strategyGen(scenarioOf('counter'), 'guided').gen;
    const raft = strategyGen(scenarioOf('raft'), 'guided').gen;
    expect(pickKind(kinds, counter, 0.6)).toBe('duplicate');
    expect(pickKind(kinds, raft, 0.6)).toBe('crash');
    expect(pickKind(kinds, raft, 0.9)).toBe('duplicate');
  });

  it('is deterministic: the same seed draws the same schedules', () => {
    expect(drawn('counter', 'guided')).toEqual(drawn('counter', 'guided'));
  });

  it("the campaign summary and --json say which kinds are drawn, which are rare, and when the protocol's prior made one ordinary", async () => {
    const counter = campaignFaults(scenarioOf('counter'), 'guided', {});
    expect([counter.rare, counter.priorOrdinary, counter.swarm]).toEqual([[], ['duplicate'], true]);
    expect(campaignFaultsText(counter, 'counter')).toMatch(/duplicate ordinary, not rare: counter's fault prior/);
    const raftF = campaignFaults(scenarioOf('raft'), 'guided', {});
    expect([raftF.rare, raftF.priorOrdinary]).toEqual([['duplicate'], []]);
    expect(campaignFaultsText(raftF, 'raft')).toMatch(/\(duplicate in 1 run in 4\)/);
    // Kinds named by the user: no prior applies, nothing rare.
    const named = campaignFaults(scenarioOf('counter'), 'guided', { kinds: ['crash', 'duplicate'] });
    expect([named.kinds, named.rare, named.priorOrdinary]).toEqual([['crash', 'duplicate'], [], []]);
    // Random: the plain kinds, no swarm.
    expect(campaignFaultsText(campaignFaults(scenarioOf('raft'), 'random', {}), 'raft')).toMatch(/loss; no swarm$/);
    const human = await inProcess(['fuzz', 'counter', '--runs', '2', '--seed', '1', '--workers', '1', '--no-shrink']);
    expect(human.stdout).toMatch(/^faults {6}.*duplicate ordinary, not rare: counter's fault prior/m);
    const json = await inProcess(['fuzz', 'counter', '--runs', '2', '--seed', '1', '--workers', '1', '--no-shrink', '--json']);
    const report = JSON.parse(json.stdout) as { fault_kinds: string[]; rare_kinds: string[]; prior_ordinary_kinds: string[]; swarm: boolean };
    expect([report.rare_kinds, report.prior_ordinary_kinds, report.swarm, report.fault_kinds.includes('duplicate')]).toEqual([[], ['duplicate'], true, true]);
  });
});
