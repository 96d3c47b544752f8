// Engine properties over random fault schedules (fast-check): time order,
// message accounting, crashed nodes, partitions, disk durability, determinism.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TimedFault } from '../../sim/engine/config.ts';
import { hashText } from '../../sim/engine/trace.ts';
import type { Message, NodeContext, NodeSpec } from '../../sim/engine/types.ts';
import { runTraced } from './harness.ts';

const IDS = ['n1', 'n2', 'n3', 'n4'];
const UNTIL = 300_000;

/** Each node gossips to random peers on a timer, and writes a counter to disk, syncing only sometimes. */
function gossipNodes(diskLog: Map<string, { synced: number; recovered: number[] }>): NodeSpec[] {
  return IDS.map((id) => {
    const entry = { synced: 0, recovered: [] as number[] };
    diskLog.set(id, entry);
    const tick = (ctx: NodeContext): void => {
      ctx.send(ctx.rng.pick(ctx.nodes), { type: 'gossip', from: ctx.id } as Message);
      const next = (ctx.disk.get<number>('counter') ?? 0) + 1;
      ctx.disk.put('counter', next);
      if (ctx.rng.chance(0.3)) {
        ctx.disk.fsync();
        entry.synced = next;
      }
      ctx.setTimer('tick', 1000 + ctx.rng.int(0, 4000));
    };
    return {
      id,
      role: 'server',
      create: () => ({
        onStart: (ctx: NodeContext) => ctx.setTimer('tick', 1000),
        onRecover: (ctx: NodeContext) => {
          entry.recovered.push(ctx.disk.get<number>('counter') ?? 0);
          entry.recovered.push(entry.synced);
          ctx.setTimer('tick', 1000);
        },
        onMessage: (ctx: NodeContext, _from: string, _msg: Message) => {
          if (ctx.rng.chance(0.5)) ctx.send(ctx.rng.pick(ctx.nodes), { type: 'gossip', from: ctx.id } as Message);
        },
        onTimer: tick,
      }),
    };
  });
}

const node = fc.constantFrom(...IDS);
const at = fc.integer({ min: 0, max: UNTIL });
const faultArb: fc.Arbitrary<TimedFault> = fc.oneof(
  fc.record({ at, kind: fc.constant('crash' as const), node }),
  fc.record({ at, kind: fc.constant('restart' as const), node }),
  fc.record({ at, kind: fc.constant('pause' as const), node }),
  fc.record({ at, kind: fc.constant('resume' as const), node }),
  fc.record({ at, kind: fc.constant('isolate' as const), node }),
  fc.record({ at, kind: fc.constant('block' as const), from: node, to: node }),
  fc.record({ at, kind: fc.constant('heal' as const) }),
  fc.record({ at, kind: fc.constant('partition' as const), groups: fc.shuffledSubarray(IDS, { minLength: 2 }).map((s) => [s.slice(0, 1), s.slice(1)]) }),
  fc.record({ at, kind: fc.constant('loss' as const), p: fc.double({ min: 0, max: 1, noNaN: true }) }),
  fc.record({ at, kind: fc.constant('clock' as const), node, drift: fc.double({ min: -0.5, max: 0.5, noNaN: true }) }),
);
const scheduleArb = fc.array(faultArb, { maxLength: 25 });
const netArb = fc.record({
  loss: fc.double({ min: 0, max: 0.3, noNaN: true }),
  duplicate: fc.double({ min: 0, max: 0.2, noNaN: true }),
  fifo: fc.boolean(),
});

function run(seed: string, faults: TimedFault[], net: { loss: number; duplicate: number; fifo: boolean }) {
  const diskLog = new Map<string, { synced: number; recovered: number[] }>();
  const r = runTraced({
    nodes: gossipNodes(diskLog),
    until: UNTIL,
    seed,
    faults,
    config: (c) => {
      c.network.loss = net.loss;
      c.network.duplicate = net.duplicate;
      c.network.fifo = net.fifo;
    },
  });
  return { r, diskLog };
}

describe('engine properties over random fault schedules', () => {
  it('time never goes backwards and seq numbers are consecutive', () => {
    fc.assert(
      fc.property(fc.string(), scheduleArb, netArb, (seed, faults, net) => {
        const { r } = run(seed, faults, net);
        r.events.forEach((e, i) => {
          expect(e.seq).toBe(i);
          if (i > 0) expect(e.t).toBeGreaterThanOrEqual(r.events[i - 1]!.t);
        });
      }),
      { numRuns: 60 },
    );
  });

  it('every sent message ends exactly once: delivered, dropped, or still in flight', () => {
    fc.assert(
      fc.property(fc.string(), scheduleArb, netArb, (seed, faults, net) => {
        const { r } = run(seed, faults, net);
        const created = new Set<number>();
        const ended = new Set<number>();
        for (const e of r.events) {
          if (e.type === 'send' || e.type === 'duplicate') {
            expect(created.has(e.id)).toBe(false);
            created.add(e.id);
          }
          if (e.type === 'deliver' || e.type === 'drop') {
            expect(created.has(e.id)).toBe(true);
            expect(ended.has(e.id)).toBe(false);
            ended.add(e.id);
          }
        }
        expect(created.size - ended.size).toBe(r.stats.messages.inFlight);
        expect(r.stats.messages.sent + r.stats.messages.duplicated).toBe(created.size);
      }),
      { numRuns: 60 },
    );
  });

  it('nothing is delivered to, and no timer fires on, a crashed or paused node', () => {
    fc.assert(
      fc.property(fc.string(), scheduleArb, netArb, (seed, faults, net) => {
        const { r } = run(seed, faults, net);
        const up = new Map(IDS.map((id) => [id, false]));
        const paused = new Set<string>();
        for (const e of r.events) {
          if (e.type === 'start' || e.type === 'restart') up.set(e.node, true);
          if (e.type === 'crash') {
            up.set(e.node, false);
            paused.delete(e.node);
          }
          if (e.type === 'pause') paused.add(e.node);
          if (e.type === 'resume') paused.delete(e.node);
          if (e.type === 'deliver') expect(up.get(e.to) && !paused.has(e.to)).toBe(true);
          if (e.type === 'timer') expect(up.get(e.node) && !paused.has(e.node)).toBe(true);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('a partition blocks exactly the pairs it names, in the directions it names', () => {
    fc.assert(
      fc.property(fc.string(), scheduleArb, (seed, faults) => {
        const { r } = run(seed, faults, { loss: 0, duplicate: 0, fifo: false });
        const blocked = new Set<string>();
        for (const e of r.events) {
          if (e.type === 'partition') {
            for (const [a, b] of e.blocked) blocked.add(`${a}>${b}`);
          }
          if (e.type === 'heal') blocked.clear();
          if (e.type === 'deliver') expect(blocked.has(`${e.from}>${e.to}`)).toBe(false);
          if (e.type === 'drop' && e.reason === 'partition') expect(blocked.has(`${e.from}>${e.to}`)).toBe(true);
        }
        // And the blocked pairs are exactly what the faults named.
        for (const f of faults) {
          const ev = r.events.find((e) => e.type === 'partition' && e.t === f.at);
          if (!ev || ev.type !== 'partition') continue;
          if (f.kind === 'block') expect(ev.blocked).toContainEqual([f.from, f.to]);
          if (f.kind === 'isolate') for (const [a, b] of ev.blocked) expect(a === f.node || b === f.node).toBe(true);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('fsynced data survives a crash and unsynced data does not', () => {
    fc.assert(
      fc.property(fc.string(), scheduleArb, (seed, faults) => {
        const { diskLog } = run(seed, faults, { loss: 0, duplicate: 0, fifo: false });
        for (const { recovered } of diskLog.values()) {
          // Pairs of (read back after restart, last value synced before the crash).
          for (let i = 0; i < recovered.length; i += 2) expect(recovered[i]).toBe(recovered[i + 1]);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('the same seed gives a byte-identical trace; a different seed a different one', () => {
    fc.assert(
      fc.property(fc.string(), scheduleArb, netArb, (seed, faults, net) => {
        const a = run(seed, faults, net).r;
        const b = run(seed, faults, net).r;
        expect(b.text).toBe(a.text);
        expect(b.hash).toBe(a.hash);
        const c = run(seed + '!', faults, net).r;
        expect(c.hash).not.toBe(a.hash);
      }),
      { numRuns: 25 },
    );
  });

  it('the footer hash is the SHA-256 of every byte before the footer', () => {
    const { r } = run('hash', [{ at: 1000, kind: 'crash', node: 'n2' }], { loss: 0.1, duplicate: 0.1, fifo: false });
    const lines = r.text.split('\n');
    const footer = JSON.parse(lines[lines.length - 2]!) as { type: string; hash: string; events: number };
    const body = lines.slice(0, -2).join('\n') + '\n';
    expect(footer.type).toBe('end');
    expect(footer.hash).toBe(r.hash);
    expect(hashText(body)).toBe(footer.hash);
    expect(footer.events).toBe(r.events.length);
  });
});
