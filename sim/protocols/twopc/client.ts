// The workload: a bank client that runs money transfers between accounts on
// different shards, one at a time, and records each in the client history
// (f 'transfer', key 'from->to', value { tx, amount }; ok = committed, fail =
// aborted, info = no answer before the client's timeout).

import type { Io, Micros, NodeId, OpRef, ProtocolNode } from '../../api/index.ts';
import { accountName, COORDINATOR, ownerOf, type Transfer } from './accounts.ts';
import type { TwoPcMessage, TxId } from './messages.ts';
import type { ClientState } from './state.ts';

/** The client's timers: `next` starts the next transfer (after the think time), `timeout` gives up waiting for an outcome. */
export type ClientTimer = { name: 'next' } | { name: 'timeout' };

type Ctx = Io<TwoPcMessage, ClientTimer, ClientState>;

export interface ClientOptions {
  accounts: number;
  accountsPerShard: number;
  amount: { min: number; max: number };
  transfers: number | undefined;
  think: { min: Micros; max: Micros };
  timeout: Micros;
}

export class ClientNode implements ProtocolNode<TwoPcMessage, ClientTimer, ClientState> {
  private current: { tx: TxId; op: OpRef } | undefined;
  private readonly stats = { committed: 0, aborted: 0, unknown: 0 };
  private started = 0;
  constructor(private readonly opts: ClientOptions) {}

  onStart(ctx: Ctx): void {
    this.schedule(ctx);
    this.publish(ctx);
  }

  onRecover(ctx: Ctx): void {
    this.started = ctx.read<number>('next') ?? 0;
    this.schedule(ctx);
    this.publish(ctx);
  }

  onMessage(ctx: Ctx, _from: NodeId, msg: TwoPcMessage): void {
    if (msg.type !== 'outcome' || this.current?.tx !== msg.tx) return; // a late answer for an earlier transfer
    ctx.complete(this.current.op, msg.commit ? 'ok' : 'fail', msg.reason);
    if (msg.commit) this.stats.committed++;
    else this.stats.aborted++;
    this.current = undefined;
    ctx.cancelTimer('timeout');
    this.schedule(ctx);
    this.publish(ctx);
  }

  onTimer(ctx: Ctx, timer: ClientTimer): void {
    if (timer.name === 'next') this.begin(ctx);
    else if (this.current !== undefined) {
      ctx.complete(this.current.op, 'info', 'no outcome before the client timeout');
      this.stats.unknown++;
      this.current = undefined;
      this.schedule(ctx);
    }
    this.publish(ctx);
  }

  private schedule(ctx: Ctx): void {
    if (this.opts.transfers !== undefined && this.started >= this.opts.transfers) return;
    const { min, max } = this.opts.think;
    ctx.setTimer({ name: 'next' }, min + Math.floor(ctx.rng.next() * (max - min + 1)));
  }

  private begin(ctx: Ctx): void {
    const { accounts, accountsPerShard, amount } = this.opts;
    const from = accountName(ctx.rng.int(0, accounts));
    let to = accountName(ctx.rng.int(0, accounts));
    // Transfers cross shards: draw the credit account until it lives elsewhere.
    for (let i = 0; ownerOf(to, accountsPerShard) === ownerOf(from, accountsPerShard) && i < 64; i++) to = accountName(ctx.rng.int(0, accounts));
    const transfer: Transfer = { from, to, amount: ctx.rng.int(amount.min, amount.max + 1) };
    // Transaction ids must never repeat, across client restarts too.
    const tx = `${ctx.id}.${this.started}`;
    this.started++;
    ctx.put('next', this.started);
    ctx.fsync();
    const op = ctx.invoke({ process: ctx.id, f: 'transfer', key: `${from}->${to}`, value: { tx, amount: transfer.amount } });
    this.current = { tx, op };
    ctx.send(COORDINATOR, { type: 'begin', tx, transfer });
    ctx.setTimer({ name: 'timeout' }, this.opts.timeout);
  }

  private publish(ctx: Ctx): void {
    ctx.publish({ tx: this.current?.tx ?? null, ...this.stats });
  }
}
