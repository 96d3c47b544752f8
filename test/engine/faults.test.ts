// Each fault kind, with exact effects.

import { describe, expect, it } from 'vitest';
import { DiskCorruptionError } from '../../sim/engine/disk.ts';
import type { Message, NodeContext } from '../../sim/engine/types.ts';
import { ofType, runTraced, scripted } from './harness.ts';

const PING: Message = { type: 'ping' };
const constant = (v: number) => (c: { network: { latency: unknown } }) => (c.network.latency = { kind: 'constant', value: v });

describe('crash and restart', () => {
  it('a crash loses volatile state and timers; restart builds a fresh instance and calls onRecover', () => {
    const log: string[] = [];
    let instances = 0;
    const node = {
      id: 'n1',
      role: 'server',
      create: () => {
        instances++;
        let counter = 0;
        return {
          onStart: (ctx: NodeContext) => ctx.setTimer('tick', 10_000),
          onRecover: (ctx: NodeContext) => {
            log.push(`recover counter=${counter}`);
            ctx.setTimer('tick', 10_000);
          },
          onMessage: () => {},
          onTimer: (ctx: NodeContext) => {
            counter++;
            log.push(`tick ${ctx.now()} counter=${counter}`);
            ctx.setTimer('tick', 10_000);
          },
        };
      },
    };
    const r = runTraced({ nodes: [node], until: 60_000, faults: [{ at: 25_000, kind: 'crash', node: 'n1' }, { at: 42_000, kind: 'restart', node: 'n1' }] });
    expect(log).toEqual(['tick 10000 counter=1', 'tick 20000 counter=2', 'recover counter=0', 'tick 52000 counter=1']);
    expect(instances).toBe(2);
    expect(r.events.map((e) => e.type)).toEqual(['start', 'timer', 'timer', 'crash', 'restart', 'timer']);
  });

  it('a message to a crashed node is dropped on arrival; messages it sent before crashing still arrive', () => {
    const got: string[] = [];
    const r = runTraced({
      nodes: [
        scripted('n1', { start: (ctx) => ctx.send('n2', PING) }),
        scripted('n2', { start: (ctx) => ctx.send('n1', PING) }),
      ],
      until: 100_000,
      config: constant(5000),
      faults: [{ at: 1000, kind: 'crash', node: 'n2' }],
    });
    void got;
    expect(ofType(r.events, 'drop')).toMatchObject([{ t: 5000, to: 'n2', reason: 'crashed' }]);
    expect(ofType(r.events, 'deliver')).toMatchObject([{ t: 5000, from: 'n2', to: 'n1' }]);
  });

  it('crash-stop: a node never restarted stays down and receives nothing', () => {
    const r = runTraced({
      nodes: [scripted('n1', { start: (ctx) => ctx.setTimer('t', 1000), timer: (ctx) => { ctx.send('n2', PING); ctx.setTimer('t', 1000); } }), scripted('n2', {})],
      until: 50_000,
      config: constant(100),
      faults: [{ at: 10_500, kind: 'crash', node: 'n2' }],
    });
    expect(ofType(r.events, 'deliver').every((e) => e.t < 10_500)).toBe(true);
    expect(ofType(r.events, 'drop').length).toBeGreaterThan(30);
    expect(r.sim.isUp('n2')).toBe(false);
  });
});

describe('disk', () => {
  it('fsynced writes survive a crash, unsynced writes are lost', () => {
    const seen: unknown[] = [];
    const r = runTraced({
      nodes: [
        scripted('n1', {
          start: (ctx) => {
            ctx.disk.put('a', 1);
            ctx.disk.fsync();
            ctx.disk.put('b', 2);
            ctx.disk.put('a', 3);
            seen.push(['before', ctx.disk.get('a'), ctx.disk.get('b'), ctx.disk.keys()]);
          },
          recover: (ctx) => seen.push(['after', ctx.disk.get('a'), ctx.disk.get('b'), ctx.disk.keys()]),
        }),
      ],
      until: 10_000,
      faults: [{ at: 10, kind: 'crash', node: 'n1' }, { at: 20, kind: 'restart', node: 'n1' }],
    });
    expect(seen).toEqual([['before', 3, 2, ['a', 'b']], ['after', 1, undefined, ['a']]]);
    expect(ofType(r.events, 'crash')[0]?.lostWrites).toBe(2);
  });

  it('deletes are buffered like writes', () => {
    const seen: unknown[] = [];
    runTraced({
      nodes: [
        scripted('n1', {
          start: (ctx) => {
            ctx.disk.put('x', 'v');
            ctx.disk.fsync();
            ctx.disk.delete('x');
            seen.push(ctx.disk.get('x'));
          },
          recover: (ctx) => seen.push(ctx.disk.get('x')),
        }),
      ],
      until: 100,
      faults: [{ at: 10, kind: 'crash', node: 'n1' }, { at: 20, kind: 'restart', node: 'n1' }],
    });
    expect(seen).toEqual([undefined, 'v']);
  });

  it('a corrupted record fails its checksum on read', () => {
    let error: unknown;
    const r = runTraced({
      nodes: [
        scripted('n1', {
          start: (ctx) => {
            ctx.disk.put('log/1', { term: 3, cmd: 'x' });
            ctx.disk.put('meta', 'ok');
            ctx.disk.fsync();
          },
          recover: (ctx) => {
            try {
              ctx.disk.get('log/1');
            } catch (e) {
              error = e;
            }
            expect(ctx.disk.get('meta')).toBe('ok');
          },
        }),
      ],
      until: 100,
      faults: [{ at: 10, kind: 'crash', node: 'n1' }, { at: 11, kind: 'corrupt', node: 'n1', key: 'log/1' }, { at: 20, kind: 'restart', node: 'n1' }],
    });
    expect(error).toBeInstanceOf(DiskCorruptionError);
    expect(ofType(r.events, 'disk')).toMatchObject([{ node: 'n1', op: 'corrupt', key: 'log/1' }]);
    expect(r.violations).toEqual([]);
  });
});

describe('pause and resume', () => {
  it('a paused node gets its messages queued and delivered on resume, in order', () => {
    const got: [number, number][] = [];
    const r = runTraced({
      nodes: [
        scripted('n1', { start: (ctx) => { for (let i = 0; i < 3; i++) ctx.send('n2', { type: 'm', i } as Message); } }),
        scripted('n2', { message: (ctx, _f, m) => got.push([ctx.now(), (m as unknown as { i: number }).i]) }),
      ],
      until: 100_000,
      config: (c) => {
        c.network.latency = { kind: 'constant', value: 2000 };
        c.network.fifo = true;
      },
      faults: [{ at: 1000, kind: 'pause', node: 'n2' }, { at: 30_000, kind: 'resume', node: 'n2' }],
    });
    expect(got).toEqual([[30_000, 0], [30_000, 1], [30_000, 2]]);
    expect(ofType(r.events, 'resume')).toMatchObject([{ t: 30_000, queued: 3 }]);
  });

  it('a paused node\'s timers fire late, after resume, and its clock kept running', () => {
    const fired: number[] = [];
    runTraced({
      nodes: [scripted('n1', { start: (ctx) => ctx.setTimer('lease', 10_000), timer: (ctx) => fired.push(ctx.now()) })],
      until: 100_000,
      faults: [{ at: 5000, kind: 'pause', node: 'n1' }, { at: 40_000, kind: 'resume', node: 'n1' }],
    });
    expect(fired).toEqual([40_000]);
  });
});

describe('clocks', () => {
  it('offset and drift: local = offset + (1 + drift) * true time; timers run on the local clock', () => {
    const seen: [string, number][] = [];
    runTraced({
      nodes: [
        scripted('n1', {
          start: (ctx) => {
            seen.push(['start', ctx.now()]);
            ctx.setTimer('t', 100_000);
          },
          timer: (ctx) => seen.push(['timer', ctx.now()]),
        }),
      ],
      until: 1_000_000,
      config: (c) => (c.clocks = { n1: { offset: 5000, drift: 0.25 } }),
    });
    // A clock 25% fast: 100 ms local elapse in 80 ms true time, at local 5 + 100 ms.
    expect(seen).toEqual([['start', 5000], ['timer', 105_000]]);
  });

  it('a clock fault changes drift continuously and jumps offsets', () => {
    const readings: number[] = [];
    runTraced({
      nodes: [scripted('n1', { start: (ctx) => ctx.setTimer('t', 10_000), timer: (ctx) => { readings.push(ctx.now()); ctx.setTimer('t', 10_000); } })],
      until: 50_000,
      faults: [{ at: 20_000, kind: 'clock', node: 'n1', drift: 1 }, { at: 40_000, kind: 'clock', node: 'n1', offset: -7000 }],
    });
    // Faults at a time run before timers due then (they were queued first).
    // From 20 ms the clock runs twice as fast: a 10 ms local timer takes 5 ms true.
    // At 40 ms the offset jumps to -7 ms: local 33 ms, and the clock goes on from there.
    expect(readings).toEqual([10_000, 20_000, 30_000, 40_000, 50_000, 33_000, 43_000, 53_000]);
  });
});

describe('quiesce', () => {
  it('heals, ends loss bursts, resumes paused and restarts crashed nodes, and marks the liveness phase', () => {
    const r = runTraced({
      nodes: [scripted('n1', {}), scripted('n2', {}), scripted('n3', {})],
      until: 100_000,
      faults: [
        { at: 10, kind: 'crash', node: 'n1' },
        { at: 20, kind: 'pause', node: 'n2' },
        { at: 30, kind: 'isolate', node: 'n3' },
        { at: 40, kind: 'loss', p: 0.5 },
        { at: 50_000, kind: 'quiesce' },
      ],
    });
    const after = r.events.filter((e) => e.t === 50_000).map((e) => e.type);
    expect(after).toEqual(['heal', 'network', 'resume', 'restart', 'log']);
    expect(r.sim.quiescedAt).toBe(50_000);
    expect(['n1', 'n2', 'n3'].map((id) => [r.sim.isUp(id), r.sim.isPaused(id)])).toEqual([[true, false], [true, false], [true, false]]);
  });
});
