// Nodes never share mutable memory. What crosses the node boundary (a sent message, a
// published state, a history value) is deep-frozen and shared by default
// (isolate: 'freeze'), or deep-copied (isolate: 'copy'). These tests prove both modes
// isolate: a node cannot change what another node received, in either direction, and a
// well-behaved protocol's trace is byte-identical under both.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { defaultEngineConfig } from '../../sim/engine/config.ts';
import { cloneJson, deepFreeze } from '../../sim/engine/json.ts';
import { Simulation } from '../../sim/engine/simulation.ts';
import { MemorySink } from '../../sim/engine/trace.ts';
import type { JsonValue, Message, NodeSpec } from '../../sim/engine/types.ts';
import { header, scripted } from './harness.ts';

type Iso = 'freeze' | 'copy';

function run(nodes: NodeSpec[], isolate: Iso | undefined, until = 100_000): { sim: Simulation; text: string; violations: string[] } {
  const sink = new MemorySink();
  const sim = new Simulation({ seed: 'iso', nodes, config: defaultEngineConfig(), trace: sink, header: header(nodes), ...(isolate ? { isolate } : {}) });
  const r = sim.run(until);
  return { sim, text: sink.text(), violations: r.violations.map((v) => `${v.invariant}: ${v.message}`) };
}

describe('isolation at the node boundary', () => {
  it.each<Iso | undefined>(['freeze', 'copy', undefined])('isolate %s: the sender mutating its message after send does not change what the receiver gets', (iso) => {
    const got: unknown[] = [];
    const sender = scripted('n1', {
      start: (ctx) => {
        const msg = { type: 'm', body: { n: 1 }, list: [1, 2] };
        ctx.send('n2', msg);
        try {
          msg.body.n = 99;
          msg.list.push(3);
        } catch {
          // frozen: the mutation is refused (a TypeError in strict mode)
        }
      },
    });
    const receiver = scripted('n2', { message: (_ctx, _from, msg) => void got.push(JSON.parse(JSON.stringify(msg))) });
    const r = run([sender, receiver], iso);
    expect(r.violations).toEqual([]);
    expect(got).toEqual([{ type: 'm', body: { n: 1 }, list: [1, 2] }]);
  });

  it('freeze (a protocol\'s opt-in): what a node sent, received or published is read-only; mutating it is an exception violation naming the node', () => {
    const receiverMutates = scripted('n2', {
      message: (_ctx, _from, msg) => {
        (msg as Message & { body: { n: number } }).body.n = 5;
      },
    });
    const sender = scripted('n1', { start: (ctx) => ctx.send('n2', { type: 'm', body: { n: 1 } } as Message) });
    const r = run([sender, receiverMutates], 'freeze');
    expect(r.violations).toHaveLength(1);
    expect(r.violations[0]).toMatch(/^exception: n2: /);

    const publisher = scripted('n1', {
      start: (ctx) => {
        const state = { role: 'leader', log: [{ term: 1 }] };
        ctx.publish(state as unknown as JsonValue);
        state.log[0]!.term = 2;
      },
    });
    const p = run([publisher], 'freeze');
    expect(p.violations[0]).toMatch(/^exception: n1: /);
    expect(p.sim.published('n1')).toEqual({ role: 'leader', log: [{ term: 1 }] });
  });

  it('copy (the default): a node may mutate what it received or published; the other side never sees it', () => {
    const receiver = scripted('n2', {
      message: (ctx, _from, msg) => {
        const m = msg as Message & { body: { n: number } };
        m.body.n = 5;
        ctx.publish(m as unknown as JsonValue);
        m.body.n = 6;
      },
    });
    const sender = scripted('n1', { start: (ctx) => ctx.send('n2', { type: 'm', body: { n: 1 } } as Message) });
    for (const iso of ['copy', undefined] as const) {
      const r = run([sender, receiver], iso);
      expect(r.violations).toEqual([]);
      expect(r.sim.published('n2')).toEqual({ type: 'm', body: { n: 5 } });
    }
  });

  it('a well-behaved protocol (builds new values, never mutates sent ones) has the same trace under freeze and copy', () => {
    const echo = (id: string, peer: string): NodeSpec =>
      scripted(id, {
        start: (ctx) => {
          if (id === 'n1') ctx.send(peer, { type: 'ping', hops: 0, path: [id] } as Message);
        },
        message: (ctx, _from, msg) => {
          const m = msg as Message & { hops: number; path: string[] };
          ctx.publish({ hops: m.hops, last: m.path } as unknown as JsonValue);
          if (m.hops < 50) ctx.send(peer, { type: 'ping', hops: m.hops + 1, path: [...m.path.slice(-3), id] } as Message);
        },
      });
    const nodes = [echo('n1', 'n2'), echo('n2', 'n1')];
    const frozen = run(nodes, 'freeze', 10_000_000);
    const copied = run(nodes, 'copy', 10_000_000);
    expect(frozen.violations).toEqual([]);
    expect(frozen.text.split('\n').length).toBeGreaterThan(100);
    expect(frozen.text).toBe(copied.text);
  });
});

describe('deepFreeze and cloneJson', () => {
  const json = fc.jsonValue({ maxDepth: 4 });
  it('deepFreeze leaves no reachable object mutable and keeps the JSON text', () => {
    fc.assert(
      fc.property(json, (v) => {
        const text = JSON.stringify(v);
        const frozen = deepFreeze(v);
        const walk = (x: unknown): boolean => typeof x !== 'object' || x === null || (Object.isFrozen(x) && Object.values(x).every(walk));
        expect(walk(frozen)).toBe(true);
        expect(JSON.stringify(frozen)).toBe(text);
      }),
    );
  });

  it('cloneJson gives an equal value that shares no object with the original', () => {
    fc.assert(
      fc.property(json, (v) => {
        const c = cloneJson(v);
        expect(JSON.stringify(c)).toBe(JSON.stringify(v));
        const objects = (x: unknown, out: Set<unknown>): Set<unknown> => {
          if (typeof x === 'object' && x !== null) {
            out.add(x);
            for (const y of Object.values(x)) objects(y, out);
          }
          return out;
        };
        const mine = objects(v, new Set());
        for (const o of objects(c, new Set())) expect(mine.has(o)).toBe(false);
      }),
    );
  });
});
