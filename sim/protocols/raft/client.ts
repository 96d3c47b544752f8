// Closed-loop clients (section 8 of the Raft paper): one operation at a time,
// recorded in the history; a request goes to the server believed to lead, is
// redirected by followers, and is retried with the same (client, seq) on a
// timeout, so the session makes a retried command apply once. An operation is
// completed only with an answer from the state machine; one that never gets
// one stays pending (unknown outcome) for the linearizability checker.

import type { JsonValue, Micros, NodeBehaviour, NodeContext, NodeId, OpCall, OpOutcome } from '../../engine/types.ts';
import type { Rng } from '../../engine/random.ts';
import type { KvOp } from './kv.ts';
import type { LockOp } from './machine.ts';
import type { ClientReply, ClientRequest } from './types.ts';

/** One operation: what goes into the history, what goes to the servers, and how to read the answer. */
export interface PlannedOp {
  call: OpCall;
  op: JsonValue;
  outcome(result: JsonValue): { outcome: OpOutcome; value?: JsonValue };
}

export interface Workload {
  /** The next operation, or undefined to stop. */
  next(rng: Rng, client: string, seq: number): PlannedOp | undefined;
}

export interface ClientOptions {
  servers: readonly NodeId[];
  thinkTime: Micros;
  /** Retry (at the next server) when no answer came within this long. */
  requestTimeout: Micros;
  /** Wait this long before retrying after a redirection without a leader hint. */
  backoff: Micros;
  /** Stop issuing new operations at this local time (0: never). */
  stopAt: Micros;
  workload: Workload;
}

export class RaftClient implements NodeBehaviour<ClientRequest | ClientReply> {
  private seq = 0;
  private current: { opId: number; planned: PlannedOp; seq: number } | undefined;
  private target = 0;
  /** The last server that let a request time out: its redirections are not trusted until an answer comes. */
  private suspect: NodeId | null = null;
  completed = 0;

  constructor(private readonly opts: ClientOptions) {}

  onStart(ctx: NodeContext<ClientRequest | ClientReply>): void {
    this.target = ctx.rng.int(0, this.opts.servers.length);
    ctx.setTimer('think', ctx.rng.int(0, this.opts.thinkTime + 1));
  }

  onMessage(ctx: NodeContext<ClientRequest | ClientReply>, from: NodeId, m: ClientRequest | ClientReply): void {
    const cur = this.current;
    if (m.type !== 'client-reply' || cur === undefined || m.seq !== cur.seq) return;
    if (m.ok) {
      const { outcome, value } = cur.planned.outcome(m.result ?? null);
      ctx.complete(cur.opId, outcome, value);
      this.completed++;
      this.current = undefined;
      this.suspect = null;
      ctx.cancelTimer('retry');
      ctx.setTimer('think', this.opts.thinkTime);
      return;
    }
    // Redirected (section 8): go to the hinted leader, or back off and try the next server.
    // A hint naming the server that just timed out on us may be stale news: ignore it once, then
    // believe it (the request may simply have been lost).
    const hint = m.leaderHint ?? null;
    const idx = hint === null ? -1 : this.opts.servers.indexOf(hint);
    if (idx >= 0 && hint !== from && hint !== this.suspect) {
      this.target = idx;
      this.send(ctx);
    } else {
      if (hint !== null && hint === this.suspect) this.suspect = null;
      this.target = this.otherServer(ctx, from);
      ctx.setTimer('resend', this.opts.backoff);
    }
  }

  onTimer(ctx: NodeContext<ClientRequest | ClientReply>, name: string): void {
    if (name === 'think') {
      if (this.opts.stopAt > 0 && ctx.now() >= this.opts.stopAt) return;
      const seq = ++this.seq;
      const planned = this.opts.workload.next(ctx.rng, ctx.id, seq);
      if (planned === undefined) return;
      this.current = { opId: ctx.invoke(planned.call), planned, seq };
      this.send(ctx);
      return;
    }
    if (name === 'retry') {
      // No answer in time: the server may be down or cut off; try another one.
      const late = this.opts.servers[this.target] as NodeId;
      this.suspect = late;
      this.target = this.otherServer(ctx, late);
      this.send(ctx);
    }
    if (name === 'resend') this.send(ctx);
  }

  /** A server other than `not` (and other than the suspect, when there is a choice), at random. */
  private otherServer(ctx: NodeContext<ClientRequest | ClientReply>, not: NodeId): number {
    const n = this.opts.servers.length;
    if (n === 1) return 0;
    const choices: number[] = [];
    for (let i = 0; i < n; i++) {
      const s = this.opts.servers[i];
      if (s !== not && s !== this.suspect) choices.push(i);
    }
    if (choices.length === 0) for (let i = 0; i < n; i++) if (this.opts.servers[i] !== not) choices.push(i);
    return ctx.rng.pick(choices);
  }

  private send(ctx: NodeContext<ClientRequest | ClientReply>): void {
    const cur = this.current;
    if (cur === undefined) return;
    const to = this.opts.servers[this.target] as NodeId;
    ctx.send(to, { type: 'client-req', client: ctx.id, seq: cur.seq, op: cur.planned.op });
    // No answer within the timeout: the retry goes to another server.
    ctx.setTimer('retry', this.opts.requestTimeout);
  }
}

export interface KvMix {
  get: number;
  put: number;
  append: number;
  cas: number;
}

/** Random key-value operations on `keys` keys; values are unique per (client, seq). */
export function kvWorkload(keys: number, mix: KvMix, maxOps: number): Workload {
  const total = mix.get + mix.put + mix.append + mix.cas;
  const lastSeen = new Map<string, string>();
  return {
    next(rng, client, seq) {
      if (maxOps > 0 && seq > maxOps) return undefined;
      const key = `k${rng.int(0, keys)}`;
      const value = `${client}.${seq}`;
      const x = rng.next() * total;
      let op: KvOp;
      if (x < mix.get) op = { f: 'get', key };
      else if (x < mix.get + mix.put) op = { f: 'put', key, value };
      else if (x < mix.get + mix.put + mix.append) op = { f: 'append', key, value: `${value};` };
      else op = { f: 'cas', key, expected: lastSeen.get(key) ?? '', value };
      const call: OpCall = { process: client, f: op.f, key };
      if (op.f === 'put' || op.f === 'append') call.value = op.value;
      if (op.f === 'cas') call.value = [op.expected, op.value];
      return {
        call,
        op: op as unknown as JsonValue,
        outcome(result) {
          if (op.f === 'get') {
            lastSeen.set(key, result as string);
            return { outcome: 'ok', value: result };
          }
          if (op.f === 'cas') {
            if (result === true) lastSeen.set(key, op.value);
            return { outcome: result === true ? 'ok' : 'fail' };
          }
          if (op.f === 'put') lastSeen.set(key, op.value);
          return { outcome: 'ok' };
        },
      };
    },
  };
}

/** Lock clients: acquire the lock (no waiting), hold it for a while, release it. */
export function lockWorkload(lock: string, ttl: Micros): Workload {
  let holding: number | null = null;
  return {
    next(_rng, client) {
      let op: LockOp;
      if (holding === null) op = { f: 'acquire', lock, ttl, wait: false };
      else op = { f: 'release', lock, token: holding };
      return {
        call: { process: client, f: op.f, key: lock },
        op: op as unknown as JsonValue,
        outcome(result) {
          const r = result as { kind: string; grant?: { token: number } };
          if (op.f === 'acquire') {
            if (r.kind === 'granted') {
              holding = r.grant?.token ?? null;
              return { outcome: 'ok', value: holding };
            }
            return { outcome: 'fail' };
          }
          holding = null;
          return r.kind === 'released' ? { outcome: 'ok' } : { outcome: 'fail' };
        },
      };
    },
  };
}
