// A service of the saga: one local transaction and its compensation over its own
// durable state, made idempotent by a record per idempotency key (`<saga>/<step>`):
//   tx   on no record: the business rule decides (commit -> 'done', or 'refused');
//        on 'done' answer again; on 'refused' refuse again; on a compensation record
//        ('compensated' or a 'tombstone') refuse: the saga has already undone it.
//   comp on 'done': undo, record 'compensated'; on 'compensated' or 'refused': a no-op;
//        on no record: the compensation overtook its step (retries, reordering):
//        record a TOMBSTONE so the step, if it arrives later, is refused
//        (Garcia-Molina and Salem's requirement that a compensation of a
//        transaction that did not run is harmless, made to hold under reordering).
// State and record are fsynced before the answer leaves, so a restart keeps both.

import type { Io, JsonValue, NodeId, ProtocolNode, Timer } from '../../api/index.ts';
import type { Do, SagaMessage } from './messages.ts';
import type { ServiceState } from './state.ts';

export type RecordStatus = 'done' | 'refused' | 'compensated' | 'tombstone';

export interface Ledger {
  /** order: open orders; stock: items available; shipping: shipments; payment: unused (balances). */
  level: number;
  balances: Record<string, number>;
  merchant: number;
}

export interface ServiceOptions {
  service: string;
  initial: Ledger;
  /** PLANTED BUG: a retried compensation is applied again (no idempotency check on compensations). */
  nonIdempotentCompensation: boolean;
  /** PLANTED BUG: a compensation with no record of its step does nothing and records nothing. */
  noTombstone: boolean;
}

type NoTimer = Timer & { name: never };
type ServiceIo = Io<SagaMessage, NoTimer, JsonValue>;

export class SagaService implements ProtocolNode<SagaMessage, NoTimer, JsonValue> {
  private ledger: Ledger;
  private records = 0;

  constructor(private readonly o: ServiceOptions) {
    this.ledger = structuredClone(o.initial);
  }

  onStart(io: ServiceIo): void {
    this.publish(io);
  }

  onRecover(io: ServiceIo): void {
    this.ledger = io.read<Ledger & Record<string, JsonValue>>('ledger') ?? structuredClone(this.o.initial);
    this.records = io.keys('rec/').length;
    this.publish(io);
  }

  onMessage(io: ServiceIo, from: NodeId, msg: SagaMessage): void {
    if (msg.type !== 'do') return;
    const key = `rec/${msg.saga}/${msg.step}`;
    const rec = io.read<RecordStatus>(key);
    const reply = (ok: boolean, applied: boolean): void => {
      io.send(from, { type: 'done', saga: msg.saga, step: msg.step, kind: msg.kind, ok, applied, ...(this.o.service === 'stock' ? { available: this.ledger.level } : {}) });
    };
    if (msg.kind === 'tx') {
      if (rec === 'done') return reply(true, false);
      if (rec !== undefined) return reply(false, false);
      if (!this.permits(msg)) {
        this.record(io, key, 'refused');
        io.fsync();
        return reply(false, false);
      }
      this.apply(msg, +1);
      this.record(io, key, 'done');
      this.persist(io);
      this.effect(io, msg);
      return reply(true, true);
    }
    // Compensation.
    if (rec === 'done' || (rec === 'compensated' && this.o.nonIdempotentCompensation)) {
      this.apply(msg, -1);
      this.record(io, key, 'compensated');
      this.persist(io);
      this.effect(io, msg);
      return reply(true, true);
    }
    if (rec === undefined && !this.o.noTombstone) {
      this.record(io, key, 'tombstone');
      io.fsync();
      io.log(`tombstone for ${msg.saga}/${msg.step}: its compensation came first`);
    }
    reply(true, false);
  }

  onTimer(): void {}

  /** Record the effect in the history (an instantaneous operation of this service), for the final checkers. */
  private effect(io: ServiceIo, m: Do): void {
    io.complete(io.invoke({ process: this.o.service, f: m.kind, key: m.saga, value: m.step }), 'ok');
  }

  /** The business rule of the local transaction. */
  private permits(m: Do): boolean {
    if (this.o.service === 'stock') return this.ledger.level >= m.qty;
    if (this.o.service === 'payment') return (this.ledger.balances[m.customer] ?? 0) >= m.amount;
    return true;
  }

  /** Do (+1) or undo (-1) the local transaction's effect. */
  private apply(m: Do, sign: 1 | -1): void {
    const l = this.ledger;
    switch (this.o.service) {
      case 'stock':
        l.level -= sign * m.qty;
        return;
      case 'payment':
        l.balances[m.customer] = (l.balances[m.customer] ?? 0) - sign * m.amount;
        l.merchant += sign * m.amount;
        return;
      default:
        l.level += sign;
    }
  }

  private record(io: ServiceIo, key: string, status: RecordStatus): void {
    if (io.read(key) === undefined) this.records++;
    io.put(key, status);
  }

  private persist(io: ServiceIo): void {
    io.put('ledger', structuredClone(this.ledger) as unknown as JsonValue);
    io.fsync();
    this.publish(io);
  }

  private publish(io: ServiceIo): void {
    const l = this.ledger;
    const s: ServiceState =
      this.o.service === 'payment'
        ? { service: this.o.service, level: Object.values(l.balances).reduce((a, b) => a + b, 0), merchant: l.merchant, records: this.records }
        : { service: this.o.service, level: l.level, records: this.records };
    io.publish(s as unknown as JsonValue);
  }
}
