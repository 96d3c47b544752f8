// The client: submits its planned orders, one every `interval`, each retried
// until the orchestrator accepts it (the orchestrator dedupes by saga id).

import { assert, type Io, type JsonValue, type NodeId, type ProtocolNode, type Timer } from '../../api/index.ts';
import type { SagaMessage } from './messages.ts';
import { ORCHESTRATOR, type Order } from './steps.ts';

type ClientTimer = (Timer & { name: 'submit'; key: string });
type ClientIo = Io<SagaMessage, ClientTimer, JsonValue>;

export class SagaClient implements ProtocolNode<SagaMessage, ClientTimer, JsonValue> {
  /** Sagas the orchestrator accepted, and their outcomes: only this client's orders (config `sagas`, at most 200), asserted. */
  private readonly accepted = new Set<string>();
  private readonly outcomes: Record<string, string> = {};
  private readonly mine: ReadonlySet<string>;

  constructor(private readonly orders: readonly Order[], private readonly interval: number, private readonly retry: number) {
    this.mine = new Set(orders.map((o) => o.saga));
  }

  onStart(io: ClientIo): void {
    this.orders.forEach((o, i) => io.setTimer({ name: 'submit', key: o.saga }, i * this.interval));
    this.publish(io);
  }

  onMessage(io: ClientIo, _from: NodeId, msg: SagaMessage): void {
    if ((msg.type === 'accepted' || msg.type === 'outcome') && !this.mine.has(msg.saga)) return; // not one of our orders
    if (msg.type === 'accepted') {
      this.accepted.add(msg.saga);
      io.cancelTimer('submit', msg.saga);
    } else if (msg.type === 'outcome' && this.outcomes[msg.saga] === undefined) {
      this.outcomes[msg.saga] = msg.outcome;
      assert(Object.keys(this.outcomes).length <= this.orders.length, () => `saga client: ${Object.keys(this.outcomes).length} outcomes for ${this.orders.length} orders`);
      this.publish(io);
    }
  }

  onTimer(io: ClientIo, timer: ClientTimer): void {
    const o = this.orders.find((x) => x.saga === timer.key);
    if (!o || this.accepted.has(o.saga)) return;
    io.send(ORCHESTRATOR, { type: 'submit', ...o });
    io.setTimer({ name: 'submit', key: o.saga }, this.retry);
  }

  private publish(io: ClientIo): void {
    io.publish({ outcomes: { ...this.outcomes } });
  }
}
