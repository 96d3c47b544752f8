// The example's own suite, as a user writes it with faultline/vitest: every scenario meets
// its expectation, fuzzing the correct protocol finds nothing, and one rule is unit-tested
// with step() (one input, the commands out, no simulation).
import { fuzz, parseScenario, registerProtocol, rootRng, step } from 'faultline';
import { expectScenario, fuzzTest } from 'faultline/vitest';
import { describe, expect, it } from 'vitest';
import broadcast, { Server } from './protocol.ts';

const scenario = (name: string): URL => new URL(`./scenarios/${name}.ts`, import.meta.url);

describe('broadcast scenarios', () => {
  for (const name of ['broadcast-partition', 'broadcast-crash-restart', 'broadcast-no-retry']) {
    it(`${name} meets its expectation`, async () => {
      await expectScenario(scenario(name));
    });
  }
});

// Generated partitions, crashes, pauses, loss bursts and clock faults, then a quiesce: no violation.
fuzzTest('broadcast survives generated faults', scenario('broadcast-partition'), { runs: 40 });

describe('coverage for guided fuzzing (abstractState)', () => {
  it('guided fuzz steers by the cluster shapes it reaches: lagging, pending, down and paused servers', () => {
    registerProtocol(broadcast);
    // Three campaign seeds, their abstract states together: which shapes one seed reaches moves with every
    // change to the draws, that some seed of a few reaches each shape does not.
    const reached = new Set<string>();
    for (const seed of [1, 2, 3]) {
      const report = fuzz({ scenario: parseScenario({ name: 'cover', description: 'd', protocol: 'broadcast', duration: '2s', config: { values: 10 } }), runs: 30, seed });
      expect(report.failures).toEqual([]);
      expect(report.states).toBeGreaterThanOrEqual(10);
      for (const s of report.stateSet) reached.add(s);
    }
    for (const part of ['down', 'paused', 'lag1-2', 'pend3+']) expect([...reached].some((s) => s.includes(part)), part).toBe(true);
  });
});

describe('server rules (step, no simulation)', () => {
  const env = { id: 'n1', nodes: ['n1', 'n2', 'n3', 'c1'], rng: rootRng(1) };

  it('a client value is written and fsynced before broadcast_ok is sent', () => {
    const server = new Server(broadcast.configSchema.parse({}), ['n2', 'n3']);
    const out = step(server, { kind: 'message', from: 'c1', msg: { type: 'broadcast', value: 7 } }, env);
    const kinds = out.map((c) => c.kind);
    expect(kinds.filter((k) => k !== 'publish')).toEqual(['put', 'fsync', 'send']);
    expect(out.find((c) => c.kind === 'send')).toEqual({ kind: 'send', to: 'c1', msg: { type: 'broadcast_ok', value: 7 } });
  });

  it('the retry timer resends every unacknowledged value to each peer, and re-arms', () => {
    const server = new Server(broadcast.configSchema.parse({}), ['n2', 'n3']);
    step(server, { kind: 'message', from: 'c1', msg: { type: 'broadcast', value: 7 } }, env);
    step(server, { kind: 'message', from: 'n2', msg: { type: 'gossip_ok', values: [7] } }, env);
    const out = step(server, { kind: 'timer', timer: { name: 'retry' } }, env);
    expect(out).toEqual([
      { kind: 'send', to: 'n3', msg: { type: 'gossip', values: [7] } },
      { kind: 'set-timer', timer: { name: 'retry' }, delay: 40_000 },
    ]);
  });
});
