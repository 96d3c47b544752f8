// A building block for lock protocols: the protected resource of Kleppmann's
// critique ("How to do distributed locking", 2016), a storage service the lock
// holder writes to. With fencing on it remembers the highest token it accepted
// and the holding ("tenure") that brought it, and rejects a write with a lower
// token, or with the same token from another holding (two holdings with one token
// cannot be told apart, so the later one is refused). Retransmitted writes are
// answered again, applied once. Without fencing it accepts everything. The highest
// token is fsynced before the ack: a restarted resource never forgets what it fenced off.
//
// Messages: it answers `FencedWrite` with `FencedWriteAck` and ignores anything else,
// so a protocol includes these two shapes in its message union. It publishes
// `FencedResourceState`. `resourceMutualExclusion` checks, from the acks in the trace, that
// the critical sections it served never overlapped. Used by the redlock and zookeeper protocols.

import { formatDuration } from '../engine/time.ts';
import type { Checker, JsonValue, Message, Micros, NodeId } from '../engine/types.ts';
import type { Io, ProtocolNode, Timer } from './node.ts';

/** A write from a lock holder: `tenure` names the holding (a lock value, a session's node), `seq` numbers its writes from 1; `token` is the fencing token, or null without one. */
export interface FencedWrite extends Message {
  type: 'write';
  client: string;
  tenure: string;
  token: number | null;
  seq: number;
}

/** The answer to a write: `ok` false when fenced off, `dup` true for a retransmission answered again. */
export interface FencedWriteAck extends Message {
  type: 'write-ack';
  client: string;
  tenure: string;
  token: number | null;
  seq: number;
  ok: boolean;
  dup: boolean;
}

/** What the resource publishes: the highest fencing token accepted (0 without fencing) and write counts. */
export type FencedResourceState = { highestToken: number; accepted: number; rejected: number };

type NoTimer = Timer & { name: never };
type ResourceIo<M extends Message> = Io<M, NoTimer, JsonValue>;
const HIGHEST_KEY = 'highest';

export class FencedResource<M extends Message> implements ProtocolNode<M, NoTimer, JsonValue> {
  private highest = { token: 0, tenure: '' };
  private readonly applied = new Map<string, number>();
  private accepted = 0;
  private rejected = 0;

  constructor(private readonly fencing: boolean) {}

  onStart(io: ResourceIo<M>): void {
    this.publish(io);
  }

  onRecover(io: ResourceIo<M>): void {
    this.highest = io.read<{ token: number; tenure: string }>(HIGHEST_KEY) ?? this.highest;
    this.publish(io);
  }

  onMessage(io: ResourceIo<M>, from: NodeId, m: M): void {
    if (m.type !== 'write') return;
    const msg = m as unknown as FencedWrite;
    const answer = (ok: boolean, dup: boolean): void => {
      const ack: FencedWriteAck = { type: 'write-ack', client: msg.client, tenure: msg.tenure, token: msg.token, seq: msg.seq, ok, dup };
      io.send(from, ack as unknown as M);
    };
    if ((this.applied.get(msg.tenure) ?? 0) >= msg.seq) return answer(true, true);
    if (this.fencing && msg.token !== null) {
      const t = msg.token;
      if (t < this.highest.token || (t === this.highest.token && msg.tenure !== this.highest.tenure)) {
        this.rejected++;
        io.log(`rejected write ${msg.seq} of ${msg.client}: token ${t} vs highest ${this.highest.token} of ${this.highest.tenure}`);
        answer(false, false);
        this.publish(io);
        return;
      }
      if (t > this.highest.token) {
        this.highest = { token: t, tenure: msg.tenure };
        io.put(HIGHEST_KEY, { ...this.highest });
        io.fsync();
      }
    }
    this.applied.set(msg.tenure, msg.seq);
    this.accepted++;
    answer(true, false);
    this.publish(io);
  }

  onTimer(): void {}

  private publish(io: ResourceIo<M>): void {
    const s: FencedResourceState = { highestToken: this.highest.token, accepted: this.accepted, rejected: this.rejected };
    io.publish(s);
  }
}

/**
 * `mutual-exclusion` at a fenced resource, in true time: the writes it accepted (its `write-ack`s
 * with `ok`, not retransmissions) come in holdings (`tenure`); once a later holding wrote, an earlier
 * one writing again means the two critical sections overlapped. Reads only the trace.
 */
export function resourceMutualExclusion(resource: NodeId): Checker {
  interface Section { tenure: string; client: string; first: Micros; last: Micros }
  let current: Section | undefined;
  const superseded = new Map<string, Section>();
  let found: string | undefined;
  const step = (ev: Parameters<NonNullable<Checker['observe']>>[0]): string | undefined => {
    if (ev.type !== 'send' || ev.from !== resource) return undefined;
    const a = ev.msg as unknown as FencedWriteAck;
    if (a.type !== 'write-ack' || !a.ok || a.dup) return undefined;
    if (current && current.tenure === a.tenure) {
      current.last = ev.t;
      return undefined;
    }
    const b = superseded.get(a.tenure);
    if (b) return `${a.client}'s holding ${a.tenure} wrote at t=${formatDuration(ev.t)}, after ${b.client}'s holding ${b.tenure} wrote at t=${formatDuration(b.first)}..${formatDuration(b.last)}: the two critical sections overlap in true time`;
    const next: Section = { tenure: a.tenure, client: a.client, first: ev.t, last: ev.t };
    if (current) superseded.set(current.tenure, next);
    current = next;
    return undefined;
  };
  return {
    name: 'mutual-exclusion',
    description: 'Critical sections never overlap in true time (at the resource)',
    when: 'always',
    observe: (ev) => void (found ??= step(ev)),
    check: () => found,
  };
}
