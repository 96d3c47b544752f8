// The ready-made `linearizable` engine checker, on a tiny replicated register
// run by the engine: a primary serialises reads and writes, a replica is
// updated periodically. Planted bug: clients read from the replica (stale
// reads), which the checker must catch. The trace of the same run, parsed back,
// gets the same verdict.

import { describe, expect, it } from 'vitest';
import { checkHistory, inferModel, linearizableChecker, models, parseTrace, registerModel } from '../../sim/check/linearizability/index.ts';
import type { Message, NodeContext, NodeSpec, SimView } from '../../sim/engine/types.ts';
import { HistoryBuilder } from './history-builder.ts';
import { runTraced, scripted } from '../engine/harness.ts';

interface Msg extends Message {
  type: 'read' | 'write' | 'reply' | 'replicate';
  op?: number;
  value?: number | null;
}

function registerCluster(staleReads: boolean): NodeSpec[] {
  const primary = { value: null as number | null };
  const replica = { value: null as number | null };
  const nodes: NodeSpec[] = [
    scripted('n1', {
      // The replica is brought up to date every 20 ms.
      start: (ctx) => ctx.setTimer('sync', 20_000),
      timer(ctx) {
        ctx.send('n2', { type: 'replicate', value: primary.value } as Msg);
        ctx.setTimer('sync', 20_000);
      },
      message(ctx: NodeContext, from, m) {
        const msg = m as Msg;
        if (msg.type === 'write') primary.value = msg.value!;
        ctx.send(from, { type: 'reply', op: msg.op, value: primary.value } as Msg);
      },
    }),
    scripted('n2', {
      message(ctx: NodeContext, from, m) {
        const msg = m as Msg;
        if (msg.type === 'replicate') replica.value = msg.value!;
        else ctx.send(from, { type: 'reply', op: msg.op, value: replica.value } as Msg);
      },
    }),
  ];
  for (const id of ['c1', 'c2', 'c3']) {
    let pending: { op: number; f: string } | undefined;
    const next = (ctx: NodeContext): void => {
      const write = ctx.rng.chance(0.5);
      const value = ctx.rng.int(0, 4);
      const op = ctx.invoke({ process: id, f: write ? 'write' : 'read', ...(write ? { value } : {}) });
      pending = { op, f: write ? 'write' : 'read' };
      ctx.send(write || !staleReads ? 'n1' : 'n2', { type: write ? 'write' : 'read', op, value } as Msg);
      ctx.setTimer('timeout', 40_000);
    };
    nodes.push(
      scripted(
        id,
        {
          start: (ctx) => ctx.setTimer('next', ctx.rng.int(1, 5000)),
          timer(ctx, name) {
            if (name === 'timeout' && pending) {
              ctx.complete(pending.op, 'info');
              pending = undefined;
            }
            next(ctx);
          },
          message(ctx, _from, m) {
            const msg = m as Msg;
            if (!pending || msg.op !== pending.op) return; // a late reply to a timed-out call
            ctx.cancelTimer('timeout');
            ctx.complete(pending.op, 'ok', pending.f === 'read' ? (msg.value ?? null) : undefined);
            pending = undefined;
            ctx.setTimer('next', ctx.rng.int(0, 3000));
          },
        },
        'client',
      ),
    );
  }
  return nodes;
}

function run(staleReads: boolean, seed: string) {
  return runTraced({
    nodes: registerCluster(staleReads),
    until: 1_000_000,
    seed,
    config: (c) => {
      c.network.loss = 0.05;
    },
    checkers: [linearizableChecker(registerModel)],
  });
}

const SEEDS = ['1', '2', '3', '4', '5'];

describe('linearizable engine checker', () => {
  it('passes the correct register under message loss (timeouts give unknown outcomes)', () => {
    for (const seed of SEEDS) {
      const r = run(false, seed);
      expect(r.violations, `seed ${seed}`).toEqual([]);
      expect(r.stats.operations.invoked).toBeGreaterThan(100);
      expect(r.stats.operations.info).toBeGreaterThan(0);
    }
  });

  it('catches the planted bug (reads served by a lagging replica) on every seed, with an explanation', () => {
    for (const seed of SEEDS) {
      const r = run(true, seed);
      expect(r.violations.map((v) => v.invariant), `seed ${seed}`).toEqual(['linearizable']);
      expect(r.violations[0]!.message).toMatch(/Cannot place: c\d: read -> /);
      expect(r.violations[0]!.message).toContain('Longest linearizable prefix');
      expect(r.violations[0]!.message).toMatch(/Smallest failing core: these \d+ of \d+ operations/);
    }
  });

  it('gives the same verdict from the trace file of the run', () => {
    for (const stale of [false, true]) {
      const r = run(stale, '3');
      const parsed = parseTrace(r.text, 'run.jsonl');
      const fs = parsed.history.flatMap((e) => (e.type === 'invoke' ? [e.f] : []));
      expect(inferModel(fs)).toBe('register');
      expect(parsed.history.length).toBe(r.stats.operations.invoked + r.stats.operations.ok + r.stats.operations.info + r.stats.operations.fail);
      expect(checkHistory(parsed.history, models.register).linearizable).toBe(!stale);
    }
  });
});

describe('linearizableChecker options', () => {
  it('filter keeps only the operations of one model; name renames the checker', () => {
    const b = new HistoryBuilder();
    b.seq('c1', 'acquire', undefined, undefined, 'L');
    b.seq('c2', 'write', 1);
    b.seq('c2', 'read', undefined, 1);
    const view = { history: b.history } as unknown as SimView;
    expect(() => linearizableChecker(registerModel).check(view)).toThrow(/unknown operation "acquire"/);
    const only = linearizableChecker(registerModel, { filter: (f) => f !== 'acquire', name: 'register-linearizable' });
    expect(only.name).toBe('register-linearizable');
    expect(only.check(view)).toBeUndefined();
    b.seq('c3', 'read', undefined, 2);
    expect(only.check({ history: b.history } as unknown as SimView)).toMatch(/^register is not linearizable\./);
  });
});

describe('inferModel', () => {
  it('adds and reads are a counter; reads alone a register', () => {
    expect(inferModel(['add', 'read'])).toBe('counter');
    expect(inferModel(['read'])).toBe('register');
  });
});
