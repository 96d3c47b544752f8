// A counter client for the Raft design (role `client`): the same workload as CounterClient
// (client.ts: one operation at a time, add a random signed delta or read, recorded as f `add` with
// the delta / f `read` with the value), against the Raft key-value store
// (sim/protocols/raft/kv.ts): an add is `incr counter <delta>`, a read a `get counter`, both
// through the log. Requests carry Raft's client session (section 8: client id + sequence number):
// a request goes to the server believed to lead, a redirection names the leader, and a request
// unanswered within `retry` is sent again, with the same sequence number, to the next server; the
// session table applies it once however often it arrives. So an add is retried until answered
// (unlike CounterClient's, which cannot be retried safely); one still unanswered at the end of the
// run is pending: unknown outcome for the linearizability checker.

import { atOrFail, type Io, type JsonValue, type NodeId, type OpRef, type ProtocolNode } from '../../api/index.ts';
import type { ClientReply, ClientRequest } from '../raft/public.ts';
import type { CounterWorkloadOptions } from './client.ts';
import type { CounterClientState } from './state.ts';

/** The key the counter lives on. */
export const COUNTER_KEY = 'counter';

/** `retry`: resend to the next server after this long without an answer (µs, local clock). */
export interface RaftCounterClientOptions extends CounterWorkloadOptions {
  servers: readonly NodeId[];
  /** PLANTED BUG: a retried request gets a new sequence number (no idempotency key): an increment whose answer was lost is applied again. */
  retryAsNewRequest: boolean;
}

type Timer = { name: 'next' } | { name: 'retry' } | { name: 'resend' };
type RaftCounterIo = Io<ClientRequest | ClientReply, Timer, CounterClientState>;

export class RaftCounterClient implements ProtocolNode<ClientRequest | ClientReply, Timer, CounterClientState> {
  private seq = 0;
  private target = 0;
  /** The Raft client id: the node id and the local time of this incarnation's start (a restart starts a new session). */
  private id = '';
  private pending: { ref: OpRef; f: 'add' | 'read'; seq: number; op: JsonValue } | undefined;
  private acked = 0;

  constructor(private readonly o: RaftCounterClientOptions) {}

  onStart(io: RaftCounterIo): void {
    this.id = `${io.id}@${io.now()}`;
    this.target = io.rng.int(0, this.o.servers.length);
    this.publish(io);
    this.schedule(io);
  }

  onMessage(io: RaftCounterIo, from: NodeId, m: ClientRequest | ClientReply): void {
    const p = this.pending;
    if (m.type !== 'client-reply' || p === undefined || m.seq !== p.seq) return;
    if (!m.ok) {
      // Redirected (Raft section 8): to the named leader at once, or to the next server after a back-off.
      const i = m.leaderHint == null ? -1 : this.o.servers.indexOf(m.leaderHint);
      if (i >= 0 && m.leaderHint !== from) {
        this.target = i;
        return this.send(io);
      }
      this.target = (this.target + 1) % this.o.servers.length;
      io.setTimer({ name: 'resend' }, Math.max(1, Math.floor(this.o.retry / 4)));
      return;
    }
    if (p.f === 'add') io.complete(p.ref, 'ok');
    else io.complete(p.ref, 'ok', Number(m.result === '' || m.result === null ? 0 : m.result));
    this.pending = undefined;
    this.acked++;
    io.cancelTimer('retry');
    io.cancelTimer('resend');
    this.publish(io);
    this.schedule(io);
  }

  onTimer(io: RaftCounterIo, timer: Timer): void {
    if (timer.name === 'retry') {
      if (this.pending === undefined) return;
      this.target = (this.target + 1) % this.o.servers.length;
      if (this.o.retryAsNewRequest) this.pending.seq = ++this.seq;
      return this.send(io);
    }
    if (timer.name === 'resend') {
      if (this.pending !== undefined) this.send(io);
      return;
    }
    if (io.now() >= this.o.opsUntil || this.pending !== undefined) return;
    const seq = ++this.seq;
    if (io.rng.chance(this.o.readRatio)) {
      this.pending = { ref: io.invoke({ process: io.id, f: 'read' }), f: 'read', seq, op: { f: 'get', key: COUNTER_KEY } };
    } else {
      const size = io.rng.int(1, this.o.maxDelta + 1);
      const delta = this.o.decrements && io.rng.chance(0.5) ? -size : size;
      this.pending = { ref: io.invoke({ process: io.id, f: 'add', value: delta }), f: 'add', seq, op: { f: 'incr', key: COUNTER_KEY, delta } };
    }
    this.send(io);
  }

  private send(io: RaftCounterIo): void {
    const p = this.pending;
    if (p === undefined) return;
    io.send(atOrFail(this.o.servers, this.target, 'servers'), { type: 'client-req', client: this.id, seq: p.seq, op: p.op });
    io.setTimer({ name: 'retry' }, this.o.retry);
  }

  private schedule(io: RaftCounterIo): void {
    io.setTimer({ name: 'next' }, this.o.think === 0 ? 0 : io.rng.int(0, this.o.think + 1));
  }

  private publish(io: RaftCounterIo): void {
    io.publish({ replica: atOrFail(this.o.servers, this.target, 'servers'), acked: this.acked, unknown: this.pending === undefined ? 0 : 1 });
  }
}
