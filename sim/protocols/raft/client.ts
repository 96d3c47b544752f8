// Closed-loop clients (section 8 of the Raft paper): one operation at a time,
// recorded in the history; a request goes to the server believed to lead, is
// redirected by followers, and is retried with the same (client, seq) on a
// timeout, so the session makes a retried command apply once. An operation is
// completed only with an answer from the state machine; one that never gets
// one stays pending (unknown outcome) for the linearizability checker.

import { nodeSpec, type Io, type JsonValue, type Micros, type NodeId, type NodeSpec, type OpCall, type OpOutcome, type OpRef, type ProtocolNode, type Rng } from '../../api/index.ts';
import type { KvOp } from './kv.ts';
import type { LockOp } from './lock-service.ts';
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

/**
 * A client's timers: `think` (the pause before the next operation), `retry` (no answer within the
 * request timeout: try another server), `resend` (back-off after a redirection without a usable hint).
 */
export type ClientTimer = { name: 'think' } | { name: 'retry' } | { name: 'resend' };
export type ClientMessage = ClientRequest | ClientReply;
type ClientIo = Io<ClientMessage, ClientTimer, JsonValue>;

export class RaftClient implements ProtocolNode<ClientMessage, ClientTimer, JsonValue> {
  private seq = 0;
  private current: { ref: OpRef; planned: PlannedOp; seq: number } | undefined;
  private target = 0;
  /** The last server that let a request time out: its redirections are not trusted until an answer comes. */
  private suspect: NodeId | null = null;
  completed = 0;

  constructor(private readonly opts: ClientOptions) {}

  onStart(io: ClientIo): void {
    this.target = io.rng.int(0, this.opts.servers.length);
    io.setTimer({ name: 'think' }, io.rng.int(0, this.opts.thinkTime + 1));
  }

  onMessage(io: ClientIo, from: NodeId, m: ClientMessage): void {
    const cur = this.current;
    if (m.type !== 'client-reply' || cur === undefined || m.seq !== cur.seq) return;
    if (m.ok) {
      const { outcome, value } = cur.planned.outcome(m.result ?? null);
      io.complete(cur.ref, outcome, value);
      this.completed++;
      this.current = undefined;
      this.suspect = null;
      io.cancelTimer('retry');
      io.setTimer({ name: 'think' }, this.opts.thinkTime);
      return;
    }
    // Redirected (section 8): go to the hinted leader, or back off and try the next server.
    // A hint naming the server that just timed out on us may be stale news: ignore it once, then
    // believe it (the request may simply have been lost).
    const hint = m.leaderHint ?? null;
    const idx = hint === null ? -1 : this.opts.servers.indexOf(hint);
    if (idx >= 0 && hint !== from && hint !== this.suspect) {
      this.target = idx;
      this.send(io);
    } else {
      if (hint !== null && hint === this.suspect) this.suspect = null;
      this.target = this.otherServer(io, from);
      io.setTimer({ name: 'resend' }, this.opts.backoff);
    }
  }

  onTimer(io: ClientIo, timer: ClientTimer): void {
    switch (timer.name) {
      case 'think': {
        if (this.opts.stopAt > 0 && io.now() >= this.opts.stopAt) return;
        const seq = ++this.seq;
        const planned = this.opts.workload.next(io.rng, io.id, seq);
        if (planned === undefined) return;
        this.current = { ref: io.invoke(planned.call), planned, seq };
        this.send(io);
        return;
      }
      case 'retry': {
        // No answer in time: the server may be down or cut off; try another one.
        const late = this.server(this.target);
        this.suspect = late;
        this.target = this.otherServer(io, late);
        this.send(io);
        return;
      }
      case 'resend':
        this.send(io);
        return;
    }
  }

  private server(k: number): NodeId {
    const s = this.opts.servers[k];
    if (s === undefined) throw new RangeError(`server position ${k} outside 0..${this.opts.servers.length - 1}`);
    return s;
  }

  /** A server other than `not` (and other than the suspect, when there is a choice), at random. */
  private otherServer(io: ClientIo, not: NodeId): number {
    const n = this.opts.servers.length;
    if (n === 1) return 0;
    const choices: number[] = [];
    for (let i = 0; i < n; i++) {
      const s = this.opts.servers[i];
      if (s !== not && s !== this.suspect) choices.push(i);
    }
    if (choices.length === 0) for (let i = 0; i < n; i++) if (this.opts.servers[i] !== not) choices.push(i);
    return io.rng.pick(choices);
  }

  private send(io: ClientIo): void {
    const cur = this.current;
    if (cur === undefined) return;
    io.send(this.server(this.target), { type: 'client-req', client: io.id, seq: cur.seq, op: cur.planned.op });
    // No answer within the timeout: the retry goes to another server.
    io.setTimer({ name: 'retry' }, this.opts.requestTimeout);
  }
}

/** The client node specs c1..c<count>: closed-loop clients of `servers`, each with the workload `workload(i)` makes. */
export function raftClientNodes(count: number, opts: Omit<ClientOptions, 'workload'>, workload: (i: number) => Workload): NodeSpec[] {
  const nodes: NodeSpec[] = [];
  for (let i = 1; i <= count; i++) {
    const w = workload(i);
    nodes.push(nodeSpec(`c${i}`, 'client', () => new RaftClient({ ...opts, workload: w })));
  }
  return nodes;
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
