// The counter's request dedup: a client's request ids are a sequence kept on its disk (monotonic
// across its restarts), and a replica takes an add whose id is at or below the highest it decided
// for that client as a copy. "The last id only" applied a late copy of an older add a second time
// under a duplication burst (scenarios/counter-duplicate-burst.ts).

import { describe, expect, it } from 'vitest';
import { step, type JsonValue } from '../../sim/api/index.ts';
import { rootRng } from '../../sim/engine/random.ts';
import { runScenario } from '../../sim/fuzz/fuzz.ts';
import { CounterClient } from '../../sim/protocols/counter/client.ts';
import { CounterReplica, type ReplicaOptions } from '../../sim/protocols/counter/replica.ts';
import { parseScenario } from '../../sim/scenario/resolve.ts';
import burst from '../../scenarios/counter-duplicate-burst.ts';

const OPTS: ReplicaOptions = { design: 'pn-counter', gossip: 'delta', interval: 50_000, peers: ['n2'], sumMerge: false, gCounterWithDecrements: false, deltaNoDedup: false, maxUnacked: 4096, maxClients: 4 };
const env = { id: 'n1', nodes: ['n1', 'n2', 'c1'], rng: rootRng(1) };
type Cmds = ReturnType<typeof step>;
const sent = (cmds: Cmds): string[] => cmds.flatMap((c) => (c.kind === 'send' ? [`${c.to} ${c.msg.type} ${(c.msg as { id?: number }).id}`] : []));

describe('replica: request ids are a per-client sequence', () => {
  it('a late copy of an older add, arriving after the next add was decided, is not applied again', () => {
    const r = new CounterReplica(OPTS);
    step(r, { kind: 'start' }, env);
    expect(sent(step(r, { kind: 'message', from: 'c1', msg: { type: 'add', id: 1, delta: 1 } }, env))).toEqual(['c1 add-ok 1']);
    expect(sent(step(r, { kind: 'message', from: 'c1', msg: { type: 'add', id: 2, delta: 1 } }, env))).toEqual(['c1 add-ok 2']);
    const late = step(r, { kind: 'message', from: 'c1', msg: { type: 'add', id: 1, delta: 1 } }, env);
    expect(late.filter((c) => c.kind === 'put' || c.kind === 'send')).toEqual([]);
    // A copy of the latest is acknowledged again, not applied.
    expect(sent(step(r, { kind: 'message', from: 'c1', msg: { type: 'add', id: 2, delta: 1 } }, env))).toEqual(['c1 add-ok 2']);
    const read = step(r, { kind: 'message', from: 'c1', msg: { type: 'read', id: 3 } }, env);
    expect(read[0]).toMatchObject({ msg: { value: 2 } });
  });

  it('a late copy of an add refused for backpressure is not applied when room comes back', () => {
    const r = new CounterReplica({ ...OPTS, maxUnacked: 1 });
    step(r, { kind: 'start' }, env);
    step(r, { kind: 'message', from: 'c1', msg: { type: 'add', id: 1, delta: 1 } }, env);
    expect(sent(step(r, { kind: 'message', from: 'c1', msg: { type: 'add', id: 2, delta: 1 } }, env))).toEqual(['c1 add-fail 2']);
    step(r, { kind: 'message', from: 'n2', msg: { type: 'delta-ack', upTo: 1 } }, env);
    expect(sent(step(r, { kind: 'message', from: 'c1', msg: { type: 'add', id: 3, delta: 1 } }, env))).toEqual(['c1 add-ok 3']);
    expect(sent(step(r, { kind: 'message', from: 'c1', msg: { type: 'add', id: 2, delta: 1 } }, env))).toEqual([]);
    expect(step(r, { kind: 'message', from: 'c1', msg: { type: 'read', id: 4 } }, env)[0]).toMatchObject({ msg: { value: 2 } });
  });
});

describe('client: request ids grow across a restart', () => {
  it('each request takes the next id from disk (fsynced before it is sent); a restarted client continues the sequence', () => {
    const disk = new Map<string, JsonValue>();
    const cenv = { id: 'c1', nodes: ['n1', 'c1'], rng: rootRng(5), disk };
    const apply = (cmds: Cmds): Cmds => {
      for (const c of cmds) if (c.kind === 'put') disk.set(c.key, c.value);
      return cmds;
    };
    const ids: number[] = [];
    const opts = { replica: 'n1', retry: 100_000, think: 0, opsUntil: 10_000_000, readRatio: 0, maxDelta: 3, decrements: false };
    for (let life = 0; life < 2; life++) {
      const c = new CounterClient(opts); // a crash loses everything but the disk
      apply(step(c, { kind: 'start' }, cenv));
      for (let i = 0; i < 3; i++) {
        const cmds = apply(step(c, { kind: 'timer', timer: { name: 'next' } }, cenv));
        const kinds = cmds.map((x) => x.kind);
        expect(kinds.indexOf('fsync')).toBeLessThan(kinds.indexOf('send'));
        for (const x of cmds) if (x.kind === 'send') ids.push((x.msg as unknown as { id: number }).id);
        apply(step(c, { kind: 'message', from: 'n1', msg: { type: 'add-ok', id: ids.at(-1)! } }, cenv));
      }
    }
    expect(ids).toEqual([1, 2, 3, 4, 5, 6]);
  });
});

describe('scenarios/counter-duplicate-burst', () => {
  it('holds: half the messages duplicated for 3 s, nothing counted twice', () => {
    const r = runScenario(parseScenario(burst, 'scenarios/counter-duplicate-burst.ts'));
    expect(r.violations).toEqual([]);
  });
});
