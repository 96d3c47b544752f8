// Properties over random schedules (fuzz(): fast-check draws crashes, pauses,
// partitions, one-way blocks, clock jumps and drift, loss bursts, and shrinks a
// failure to a minimal timeline): the fenced recipe never lets a stale write
// through nor breaks any other checker; the Redis-style recipe does break mutual
// exclusion; and each planted bug is found and shrunk to a replayable case.

import { describe, expect, it } from 'vitest';
import { fuzz, runScenario } from '../../sim/fuzz/fuzz.ts';
import { lockFuzzWorkload } from '../../sim/protocols/lock/fuzz-workload.ts';
import { parseScenario } from '../../sim/scenario/resolve.ts';

const CLIENTS = 3;
const ALL = ['s1', 'r1', ...Array.from({ length: CLIENTS }, (_, i) => `c${i + 1}`)];
const CLIENT_NODES = ALL.filter((n) => n.startsWith('c'));

function base(config: Record<string, unknown> = {}) {
  return parseScenario({
    name: 'lock-fuzz',
    description: 'lock service under generated faults',
    protocol: 'lock',
    config: { clients: CLIENTS, locks: 2, ttl: '200ms', keepAlive: '50ms', margin: '20ms', work: '10ms', think: '20ms', ...config },
    duration: '1500ms',
    network: { loss: 0.01 },
  });
}

describe('fenced recipe under random faults', () => {
  // The workload varies too (and shrinks with the faults): contention, lock count, section length, lease length.
  // The protocol's own default fuzz workload (what `faultline fuzz lock` draws).
  const workload = lockFuzzWorkload;

  it('never violates any checker: pauses, drift up to 30%, clock jumps, crashes, partitions, loss on every node', () => {
    const scenario = base({ clients: 4 });
    const nodes = ['s1', 'r1', 'c1', 'c2', 'c3', 'c4'];
    const report = fuzz({ scenario, runs: 300, seed: 41, workload, faults: { nodes, maxDriftPpm: 300_000, maxFaults: 10 } });
    expect(report.runs).toBe(300);
    expect(report.failures.map((f) => `${f.violation.invariant}: ${f.violation.message}`)).toEqual([]);
  }, 60_000);

  it('keeps serving: once faults stop, every client gets a lock again (lock-progress judged on 1.2 s of quiet)', () => {
    const scenario = { ...base(), duration: 4_000_000, checkers: ['lock-progress'] };
    const report = fuzz({ scenario, runs: 80, seed: 46, faults: { nodes: ALL, maxDriftPpm: 300_000 } });
    expect(report.failures.map((f) => f.violation.message)).toEqual([]);
  }, 60_000);

  it('stale writes do reach the resource and are rejected, so the property above is not vacuous', () => {
    // Pauses of c1 at 20 different moments: count the writes the resource fenced off.
    let rejected = 0;
    for (let i = 0; i < 20; i++) {
      const at = 50_000 + i * 23_000;
      const s = parseScenario({ ...base(), seed: i, faults: { timeline: [{ at, kind: 'pause', node: 'c1' }, { at: at + 500_000, kind: 'resume', node: 'c1' }] } });
      const r = runScenario(s, { trace: true });
      expect(r.violations).toEqual([]);
      rejected += (r.trace ?? '').split('\n').filter((l) => l.includes('"type":"write-ack"') && l.includes('"ok":false')).length;
    }
    expect(rejected).toBeGreaterThan(0);
  });
});

describe('Redis-style recipe under random faults', () => {
  it('fuzzing finds a mutual-exclusion violation and shrinks it to a replayable timeline', () => {
    const report = fuzz({ scenario: base({ recipe: 'redis', fencing: false }), runs: 200, seed: 42, faults: { nodes: CLIENT_NODES, kinds: ['pause', 'clock'], maxDriftPpm: 300_000 } });
    const f = report.failures[0];
    expect(f?.violation.invariant).toBe('mutual-exclusion');
    // The shrunk scenario replays to the same violation.
    const again = runScenario(f!.scenario);
    expect(again.violations[0]?.invariant).toBe('mutual-exclusion');
    expect(again.violations[0]?.message).toBe(f!.violation.message);
  }, 60_000);
});

describe('planted bugs are found by fuzzing', () => {
  it('skipFsync (token counter not durable before a grant): server crashes lead to a reused token', () => {
    // Black-box checkers only: durable-grants would name the cause at the first grant, before any crash.
    const scenario = { ...base({ bugs: { skipFsync: true } }), checkers: ['token-order', 'single-holder', 'linearizable'] };
    const report = fuzz({ scenario, runs: 200, seed: 43, faults: { nodes: ['s1'], kinds: ['crash'] } });
    const f = report.failures[0];
    expect(['token-order', 'single-holder']).toContain(f?.violation.invariant);
    // Shrunk to what it takes: one crash and its restart.
    expect(f?.scenario.faults.timeline.filter((x) => x.kind === 'crash')).toHaveLength(1);
  }, 60_000);

  it('grantBeforeExpiry (server hands over before the lease ended on its own clock): single-holder', () => {
    const report = fuzz({ scenario: base({ bugs: { grantBeforeExpiry: true } }), runs: 200, seed: 44, faults: { nodes: CLIENT_NODES, kinds: ['pause', 'partition'] } });
    expect(report.failures[0]?.violation.invariant).toBe('single-holder');
  }, 60_000);

  it('ignoreStaleTokens (resource does not enforce the fence): fenced-writes', () => {
    const report = fuzz({ scenario: base({ writes: 6, bugs: { ignoreStaleTokens: true } }), runs: 200, seed: 45, faults: { nodes: CLIENT_NODES, kinds: ['pause'], maxFaults: 4 } });
    expect(report.failures[0]?.violation.invariant).toBe('fenced-writes');
  }, 60_000);
});
