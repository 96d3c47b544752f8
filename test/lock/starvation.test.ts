// starvation-freedom: liveness of the lock service while faults last. A client
// that wants a lock and can talk with the server, whose rivals are each healthy
// or cut off from the server, gets a lock within progressGrace. The planted bug
// keepStaleSession (a client keeps using the session the server forgot) starves
// a client after a partition heals; lock-progress, judged from the start when
// there is no quiesce point, cannot see it.

import { describe, expect, it } from 'vitest';
import { fuzz } from '../../sim/fuzz/fuzz.ts';
import { lockConfig, progressGrace } from '../../sim/protocols/lock/protocol.ts';
import { parseScenario } from '../../sim/scenario/resolve.ts';
import type { ScenarioInput } from '../../sim/scenario/schema.ts';
import { runLock } from './helpers.ts';

/** Two fenced clients, default ttl (500 ms): grace = 3 x 500 ms + 2 x 3 x (5 + 50) ms = 1.83 s. */
const base = (timeline: NonNullable<ScenarioInput['faults']>['timeline']): ScenarioInput => ({
  name: 'lock-starvation',
  description: 'two fenced clients, c1 cut off for a while, no quiesce',
  protocol: 'lock',
  config: { clients: 2 },
  duration: '4s',
  network: { latency: { kind: 'uniform', min: '1ms', max: '5ms' } },
  faults: { timeline: timeline ?? [] },
});

const isolateC1 = base([
  { at: '200ms', kind: 'isolate', node: 'c1' },
  { at: '1.2s', kind: 'heal' },
]);

const invariants = (r: ReturnType<typeof runLock>) => r.result.violations.map((v) => v.invariant);

describe('starvation-freedom', () => {
  it('the grace is progressGrace of the config', () => {
    expect(progressGrace(lockConfig.parse({ clients: 2 }))).toBe(1_830_000);
  });

  it('correct clients: c1 gets the lock again after its session expired during the partition', () => {
    expect(invariants(runLock(isolateC1))).toEqual([]);
  });

  it('keepStaleSession -> starvation-freedom: after the heal c1 keeps asking with its dead session and never gets the lock', () => {
    const r = runLock(isolateC1, { bugs: { keepStaleSession: true } });
    expect(invariants(r)).toEqual(['starvation-freedom']);
    const v = r.result.violations[0]!;
    expect(v.message).toMatch(/^c1 has wanted a lock since .* and has been able to talk with s1 \(every rival healthy or cut off from it\) since .*, but got none in .* \(grace 1\.83s\)$/);
    // Judged one grace after the heal (plus c1's first retry), long before the end.
    expect(v.t).toBeGreaterThan(1_200_000 + 1_830_000);
    expect(v.t).toBeLessThan(1_200_000 + 1_830_000 + 200_000);
  });

  it('lock-progress alone misses it: with no quiesce point it is judged from the start, and c1 had the lock before the partition', () => {
    const r = runLock(isolateC1, { bugs: { keepStaleSession: true } }, { checkers: ['lock-progress'] });
    expect(invariants(r)).toEqual([]);
  });

  it('not judged while c1 cannot talk with the server, nor when a rival that can reach the server cannot reach the resource', () => {
    const cutOff = base([{ at: '200ms', kind: 'isolate', node: 'c1' }]);
    expect(invariants(runLock(cutOff, { bugs: { keepStaleSession: true } }))).toEqual([]);
    // c2 keeps its session alive but its writes never land: it may hold the lock for ever, legitimately.
    const stuckRival = base([
      { at: '0s', kind: 'block', from: 'c2', to: 'r1' },
      { at: '0s', kind: 'block', from: 'r1', to: 'c2' },
    ]);
    expect(invariants(runLock(stuckRival))).not.toContain('starvation-freedom');
  });

  it('the Redis-style recipe (no FIFO queue, no fairness) is not judged', () => {
    expect(invariants(runLock(isolateC1, { recipe: 'redis', fencing: false, bugs: { keepStaleSession: true } }, { checkers: ['starvation-freedom'] }))).toEqual([]);
  });

  it('correct service under long-lasting generated faults (no quiesce until 3.9 s): no violation in 30 runs', () => {
    const s = parseScenario({ ...base([]), config: { clients: 3, ttl: '200ms', keepAlive: '50ms' } });
    const report = fuzz({ scenario: s, runs: 30, shrink: false, seed: 4, faults: { until: 3_900_000 } });
    expect(report.failures.map((f) => `${f.violation.invariant}: ${f.violation.message} (${f.replay})`)).toEqual([]);
  });
});
