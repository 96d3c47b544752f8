// A client of the ring cluster. It routes every request by its own copy of
// the ring, which it updates only from a server's redirect. What a client sees
// during a migration (the defined behaviour):
// - redirect: its ring is older than the server's; it adopts the server's ring
//   and sends again at once, to the key's owner under that ring;
// - retry: the server cannot answer now (its ring is behind, the ring is not
//   active yet, the key's hand-off is still in progress, or a replica refused
//   a write); it waits retryDelay and asks the same server again;
// - no answer within requestTimeout: it asks the next member of the key's
//   preference list.
// After maxAttempts an add completes as info (it may or may not have
// happened) and a read as fail. Operations are Jepsen "set" operations: add
// (an element unique to this client) and read (the key's elements).

import { assert, type Io, type Micros, type OpRef, type ProtocolNode } from '../../api/index.ts';
import type { ClientReply, RingMessage, RingView } from './messages.ts';
import type { Placement } from './placement.ts';

export interface ClientConfig {
  placement: Placement;
  initial: RingView;
  keys: readonly string[];
  readRatio: number;
  thinkTime: Micros;
  requestTimeout: Micros;
  retryDelay: Micros;
  maxAttempts: number;
  /** Stop starting operations at this time (local clock). */
  until: Micros;
}

interface CurrentOp {
  opId: OpRef;
  op: 'add' | 'read';
  key: string;
  element?: string;
  attempts: number;
  /** Failovers so far: index into the preference list. */
  failovers: number;
  reqId: string;
}

/** The client's timers: `next` starts an operation, `timeout` fails over to the next replica, `backoff` asks again after a retry answer. */
export type RingClientTimer = { name: 'next' } | { name: 'timeout' } | { name: 'backoff' };

/** Clients publish nothing. */
type Ctx = Io<RingMessage, RingClientTimer, never>;

export class RingClient implements ProtocolNode<RingMessage, RingClientTimer, never> {
  ring: RingView;
  private cur: CurrentOp | undefined;
  private seq = 0;
  private reqs = 0;

  constructor(private readonly cfg: ClientConfig) {
    this.ring = cfg.initial;
  }

  onStart(ctx: Ctx): void {
    ctx.setTimer({ name: 'next' }, 1 + ctx.rng.int(0, this.cfg.thinkTime + 1));
  }

  onTimer(ctx: Ctx, timer: RingClientTimer): void {
    if (timer.name === 'next') this.begin(ctx);
    else if (timer.name === 'timeout' && this.cur) {
      this.cur.failovers++;
      this.attempt(ctx);
    } else if (timer.name === 'backoff' && this.cur) this.attempt(ctx);
  }

  private begin(ctx: Ctx): void {
    assert(this.cur === undefined, () => `${ctx.id}: a new operation while op ${this.cur?.opId} is running`);
    if (ctx.now() >= this.cfg.until) return;
    const key = ctx.rng.pick(this.cfg.keys);
    const read = ctx.rng.chance(this.cfg.readRatio);
    if (read) {
      const opId = ctx.invoke({ process: ctx.id, f: 'read', key });
      this.cur = { opId, op: 'read', key, attempts: 0, failovers: 0, reqId: '' };
    } else {
      const element = `${ctx.id}-${this.seq++}`;
      const opId = ctx.invoke({ process: ctx.id, f: 'add', key, value: element });
      this.cur = { opId, op: 'add', key, element, attempts: 0, failovers: 0, reqId: '' };
    }
    this.attempt(ctx);
  }

  private attempt(ctx: Ctx): void {
    const c = this.cur;
    assert(c !== undefined, () => `${ctx.id}: an attempt with no operation running`);
    ctx.cancelTimer('timeout');
    ctx.cancelTimer('backoff');
    if (c.attempts >= this.cfg.maxAttempts) {
      this.finish(ctx, c.op === 'add' ? 'info' : 'fail');
      return;
    }
    c.attempts++;
    const pl = this.cfg.placement.preferenceList(this.ring, c.key);
    const to = pl[c.failovers % pl.length];
    assert(to !== undefined, () => `${ctx.id}: empty preference list for ${c.key} under ring ${this.ring.version}`);
    c.reqId = `${ctx.id}/${this.reqs++}`;
    ctx.send(to, { type: 'req', id: c.reqId, op: c.op, key: c.key, rv: this.ring.version, ...(c.element !== undefined ? { element: c.element } : {}) });
    ctx.setTimer({ name: 'timeout' }, this.cfg.requestTimeout);
  }

  onMessage(ctx: Ctx, _from: string, msg: RingMessage): void {
    const c = this.cur;
    if (!c || !('id' in msg) || msg.id !== c.reqId) return; // a late answer to an earlier attempt
    const reply = msg as ClientReply;
    switch (reply.type) {
      case 'res':
        this.finish(ctx, 'ok', reply.elements);
        return;
      case 'redirect':
        if (reply.ring.version > this.ring.version) this.ring = reply.ring;
        c.failovers = 0;
        this.attempt(ctx);
        return;
      case 'retry':
        ctx.cancelTimer('timeout');
        c.reqId = '';
        ctx.setTimer({ name: 'backoff' }, this.cfg.retryDelay);
        return;
    }
  }

  private finish(ctx: Ctx, outcome: 'ok' | 'fail' | 'info', elements?: string[]): void {
    const c = this.cur;
    assert(c !== undefined, () => `${ctx.id}: finish with no operation running`);
    ctx.cancelTimer('timeout');
    ctx.cancelTimer('backoff');
    if (c.op === 'read' && outcome === 'ok') ctx.complete(c.opId, 'ok', elements ?? []);
    else ctx.complete(c.opId, outcome);
    this.cur = undefined;
    ctx.setTimer({ name: 'next' }, this.cfg.thinkTime);
  }
}
