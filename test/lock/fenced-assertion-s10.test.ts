// A defensive assertion that guards a named property reports the property's name (session 10): the
// lock resource's "accepted token below highest" check fires in the handler, before the
// `fenced-writes` checker looks, so it carries that name (AssertionFailure.invariant, which the
// engine reports as the violation's name); an assertion without one is still "assertion".

import { describe, expect, it } from 'vitest';
import { AssertionFailure, assert } from '../../sim/api/index.ts';
import { LockResource } from '../../sim/protocols/lock/resource.ts';
import type { ResourceWrite } from '../../sim/protocols/lock/messages.ts';
import { runTraced, scripted } from '../engine/harness.ts';

describe('assertions that guard a named property', () => {
  it('the engine names the violation after the assertion\'s invariant, or "assertion" without one', () => {
    const named = runTraced({ nodes: [scripted('n1', { start: () => assert(false, 'token 7 below 8', 'fenced-writes') })], until: 10 });
    expect(named.violations.map((v) => [v.invariant, v.message])).toEqual([['fenced-writes', 'n1: token 7 below 8']]);
    const plain = runTraced({ nodes: [scripted('n1', { start: () => assert(false, 'broken') })], until: 10 });
    expect(plain.violations.map((v) => v.invariant)).toEqual(['assertion']);
  });

  it('the lock resource accepting a token below the highest fails as fenced-writes', () => {
    const resource = new LockResource({ fencing: true, ignoreStaleTokens: false });
    const ctx = { put: () => undefined, fsync: () => undefined } as never;
    const write = (token: number, order: number): ResourceWrite => ({ type: 'write', lock: 'L', client: `c${order}`, tenure: `t${token}`, token, seq: 1, order, value: 'v' }) as ResourceWrite;
    const apply = (w: ResourceWrite): void => (resource as unknown as { apply(ctx: never, w: ResourceWrite): void }).apply(ctx, w);
    apply(write(8, 1));
    let thrown: unknown;
    try {
      apply(write(7, 2)); // what a resource whose stale-token check was skipped would do
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(AssertionFailure);
    expect((thrown as AssertionFailure).invariant).toBe('fenced-writes');
    expect((thrown as Error).message).toBe('resource: accepted token 7 below highest 8');
  });
});
