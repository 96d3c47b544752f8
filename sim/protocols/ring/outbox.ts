// At-least-once delivery over a lossy network: a message stays in the outbox
// and is re-sent every `interval` until the receiver acknowledges its rid. The
// re-send timer runs only while something is outstanding, so an idle node
// adds nothing to the trace. Rids are
// "<node>/<incarnation>/<n>": the incarnation (persisted, bumped at every
// start) keeps an old ack from matching a new message after a restart.

import type { Io, JsonValue } from '../../api/index.ts';
import type { RingMessage } from './messages.ts';

type Reliable = Extract<RingMessage, { rid: string }>;

/** The re-send timer of a node's outbox. */
export type RetransmitTimer = { name: 'retransmit' };

/** What the outbox needs of a node's Io: any ring node whose timers include the re-send timer. */
type Ctx = Io<RingMessage, RetransmitTimer, JsonValue>;

interface Entry {
  to: string;
  msg: Reliable;
}

export class Outbox {
  private readonly entries = new Map<string, Entry>();
  private next = 0;

  static readonly TIMER = 'retransmit' as const;

  constructor(
    private readonly prefix: string,
    private readonly interval: number,
  ) {}

  rid(): string {
    return `${this.prefix}/${this.next++}`;
  }

  send(ctx: Ctx, to: string, msg: Reliable): void {
    this.entries.set(msg.rid, { to, msg });
    ctx.send(to, msg);
    if (!ctx.timerArmed(Outbox.TIMER)) ctx.setTimer({ name: Outbox.TIMER }, this.interval);
  }

  /** True if the rid was outstanding. */
  ack(rid: string): boolean {
    return this.entries.delete(rid);
  }

  /** The re-send timer fired: send everything outstanding again. */
  onTimer(ctx: Ctx): void {
    for (const e of this.entries.values()) ctx.send(e.to, e.msg);
    if (this.entries.size > 0) ctx.setTimer({ name: Outbox.TIMER }, this.interval);
  }

  get size(): number {
    return this.entries.size;
  }

  pending(): Entry[] {
    return [...this.entries.values()];
  }
}

/** Bump and persist the node's incarnation number; returns the new one. */
export function nextIncarnation(ctx: Pick<Ctx, 'read' | 'put' | 'fsync'>): number {
  const n = (ctx.read<number>('meta/incarnation') ?? 0) + 1;
  ctx.put('meta/incarnation', n);
  ctx.fsync();
  return n;
}
