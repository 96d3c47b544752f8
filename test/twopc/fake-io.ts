// A fake TwoPcIo for driving the role state machines directly: it records
// every send, timer and log line, and uses the engine's simulated disk so that
// crash() loses exactly the unsynced writes.

import { SimDisk } from '../../sim/engine/disk.ts';
import type { Micros, NodeId } from '../../sim/engine/types.ts';
import type { TwoPcIo } from '../../sim/protocols/twopc/io.ts';
import type { TwoPcMessage } from '../../sim/protocols/twopc/messages.ts';
import { twopcBugs, type TwoPcBugs } from '../../sim/protocols/twopc/config.ts';

export class FakeIo implements TwoPcIo {
  t: Micros = 0;
  sent: { to: NodeId; msg: TwoPcMessage }[] = [];
  timers = new Map<string, Micros>();
  logs: string[] = [];
  constructor(
    readonly id: NodeId,
    readonly disk: SimDisk = new SimDisk(),
  ) {}
  now(): Micros {
    return this.t;
  }
  send(to: NodeId, msg: TwoPcMessage): void {
    this.sent.push({ to, msg });
  }
  setTimer(name: string, delay: Micros): void {
    this.timers.set(name, this.t + delay);
  }
  cancelTimer(name: string): void {
    this.timers.delete(name);
  }
  hasTimer(name: string): boolean {
    return this.timers.has(name);
  }
  log(text: string): void {
    this.logs.push(text);
  }
  /** Messages sent since the last call. */
  take(): { to: NodeId; msg: TwoPcMessage }[] {
    const s = this.sent;
    this.sent = [];
    return s;
  }
  /** A fresh io on the same disk after a crash: unsynced writes are gone, timers too. */
  restart(): FakeIo {
    this.disk.crash();
    const io = new FakeIo(this.id, this.disk);
    io.t = this.t;
    return io;
  }
}

export function bugs(on: Partial<TwoPcBugs> = {}): TwoPcBugs {
  return { ...twopcBugs.parse({}), ...on };
}
