// A toy sharded counter used to prove that fuzz() finds and shrinks a bug.
// Servers n1..nN each own a shard of the count and persist it on their disk;
// client c1 sends increments round-robin and records them in the history.
// Safety: every acknowledged increment survives crashes, i.e. after the run the
// shards, reloaded from disk, add up to at least the number of ok increments.
//
// Planted bug `ackBeforeFsync`: a server acknowledges an increment before it is
// durable and fsyncs on a group-commit timer, so a crash in between loses an
// acknowledged write. Only a crash inside that window reveals it.

import { z } from 'zod';
import type { Checker, NodeBehaviour, NodeContext, NodeSpec } from '../../sim/engine/types.ts';
import { defineProtocol } from '../../sim/scenario/protocol.ts';

type CounterMsg = { type: 'inc'; op: number } | { type: 'ack'; op: number };

export const counterConfig = z
  .object({
    servers: z.number().int().min(1).max(9).default(3),
    /** Increments the client sends, one at a time. */
    increments: z.number().int().min(0).default(40),
    /** Client pause between increments, µs. */
    interval: z.number().int().min(1).default(20_000),
    bugs: z.object({ ackBeforeFsync: z.boolean().default(false) }).strict().default({ ackBeforeFsync: false }),
    /** Test of fuzz() itself: a node factory that throws when a server restarts (outside any handler, so not a violation). */
    factoryThrowsOnRestart: z.boolean().default(false),
  })
  .strict();
export type CounterConfig = z.output<typeof counterConfig>;

const FLUSH_EVERY = 30_000;
const REQUEST_TIMEOUT = 50_000;

export class CounterServer implements NodeBehaviour<CounterMsg> {
  count = 0;
  constructor(private readonly ackBeforeFsync: boolean) {}

  onStart(ctx: NodeContext<CounterMsg>): void {
    this.count = ctx.disk.get<number>('count') ?? 0;
    ctx.publish({ count: this.count });
  }

  onMessage(ctx: NodeContext<CounterMsg>, from: string, msg: CounterMsg): void {
    if (msg.type !== 'inc') return;
    this.count++;
    ctx.disk.put('count', this.count);
    if (this.ackBeforeFsync) {
      // BUG: the ack goes out now, the write becomes durable at the next group commit.
      if (!ctx.hasTimer('flush')) ctx.setTimer('flush', FLUSH_EVERY);
    } else {
      ctx.disk.fsync();
    }
    ctx.publish({ count: this.count });
    ctx.send(from, { type: 'ack', op: msg.op });
  }

  onTimer(ctx: NodeContext<CounterMsg>, name: string): void {
    if (name === 'flush') ctx.disk.fsync();
  }
}

export class CounterClient implements NodeBehaviour<CounterMsg> {
  private sent = 0;
  private pending: { op: number; server: string } | undefined;
  constructor(private readonly cfg: CounterConfig) {}

  onStart(ctx: NodeContext<CounterMsg>): void {
    ctx.setTimer('next', this.cfg.interval);
  }

  onMessage(ctx: NodeContext<CounterMsg>, _from: string, msg: CounterMsg): void {
    if (msg.type !== 'ack' || this.pending?.op !== msg.op) return;
    ctx.complete(msg.op, 'ok');
    this.pending = undefined;
    ctx.cancelTimer('timeout');
    ctx.setTimer('next', this.cfg.interval);
  }

  onTimer(ctx: NodeContext<CounterMsg>, name: string): void {
    if (name === 'timeout' && this.pending) {
      ctx.complete(this.pending.op, 'info');
      this.pending = undefined;
      ctx.setTimer('next', this.cfg.interval);
      return;
    }
    if (name !== 'next' || this.pending || this.sent >= this.cfg.increments) return;
    const server = `n${(this.sent % this.cfg.servers) + 1}`;
    this.sent++;
    const op = ctx.invoke({ process: 'c1', f: 'inc' });
    this.pending = { op, server };
    ctx.send(server, { type: 'inc', op });
    ctx.setTimer('timeout', REQUEST_TIMEOUT);
  }
}

/** Final: the servers' counts (a crashed server's is what it reloaded from disk) add up to at least the acknowledged increments. */
export function ackedWritesDurable(servers: string[]): Checker {
  return {
    name: 'acked-writes-durable',
    description: 'every acknowledged increment survives crashes',
    when: 'final',
    check(view) {
      const acked = view.history.filter((e) => e.type === 'return' && e.outcome === 'ok').length;
      let durable = 0;
      for (const id of servers) durable += view.behaviour<CounterServer>(id)?.count ?? ((view.durable(id).get('count') as number | undefined) ?? 0);
      return durable >= acked ? undefined : `${acked} increments were acknowledged but the servers hold only ${durable}`;
    },
  };
}

export const counter = defineProtocol({
  name: 'counter',
  description: 'Toy sharded counter with a planted lost-acknowledged-write bug (fuzz tests)',
  configSchema: counterConfig,
  build(config) {
    const ids = Array.from({ length: config.servers }, (_, i) => `n${i + 1}`);
    const nodes: NodeSpec[] = [
      ...ids.map((id) => {
        let made = 0;
        const create = (): CounterServer => {
          if (config.factoryThrowsOnRestart && made++ > 0) throw new Error(`factory bug restarting ${id}`);
          return new CounterServer(config.bugs.ackBeforeFsync);
        };
        return { id, role: 'server', create };
      }),
      { id: 'c1', role: 'client', create: () => new CounterClient(config) },
    ];
    const checkers = [ackedWritesDurable(ids)];
    return { nodes, checkers };
  },
});
