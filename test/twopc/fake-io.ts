// A fake `Io` for driving the role state machines rule by rule, outside the
// engine: every command takes effect at once (sends, timers and log lines are
// recorded; disk writes go to the engine's simulated disk, so restart() loses
// exactly the unsynced writes). step() (sim/api/node.ts) is the other way to
// drive a node: see rules.test.ts.

import { timerId, type Io, type JsonValue, type Micros, type NodeId, type OpCall, type OpOutcome, type OpRef, type Timer } from '../../sim/api/index.ts';
import { SimDisk } from '../../sim/engine/disk.ts';
import { rootRng } from '../../sim/engine/random.ts';
import type { TwoPcMessage } from '../../sim/protocols/twopc/messages.ts';
import { twopcBugs, type TwoPcBugs } from '../../sim/protocols/twopc/config.ts';

export class FakeIo<T extends Timer = Timer, P extends JsonValue = JsonValue> implements Io<TwoPcMessage, T, P> {
  t: Micros = 0;
  sent: { to: NodeId; msg: TwoPcMessage }[] = [];
  /** Armed timers by identity (`timerId(name, key)`, e.g. `vote/t1`) -> local time they fire. */
  timers = new Map<string, Micros>();
  logs: string[] = [];
  published: P[] = [];
  readonly rng = rootRng('fake-io');
  readonly nodes: readonly NodeId[] = ['co', 'p1', 'p2', 'p3', 'c1', 'c2'];
  private nextRef: OpRef = 1;
  constructor(
    readonly id: NodeId,
    readonly disk: SimDisk = new SimDisk(),
  ) {}
  now(): Micros {
    return this.t;
  }
  read<V extends JsonValue = JsonValue>(key: string): V | undefined {
    return this.disk.get<V>(key);
  }
  keys(prefix?: string): string[] {
    return this.disk.keys(prefix);
  }
  timerArmed(name: string, key?: string): boolean {
    return this.timers.has(timerId(name, key));
  }
  send(to: NodeId, msg: TwoPcMessage): void {
    this.sent.push({ to, msg });
  }
  broadcast(msg: TwoPcMessage, to?: readonly NodeId[]): void {
    for (const n of to ?? this.nodes.filter((x) => x !== this.id)) this.send(n, msg);
  }
  setTimer(timer: T, delay: Micros): void {
    this.timers.set(timerId(timer.name, timer.key), this.t + delay);
  }
  cancelTimer(name: string, key?: string): void {
    this.timers.delete(timerId(name, key));
  }
  put(key: string, value: JsonValue): void {
    this.disk.put(key, value);
  }
  delete(key: string): void {
    this.disk.delete(key);
  }
  fsync(): void {
    this.disk.fsync();
  }
  invoke(_call: OpCall): OpRef {
    return this.nextRef++;
  }
  complete(_ref: OpRef, _outcome: OpOutcome, _value?: JsonValue): void {}
  publish(state: P): void {
    this.published.push(state);
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
  restart(): FakeIo<T, P> {
    this.disk.crash();
    const io = new FakeIo<T, P>(this.id, this.disk);
    io.t = this.t;
    return io;
  }
}

export function bugs(on: Partial<TwoPcBugs> = {}): TwoPcBugs {
  return { ...twopcBugs.parse({}), ...on };
}
