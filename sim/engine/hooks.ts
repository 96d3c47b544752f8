// Typed event hooks (Checker.on): the engine calls them where it would emit the
// matching trace event, with the event's own fields as arguments, whether or not
// the run builds that event. A checker that follows messages through them costs
// a function call per event and makes an untraced run build no event objects.

import type { Checker, DropReason, EventHooks, JsonValue, Message, NodeId, OpOutcome, TraceEvent } from './types.ts';

/** The hooks of a run's 'always' checkers, one list per event type (in checker order). */
export class HookLists {
  readonly send: ((id: number, from: NodeId, to: NodeId, msg: Message) => void)[] = [];
  readonly deliver: ((id: number, from: NodeId, to: NodeId) => void)[] = [];
  readonly drop: ((id: number, from: NodeId, to: NodeId, reason: DropReason) => void)[] = [];
  readonly duplicate: ((id: number, of: number, from: NodeId, to: NodeId) => void)[] = [];
  readonly start: ((node: NodeId, restart: boolean) => void)[] = [];
  readonly timer: ((node: NodeId, name: string) => void)[] = [];
  readonly invoke: ((node: NodeId, op: number, process: string, f: string) => void)[] = [];
  readonly return: ((node: NodeId, op: number, process: string, outcome: OpOutcome) => void)[] = [];
  readonly publish: ((node: NodeId, state: JsonValue) => void)[] = [];
  readonly violation: ((invariant: string) => void)[] = [];
  /** Whether some checker declared a message hook (send, deliver, drop or duplicate). */
  readonly messages: boolean;
  /** Whether some checker declared any hook (the run then numbers its events, as for an observer: Violation.seq and cause). */
  readonly any: boolean;

  constructor(checkers: readonly Checker[]) {
    for (const c of checkers) {
      const h: EventHooks | undefined = c.when === 'always' ? c.on : undefined;
      if (h === undefined) continue;
      if (h.send) this.send.push(h.send.bind(h));
      if (h.deliver) this.deliver.push(h.deliver.bind(h));
      if (h.drop) this.drop.push(h.drop.bind(h));
      if (h.duplicate) this.duplicate.push(h.duplicate.bind(h));
      if (h.start) this.start.push(h.start.bind(h));
      if (h.timer) this.timer.push(h.timer.bind(h));
      if (h.invoke) this.invoke.push(h.invoke.bind(h));
      if (h.return) this.return.push(h.return.bind(h));
      if (h.publish) this.publish.push(h.publish.bind(h));
      if (h.violation) this.violation.push(h.violation.bind(h));
    }
    this.messages = this.send.length + this.deliver.length + this.drop.length + this.duplicate.length > 0;
    this.any = this.messages || this.start.length + this.timer.length + this.invoke.length + this.return.length + this.publish.length + this.violation.length > 0;
  }
}

/**
 * Call the hook of `hooks` that matches a trace event, with its fields, as the engine does while
 * it runs (for replaying a trace into a checker, and for unit tests of one). Events of a type no
 * hook covers are ignored.
 */
export function callHooks(hooks: EventHooks, ev: TraceEvent): void {
  switch (ev.type) {
    case 'send':
      hooks.send?.(ev.id, ev.from, ev.to, ev.msg as unknown as Message);
      return;
    case 'deliver':
      hooks.deliver?.(ev.id, ev.from, ev.to);
      return;
    case 'drop':
      hooks.drop?.(ev.id, ev.from, ev.to, ev.reason);
      return;
    case 'duplicate':
      hooks.duplicate?.(ev.id, ev.of, ev.from, ev.to);
      return;
    case 'start':
      hooks.start?.(ev.node, false);
      return;
    case 'restart':
      hooks.start?.(ev.node, true);
      return;
    case 'timer':
      hooks.timer?.(ev.node, ev.name);
      return;
    case 'invoke':
      hooks.invoke?.(ev.node, ev.op, ev.process, ev.f);
      return;
    case 'return':
      hooks.return?.(ev.node, ev.op, ev.process, ev.outcome);
      return;
    case 'state':
      hooks.publish?.(ev.node, ev.state);
      return;
    case 'violation':
      hooks.violation?.(ev.invariant);
      return;
    default:
      return;
  }
}
