// What node state a fingerprint covers: a class instance that keeps a function
// field (RaftNode keeps its random draw as `random`) is still node state; plain
// objects carrying closures (a node's context, its Io) are engine handles.
import { describe, expect, it } from 'vitest';
import { canonical } from '../../sim/explore/fingerprint.ts';
import { isHandle } from '../../sim/explore/engine-model.ts';
import { exploreTarget } from '../../sim/explore/run.ts';
import type { EngineModel } from '../../sim/explore/engine-model.ts';

class WithDraw {
  term = 3;
  constructor(readonly random: () => number) {}
}

describe('fingerprint scope', () => {
  it('writes a class instance with a function field without its functions, and skips closure-carrying plain objects', () => {
    const text = canonical({ node: new WithDraw(() => 4), ctx: { send: () => undefined, id: 'n1' } }, { skip: isHandle });
    expect(text).toBe('{"node":{"term":3}}');
  });

  it("covers RaftNode's fields (role, votes): a candidate and a leader are told apart", () => {
    const model = exploreTarget('raft', { crashes: 0 }).model as EngineModel;
    const d = model.initial();
    d.takeLabel('timer n1 election');
    const fp = model.fingerprint(d, false);
    expect(fp).toContain('"role":"candidate"');
    expect(fp).toContain('"votes":S["n1"]');
    const grant = d.choices().findIndex((c) => c.label.startsWith('deliver n1->n2 vote-req'));
    const next = model.step(d, grant);
    const vote = next.choices().findIndex((c) => c.label.startsWith('deliver n2->n1 vote-resp'));
    const after = model.step(next, vote);
    expect(model.fingerprint(after, false)).toContain('"role":"leader"');
  });
});
