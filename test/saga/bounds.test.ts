// TigerBeetle's discipline for the saga orchestrator: its saga table is bounded by the client's
// orders (config `sagas`, at most 200: the schema rule), asserted on every insert and recovery.

import { describe, expect, it } from 'vitest';
import { step } from '../../sim/api/index.ts';
import { rootRng } from '../../sim/engine/random.ts';
import { SagaClient } from '../../sim/protocols/saga/client.ts';
import { SagaOrchestrator } from '../../sim/protocols/saga/orchestrator.ts';
import { InputError } from '../../sim/scenario/errors.ts';
import { parseScenario } from '../../sim/scenario/resolve.ts';
import { runScenario } from '../../sim/scenario/run.ts';

const env = { id: 'orch', nodes: ['orch', 'order', 'stock', 'payment', 'shipping', 'c1'], rng: rootRng(1) };
const submit = (i: number) => ({ kind: 'message' as const, from: 'c1', msg: { type: 'submit' as const, saga: `s${i}`, customer: 'u1', qty: 1, amount: 10 } });

describe('saga orchestrator: the saga table is bounded by the orders', () => {
  it('a submit beyond maxSagas is an assertion; within it, accepted', () => {
    const orch = new SagaOrchestrator({ stepTimeout: 50_000, maxAttempts: 3, volatileProgress: false, compensateForward: false, maxSagas: 2 });
    step(orch, { kind: 'start' }, env);
    for (const i of [1, 2]) expect(step(orch, submit(i), env).some((c) => c.kind === 'send' && c.msg.type === 'accepted')).toBe(true);
    expect(step(orch, submit(2), env).some((c) => c.kind === 'send' && c.msg.type === 'accepted')).toBe(true); // a duplicate is not a new entry
    expect(() => step(orch, submit(3), env)).toThrow('orchestrator: 3 sagas, more than the 2 orders (config sagas)');
  });

  it('a config over the bound is bad input; a run with the most orders within it passes', () => {
    let message = 'accepted';
    try {
      parseScenario({ name: 'x', description: 'd', protocol: 'saga', duration: '1s', config: { sagas: 201 } }, 'f.json');
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      message = e.describe();
    }
    expect(message).toMatch(/^f\.json: config\.sagas: expected a number at most 200 \(got \d+\)$/);
    const r = runScenario({ name: 'x', description: 'd', protocol: 'saga', duration: '20s', seed: 1, config: { sagas: 200, interval: '20ms' }, expect: 'no-violation' }, { hash: false });
    expect(r.violations).toEqual([]);
  });
});

describe('saga client: its tables hold only its own orders', () => {
  it('an accepted or outcome message for a saga it never ordered is ignored, its own are recorded', () => {
    const c = new SagaClient([{ saga: 's1', customer: 'u1', qty: 1, amount: 10 }], 10_000, 50_000);
    const cenv = { id: 'c1', nodes: ['orch', 'c1'], rng: rootRng(2) };
    step(c, { kind: 'start' }, cenv);
    const outcome = (saga: string) => ({ kind: 'message' as const, from: 'orch', msg: { type: 'outcome' as const, saga, outcome: 'completed' as const } });
    expect(step(c, outcome('s9'), cenv)).toEqual([]);
    expect(step(c, outcome('s1'), cenv).find((x) => x.kind === 'publish')).toMatchObject({ state: { outcomes: { s1: 'completed' } } });
  });
});
