// A counter client (role `client`): Maelstrom's counter workload. It talks to one replica and,
// one operation at a time, adds a random delta (a decrement when negative) or reads, recording
// each in the history (f `add` with the delta as value, f `read` with the value returned). An add
// without an answer within `retry` is recorded `info` (it may or may not have happened) and never
// retried (an add is not idempotent); a read without an answer `fail`. Request ids are a per-client
// sequence on the client's disk (monotonic across its crashes): the replica's dedup relies on it. It stops invoking at
// `opsUntil` on its local clock.

import type { Io, OpRef, ProtocolNode } from '../../api/index.ts';
import type { CounterMessage } from './messages.ts';
import type { CounterClientState } from './state.ts';

/** The counter workload every design's client runs (Maelstrom's counter workload). */
export interface CounterWorkloadOptions {
  /** µs, local clock: an unanswered request times out (or is resent) after this long. */
  retry: number;
  /** Idle time before each operation: uniform in [0, think] µs. */
  think: number;
  /** µs, local clock: no operation is invoked from then on. */
  opsUntil: number;
  readRatio: number;
  /** Deltas are drawn from 1..maxDelta, negated with probability 1/2 when `decrements`. */
  maxDelta: number;
  decrements: boolean;
}

export interface ClientOptions extends CounterWorkloadOptions {
  replica: string;
}

export type ClientTimer = { name: 'next' } | { name: 'timeout'; id: number };
type ClientIo = Io<CounterMessage, ClientTimer, CounterClientState>;

export class CounterClient implements ProtocolNode<CounterMessage, ClientTimer, CounterClientState> {
  private pending: { id: number; ref: OpRef; f: 'add' | 'read' } | undefined;
  private acked = 0;
  private unknown = 0;

  constructor(private readonly o: ClientOptions) {}

  onStart(io: ClientIo): void {
    this.publish(io);
    this.schedule(io);
  }

  onMessage(io: ClientIo, _from: string, msg: CounterMessage): void {
    const p = this.pending;
    if (p === undefined || !('id' in msg) || msg.id !== p.id) return;
    if (msg.type === 'add-ok' && p.f === 'add') io.complete(p.ref, 'ok');
    else if (msg.type === 'add-fail' && p.f === 'add') io.complete(p.ref, 'fail'); // refused: definitely not applied
    else if (msg.type === 'read-ok' && p.f === 'read') io.complete(p.ref, 'ok', msg.value);
    else return;
    this.pending = undefined;
    if (msg.type !== 'add-fail') this.acked++;
    io.cancelTimer('timeout');
    this.publish(io);
    this.schedule(io);
  }

  onTimer(io: ClientIo, timer: ClientTimer): void {
    if (timer.name === 'timeout') {
      const p = this.pending;
      if (p === undefined || p.id !== timer.id) return;
      // An add that timed out may have been applied: unknown outcome. A read changed nothing.
      io.complete(p.ref, p.f === 'add' ? 'info' : 'fail');
      this.pending = undefined;
      if (p.f === 'add') this.unknown++;
      this.publish(io);
      this.schedule(io);
      return;
    }
    if (io.now() >= this.o.opsUntil) return;
    // Request ids are a sequence kept on disk (written and fsynced before the request is sent), so
    // they grow across restarts: the replica takes an id at or below the highest it decided for this
    // client as a copy, and a reply meant for an instance before a restart is never taken as this one's.
    const id = (io.read<number>('seq') ?? 0) + 1;
    io.put('seq', id);
    io.fsync();
    if (io.rng.chance(this.o.readRatio)) {
      this.pending = { id, ref: io.invoke({ process: io.id, f: 'read' }), f: 'read' };
      io.send(this.o.replica, { type: 'read', id });
    } else {
      const size = io.rng.int(1, this.o.maxDelta + 1);
      const delta = this.o.decrements && io.rng.chance(0.5) ? -size : size;
      this.pending = { id, ref: io.invoke({ process: io.id, f: 'add', value: delta }), f: 'add' };
      io.send(this.o.replica, { type: 'add', id, delta });
    }
    io.setTimer({ name: 'timeout', id }, this.o.retry);
  }

  private schedule(io: ClientIo): void {
    io.setTimer({ name: 'next' }, this.o.think === 0 ? 0 : io.rng.int(0, this.o.think + 1));
  }

  private publish(io: ClientIo): void {
    io.publish({ replica: this.o.replica, acked: this.acked, unknown: this.unknown });
  }
}
