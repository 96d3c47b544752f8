// Redis lock and Redlock: the master's commands (step()), the validity rule, each
// scenario story with and without its planted bug, each checker proven by the bug
// or story it exists for, and short fuzz campaigns: the correct protocol under
// Redlock's own system model (crashes, partitions, loss; no clock jumps, no
// pauses) finds nothing; a planted bug is found.

import { describe, expect, it } from 'vitest';
import { step, type Command } from '../../sim/api/index.ts';
import { rootRng } from '../../sim/engine/random.ts';
import { fuzz, runScenario } from '../../sim/fuzz/fuzz.ts';
import { validityTime } from '../../sim/protocols/redlock/client.ts';
import { RedisMaster } from '../../sim/protocols/redlock/master.ts';
import type { RedlockMessage } from '../../sim/protocols/redlock/messages.ts';
import { redlockConfig, restartDelay } from '../../sim/protocols/redlock/protocol.ts';
import { parseScenario } from '../../sim/scenario/resolve.ts';
import type { ScenarioInput } from '../../sim/scenario/schema.ts';
import redisPlainDelete from '../../scenarios/redis-plain-delete.ts';
import redisSetThenExpire from '../../scenarios/redis-set-then-expire.ts';
import redisUnsafePause from '../../scenarios/redis-unsafe-pause.ts';
import redisFencingPause from '../../scenarios/redis-fencing-pause.ts';
import redlockSlowAcquire from '../../scenarios/redlock-slow-acquire.ts';
import redlockRestartForgets from '../../scenarios/redlock-restart-forgets.ts';
import redlockClockJump from '../../scenarios/redlock-clock-jump.ts';
import redlockTokens from '../../scenarios/redlock-tokens-not-monotonic.ts';

const env = (now = 0) => ({ id: 'm1', nodes: ['m1', 'c1', 'c2'], rng: rootRng('t'), now });
const replies = (cmds: Command[]) => cmds.flatMap((c) => (c.kind === 'send' ? [c.msg as RedlockMessage] : []));

describe('Redis master commands', () => {
  it('SET NX PX sets only an absent key, and the key expires on the master clock', () => {
    const m = new RedisMaster({ restartDelay: 0 });
    step(m, { kind: 'start' }, env());
    expect(replies(step(m, { kind: 'message', from: 'c1', msg: { type: 'set', key: 'lock', value: 'a', px: 100 } }, env(0)))).toMatchObject([{ type: 'set-reply', ok: true, sets: 1 }]);
    expect(replies(step(m, { kind: 'message', from: 'c2', msg: { type: 'set', key: 'lock', value: 'b', px: 100 } }, env(99)))).toMatchObject([{ ok: false }]);
    expect(replies(step(m, { kind: 'message', from: 'c2', msg: { type: 'set', key: 'lock', value: 'b', px: 100 } }, env(100)))).toMatchObject([{ ok: true, sets: 2 }]);
  });

  it('compare-and-delete removes only its own value; a plain DEL removes anyone\'s', () => {
    const m = new RedisMaster({ restartDelay: 0 });
    step(m, { kind: 'message', from: 'c1', msg: { type: 'set', key: 'lock', value: 'a', px: 1000 } }, env());
    step(m, { kind: 'message', from: 'c2', msg: { type: 'unlock', key: 'lock', value: 'b', plain: false } }, env(1));
    expect(replies(step(m, { kind: 'message', from: 'c2', msg: { type: 'set', key: 'lock', value: 'b', px: 1000 } }, env(2)))).toMatchObject([{ ok: false }]);
    step(m, { kind: 'message', from: 'c2', msg: { type: 'unlock', key: 'lock', value: 'b', plain: true } }, env(3));
    expect(replies(step(m, { kind: 'message', from: 'c2', msg: { type: 'set', key: 'lock', value: 'b', px: 1000 } }, env(4)))).toMatchObject([{ ok: true }]);
  });

  it('a restarted master ignores requests for its restart delay', () => {
    const m = new RedisMaster({ restartDelay: 500 });
    const cmds = step(m, { kind: 'recover' }, env());
    expect(cmds).toContainEqual({ kind: 'set-timer', timer: { name: 'available' }, delay: 500 });
    expect(replies(step(m, { kind: 'message', from: 'c1', msg: { type: 'set', key: 'lock', value: 'a', px: 100 } }, env(10)))).toEqual([]);
    step(m, { kind: 'timer', timer: { name: 'available' } }, env(500));
    expect(replies(step(m, { kind: 'message', from: 'c1', msg: { type: 'set', key: 'lock', value: 'a', px: 100 } }, env(501)))).toMatchObject([{ ok: true }]);
  });

  it('validity = ttl - elapsed - (ttl * driftFactor + 2 ms); the restart delay covers a ttl and the drift', () => {
    expect(validityTime(10_000_000, 1_000, 0.01)).toBe(10_000_000 - 1_000 - 100_000 - 2_000);
    const c = redlockConfig.parse({ ttl: '300ms' });
    expect(restartDelay(c)).toBeGreaterThanOrEqual(c.ttl);
  });

  it('config rules: a request timeout or margin not below the ttl is bad input', () => {
    expect(redlockConfig.safeParse({ ttl: '10ms', requestTimeout: '10ms' }).success).toBe(false);
    // No positive validity time is possible once the drift allowance is taken off (a newcomer's config that ran 0 operations and "held").
    const never = redlockConfig.safeParse({ ttl: '100ms', driftFactor: 0.5, requestTimeout: '60ms' });
    expect(never.success).toBe(false);
    expect(never.error?.issues[0]?.message).toMatch(/validity time would never be positive/);
    expect(redlockConfig.safeParse({ ttl: '100ms', driftFactor: 0.5, requestTimeout: '40ms' }).success).toBe(true);
    expect(redlockConfig.safeParse({ ttl: '10ms', margin: '20ms' }).success).toBe(false);
    expect(redlockConfig.safeParse({ masters: 0 }).success).toBe(false);
  });
});

function run(s: ScenarioInput, patch: Record<string, unknown> = {}, extra: Partial<ScenarioInput> = {}) {
  const r = runScenario(parseScenario({ ...s, ...extra, expect: 'no-violation', config: { ...(s.config as object), ...patch } }), { trace: true });
  return { violations: r.violations.map((v) => v.invariant), trace: r.trace ?? '' };
}

describe('stories: each planted bug breaks its checker, and the same run without it holds', () => {
  const cases: [string, ScenarioInput, string, string][] = [
    ['plainDelete', redisPlainDelete, 'plainDelete', 'mutual-exclusion'],
    ['setThenExpire', redisSetThenExpire, 'setThenExpire', 'lease-bounded'],
    ['ignoreElapsed', redlockSlowAcquire, 'ignoreElapsed', 'mutual-exclusion'],
    ['noRestartDelay', redlockRestartForgets, 'noRestartDelay', 'mutual-exclusion'],
  ];
  it.each(cases)('%s', (_name, scenario, bug, checker) => {
    expect(run(scenario).violations).toEqual([checker]);
    expect(run(scenario, { bugs: { [bug]: false } }).violations).toEqual([]);
  });

  it('the unsafe pause breaks mutual exclusion; fencing turns the stale write into a rejection', () => {
    expect(run(redisUnsafePause).violations).toEqual(['mutual-exclusion']);
    const fenced = run(redisFencingPause);
    expect(fenced.violations).toEqual([]);
    expect(fenced.trace).toMatch(/"type":"write-ack"[^\n]*"ok":false/);
  });

  it('a clock jump on one master gives two clients a majority; fencing keeps the resource safe', () => {
    expect(run(redlockClockJump).violations).toEqual(['mutual-exclusion']);
    const fenced = run(redlockClockJump, { fencing: true });
    expect(fenced.violations).toEqual([]);
    expect(fenced.trace).toMatch(/"type":"write-ack"[^\n]*"ok":false/);
  });

  it('token-order: per-master counters are no fencing token once masters restart', () => {
    expect(run(redlockTokens).violations).toEqual(['token-order']);
    expect(run(redlockTokens, {}, { faults: { timeline: [] } }).violations).toEqual([]);
  });
});

const MODEL = ['crash', 'partition', 'isolate', 'block', 'loss'] as const;
const base = (config: Record<string, unknown> = {}) => parseScenario({ name: 'redlock-fuzz', description: 'redlock under generated faults', protocol: 'redlock', config, duration: '2s' });

describe('fuzzing', () => {
  it('the correct protocol breaks no checker under its system model (crashes, partitions, one-way blocks, loss)', () => {
    const report = fuzz({ scenario: base(), runs: 40, seed: 7, faults: { kinds: MODEL } });
    expect(report.failures.map((f) => `${f.violation.invariant}: ${f.violation.message}`)).toEqual([]);
  }, 120_000);

  it('plainDelete is found and shrunk to a replayable failure', () => {
    const report = fuzz({ scenario: base({ bugs: { plainDelete: true } }), runs: 40, seed: 8, faults: { kinds: MODEL } });
    const f = report.failures[0];
    expect(f?.violation.invariant).toBe('mutual-exclusion');
    expect(runScenario(f!.scenario).violations[0]?.message).toBe(f!.violation.message);
  }, 120_000);
});

describe('default fuzz workload', () => {
  it('every drawn patch is a valid config over the defaults, and never switches a bug on', async () => {
    const fc = (await import('fast-check')).default;
    const { redlockFuzzWorkload } = await import('../../sim/protocols/redlock/fuzz-workload.ts');
    for (const patch of fc.sample(redlockFuzzWorkload, { numRuns: 200, seed: 1 })) {
      const r = redlockConfig.safeParse(patch);
      expect(r.success, JSON.stringify(patch)).toBe(true);
      expect(Object.values(r.data!.bugs).some(Boolean)).toBe(false);
    }
  });
});

// TigerBeetle's discipline for the master's tables: keys and per-key SET counts are bounded by the
// keys clients use (one, LOCK_KEY), asserted; many acquisitions of that key add no entry.
describe('redis master bounds', () => {
  const env = { id: 'm1', nodes: ['m1'], rng: rootRng('m1') };
  const set = (key: string, value: string): RedlockMessage => ({ type: 'set', key, value, px: 1000 });
  it('keeps one entry however often the lock key is set, and a key beyond maxKeys is an assertion', () => {
    const m = new RedisMaster({ restartDelay: 0, maxKeys: 1 });
    step(m, { kind: 'start' }, env);
    for (let i = 0; i < 20; i++) {
      step(m, { kind: 'message', from: 'c1', msg: set('lock', `v${i}`) }, env);
      step(m, { kind: 'message', from: 'c1', msg: { type: 'unlock', key: 'lock', value: `v${i}`, plain: false } }, env);
    }
    const reply = step(m, { kind: 'message', from: 'c1', msg: set('lock', 'last') }, env).find((c) => c.kind === 'send');
    expect(reply?.kind === 'send' && reply.msg.type === 'set-reply' ? reply.msg.sets : -1).toBe(21);
    expect(() => step(m, { kind: 'message', from: 'c1', msg: set('other', 'x') }, env)).toThrow('redis master: 2 keys set, bound 1');
  });
});
