// Builds engine client histories (HistoryEvent[]) for tests, one event per
// call in order: the position in the array is the real-time order.

import type { HistoryEvent, JsonValue } from '../../sim/engine/types.ts';

export class HistoryBuilder {
  readonly history: HistoryEvent[] = [];
  private nextOp = 0;
  private readonly procs = new Map<number, string>();

  /** Record a call; returns the op id. */
  call(process: string, f: string, value?: JsonValue, key?: string): number {
    const op = this.nextOp++;
    this.procs.set(op, process);
    const ev: HistoryEvent = { type: 'invoke', t: this.history.length, node: 'c', op, process, f };
    if (value !== undefined) ev.value = value;
    if (key !== undefined) ev.key = key;
    this.history.push(ev);
    return op;
  }

  ok(op: number, value?: JsonValue): this {
    return this.ret(op, 'ok', value);
  }
  fail(op: number): this {
    return this.ret(op, 'fail');
  }
  info(op: number): this {
    return this.ret(op, 'info');
  }

  /** A call immediately followed by its ok return. */
  seq(process: string, f: string, value?: JsonValue, result?: JsonValue, key?: string): number {
    const op = this.call(process, f, value, key);
    this.ok(op, result);
    return op;
  }

  private ret(op: number, outcome: 'ok' | 'fail' | 'info', value?: JsonValue): this {
    const ev: HistoryEvent = { type: 'return', t: this.history.length, node: 'c', op, process: this.procs.get(op)!, outcome };
    if (value !== undefined) ev.value = value;
    this.history.push(ev);
    return this;
  }
}
