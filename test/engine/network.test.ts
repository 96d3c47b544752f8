// Network behaviour, with exact effects: latency, loss, duplication, FIFO,
// retransmission, partitions (groups, isolate, one-way) and heal.

import { describe, expect, it } from 'vitest';
import type { Message, NodeContext } from '../../sim/engine/types.ts';
import { ofType, runTraced, scripted } from './harness.ts';

const PING: Message = { type: 'ping' };

/** n1 sends `count` pings to n2 at start; n2 records arrival times. */
function sender(count: number, to = 'n2') {
  return scripted('n1', { start: (ctx) => { for (let i = 0; i < count; i++) ctx.send(to, { type: 'ping', i } as Message); } });
}

describe('latency', () => {
  it('constant latency delivers exactly that much later', () => {
    const r = runTraced({ nodes: [sender(3), scripted('n2', {})], until: 1_000_000, config: (c) => (c.network.latency = { kind: 'constant', value: 2500 }) });
    expect(ofType(r.events, 'deliver').map((e) => e.t)).toEqual([2500, 2500, 2500]);
  });

  it('uniform latency stays within [min, max] and uses the whole range', () => {
    const r = runTraced({ nodes: [sender(2000), scripted('n2', {})], until: 1_000_000, config: (c) => (c.network.latency = { kind: 'uniform', min: 1000, max: 2000 }) });
    const ts = ofType(r.events, 'deliver').map((e) => e.t);
    expect(ts).toHaveLength(2000);
    expect(Math.min(...ts)).toBeGreaterThanOrEqual(1000);
    expect(Math.max(...ts)).toBeLessThanOrEqual(2000);
    expect(Math.min(...ts)).toBeLessThan(1010);
    expect(Math.max(...ts)).toBeGreaterThan(1990);
  });

  it.each([
    ['exponential', { kind: 'exponential', mean: 5000, min: 100 } as const, 5100],
    ['lognormal', { kind: 'lognormal', median: 4000, sigma: 0.5 } as const, 4000 * Math.exp(0.125)],
  ])('%s latency has the stated mean', (_name, latency, mean) => {
    const r = runTraced({ nodes: [sender(5000), scripted('n2', {})], until: 100_000_000, config: (c) => (c.network.latency = latency) });
    const ts = ofType(r.events, 'deliver').map((e) => e.t);
    const avg = ts.reduce((a, b) => a + b, 0) / ts.length;
    expect(Math.abs(avg - mean) / mean).toBeLessThan(0.05);
    expect(Math.min(...ts)).toBeGreaterThanOrEqual('min' in latency ? latency.min : 0);
  });
});

describe('loss, duplication, reordering', () => {
  it('loss 1 drops every message with reason loss; loss 0 drops none', () => {
    const lossy = runTraced({ nodes: [sender(50), scripted('n2', {})], until: 1_000_000, config: (c) => (c.network.loss = 1) });
    expect(ofType(lossy.events, 'deliver')).toHaveLength(0);
    expect(ofType(lossy.events, 'drop').map((d) => d.reason)).toEqual(Array(50).fill('loss'));
    const clean = runTraced({ nodes: [sender(50), scripted('n2', {})], until: 1_000_000 });
    expect(ofType(clean.events, 'drop')).toHaveLength(0);
  });

  it('loss 0.3 drops about 30%', () => {
    const r = runTraced({ nodes: [sender(4000), scripted('n2', {})], until: 1_000_000, config: (c) => (c.network.loss = 0.3) });
    expect(Math.abs(r.stats.messages.dropped / 4000 - 0.3)).toBeLessThan(0.03);
  });

  it('a retransmitting link delivers every message despite loss, later', () => {
    const r = runTraced({
      nodes: [sender(500), scripted('n2', {})],
      until: 10_000_000,
      config: (c) => {
        c.network.loss = 0.5;
        c.network.retransmit = 20_000;
        c.network.latency = { kind: 'constant', value: 1000 };
      },
    });
    const ts = ofType(r.events, 'deliver').map((e) => e.t);
    expect(ts).toHaveLength(500);
    expect(r.stats.messages.dropped).toBe(0);
    expect(r.stats.messages.retransmitted).toBeGreaterThan(150);
    // Every delivery is 1 ms plus a whole number of (20 ms + 1 ms) retries.
    for (const t of ts) expect((t - 1000) % 21_000).toBe(0);
  });

  it('duplicate 1 delivers every message twice, the copy with its own id', () => {
    const got: number[] = [];
    const r = runTraced({
      nodes: [sender(10), scripted('n2', { message: (_c, _f, m) => got.push((m as unknown as { i: number }).i) })],
      until: 1_000_000,
      config: (c) => (c.network.duplicate = 1),
    });
    expect(got.sort((a, b) => a - b)).toEqual([0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9]);
    const dups = ofType(r.events, 'duplicate');
    expect(dups).toHaveLength(10);
    for (const d of dups) expect(d.id).not.toBe(d.of);
  });

  it('jitter reorders a non-FIFO link; a FIFO link never reorders', () => {
    const order = (fifo: boolean): number[] => {
      const got: number[] = [];
      runTraced({
        nodes: [sender(200), scripted('n2', { message: (_c, _f, m) => got.push((m as unknown as { i: number }).i) })],
        until: 1_000_000,
        config: (c) => {
          c.network.fifo = fifo;
          c.network.latency = { kind: 'uniform', min: 1000, max: 50_000 };
        },
      });
      return got;
    };
    const sorted = [...Array(200).keys()];
    expect(order(false)).not.toEqual(sorted);
    expect(order(true)).toEqual(sorted);
  });

  it('per-link overrides apply to the named links only', () => {
    const r = runTraced({
      nodes: [scripted('n1', { start: (ctx) => { ctx.send('n2', PING); ctx.send('n3', PING); } }), scripted('n2', {}), scripted('n3', {})],
      until: 1_000_000,
      config: (c) => {
        c.network.latency = { kind: 'constant', value: 1000 };
        c.network.links = [{ from: 'n1', to: 'n3', latency: { kind: 'constant', value: 7000 } }];
      },
    });
    expect(ofType(r.events, 'deliver').map((e) => [e.to, e.t])).toEqual([['n2', 1000], ['n3', 7000]]);
  });
});

describe('partitions', () => {
  /** Every node sends one ping to every other node each 10 ms. */
  function mesh(ids: string[]) {
    return ids.map((id) =>
      scripted(id, {
        start: (ctx) => ctx.setTimer('tick', 10_000),
        timer: (ctx: NodeContext) => {
          for (const other of ctx.nodes) if (other !== ctx.id) ctx.send(other, PING);
          ctx.setTimer('tick', 10_000);
        },
      }),
    );
  }
  const ids = ['n1', 'n2', 'n3', 'n4'];
  const pairsDelivered = (events: ReturnType<typeof runTraced>['events'], from: number, to: number) =>
    new Set(ofType(events, 'deliver').filter((e) => e.t > from && e.t < to).map((e) => `${e.from}>${e.to}`));

  it('groups block exactly the pairs across groups, both ways, until heal', () => {
    const r = runTraced({
      nodes: mesh(ids),
      until: 400_000,
      config: (c) => (c.network.latency = { kind: 'constant', value: 1000 }),
      faults: [
        { at: 100_000, kind: 'partition', groups: [['n1', 'n2'], ['n3', 'n4']] },
        { at: 250_000, kind: 'heal' },
      ],
    });
    const during = pairsDelivered(r.events, 105_000, 245_000);
    expect([...during].sort()).toEqual(['n1>n2', 'n2>n1', 'n3>n4', 'n4>n3']);
    const after = pairsDelivered(r.events, 260_000, 400_000);
    expect(after.size).toBe(12);
    const drops = ofType(r.events, 'drop');
    expect(drops.every((d) => d.reason === 'partition')).toBe(true);
    expect(drops.every((d) => d.t >= 100_000 && d.t < 250_000)).toBe(true);
  });

  it('a one-way block cuts one direction only', () => {
    const r = runTraced({
      nodes: mesh(['n1', 'n2']),
      until: 200_000,
      config: (c) => (c.network.latency = { kind: 'constant', value: 1000 }),
      faults: [{ at: 50_000, kind: 'block', from: 'n1', to: 'n2' }],
    });
    expect([...pairsDelivered(r.events, 55_000, 200_000)]).toEqual(['n2>n1']);
  });

  it('isolate cuts one node off in both directions and leaves the others connected', () => {
    const r = runTraced({
      nodes: mesh(['n1', 'n2', 'n3']),
      until: 200_000,
      config: (c) => (c.network.latency = { kind: 'constant', value: 1000 }),
      faults: [{ at: 50_000, kind: 'isolate', node: 'n2' }],
    });
    expect([...pairsDelivered(r.events, 55_000, 200_000)].sort()).toEqual(['n1>n3', 'n3>n1']);
  });

  it('a partition that starts while a message is on the wire drops it on arrival', () => {
    const r = runTraced({
      nodes: [sender(1), scripted('n2', {})],
      until: 1_000_000,
      config: (c) => (c.network.latency = { kind: 'constant', value: 10_000 }),
      faults: [{ at: 5000, kind: 'isolate', node: 'n2' }],
    });
    expect(ofType(r.events, 'drop')).toMatchObject([{ t: 10_000, reason: 'partition' }]);
  });
});
