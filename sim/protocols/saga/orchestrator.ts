// The saga orchestrator (execution coordinator): it runs each saga's steps one at
// a time, compensates backwards when a step before the pivot fails, and keeps
// every saga's progress in a durable log (Garcia-Molina and Salem 1987, section 5:
// the saga's state is saved so that after a crash it resumes forward or backward).
// Every transition is written and fsynced before the command it leads to leaves,
// so after a restart it resends exactly the command in progress (services are
// idempotent). Retries: a step or compensation unanswered within `stepTimeout` is
// resent; a step before the pivot unanswered `maxAttempts` times is given up
// (its outcome unknown, so it is compensated too, tombstones making that safe).

import { assert, type Io, type JsonValue, type NodeId, type ProtocolNode, type Timer } from '../../api/index.ts';
import type { Done, SagaMessage, Submit } from './messages.ts';
import type { OrchestratorState, SagaStatus, SagaView } from './state.ts';
import { PIVOT, STEPS, type Order } from './steps.ts';

export interface OrchestratorOptions {
  stepTimeout: number;
  maxAttempts: number;
  /** PLANTED BUG: progress only in memory (nothing written): a crash forgets every saga in flight. */
  volatileProgress: boolean;
  /** PLANTED BUG: compensate in the order the steps ran instead of the reverse. */
  compensateForward: boolean;
  /** The client's orders (config `sagas`, at most 200): the bound of the saga table, asserted (default unbounded). */
  maxSagas?: number;
}

interface SagaRecord extends Order {
  client: NodeId;
  status: SagaStatus;
  step: number;
  done: number[];
  /** Steps still to compensate, the head in progress. */
  undo: number[];
  undone: number[];
  attempts: number;
}

type OrchTimer = Timer & { name: 'retry'; key: string };
type OrchIo = Io<SagaMessage, OrchTimer, JsonValue>;

const terminal = (s: SagaStatus): boolean => s === 'completed' || s === 'compensated';

export class SagaOrchestrator implements ProtocolNode<SagaMessage, OrchTimer, JsonValue> {
  private readonly sagas = new Map<string, SagaRecord>();

  constructor(private readonly o: OrchestratorOptions) {}

  onStart(io: OrchIo): void {
    this.publish(io);
  }

  /** Recovery from the log: resume every saga where it was (forward or backward). */
  onRecover(io: OrchIo): void {
    for (const k of io.keys('saga/')) {
      const r = io.read<SagaRecord & Record<string, JsonValue>>(k);
      if (!r) continue;
      const rec: SagaRecord = { ...r, attempts: 0 };
      this.sagas.set(rec.saga, rec);
      if (!terminal(rec.status)) this.send(io, rec);
    }
    this.checkBound();
    io.log(`recovered ${this.sagas.size} sagas from the log`);
    this.publish(io);
  }

  onMessage(io: OrchIo, from: NodeId, msg: SagaMessage): void {
    if (msg.type === 'submit') return this.submit(io, from, msg);
    if (msg.type === 'done') return this.done(io, msg);
  }

  onTimer(io: OrchIo, timer: OrchTimer): void {
    const rec = this.sagas.get(timer.key);
    if (!rec || terminal(rec.status)) return;
    rec.attempts++;
    if (rec.status === 'running' && rec.step < PIVOT && rec.attempts >= this.o.maxAttempts) {
      io.log(`${rec.saga}: ${STEPS[rec.step]?.tx} unanswered ${rec.attempts} times: compensating it and the steps before`);
      // The step's outcome is unknown: compensate it too.
      this.compensate(io, rec, [...rec.done, rec.step]);
      return;
    }
    this.send(io, rec);
  }

  /** TigerBeetle's discipline: the saga table never holds more sagas than the client has orders. */
  private checkBound(): void {
    const max = this.o.maxSagas ?? Number.POSITIVE_INFINITY;
    assert(this.sagas.size <= max, () => `orchestrator: ${this.sagas.size} sagas, more than the ${max} orders (config sagas)`);
  }

  private submit(io: OrchIo, from: NodeId, m: Submit): void {
    const known = this.sagas.get(m.saga);
    if (known) {
      io.send(from, { type: 'accepted', saga: m.saga });
      if (terminal(known.status)) io.send(from, { type: 'outcome', saga: m.saga, outcome: known.status as 'completed' | 'compensated' });
      return;
    }
    const rec: SagaRecord = { saga: m.saga, customer: m.customer, qty: m.qty, amount: m.amount, client: from, status: 'running', step: 0, done: [], undo: [], undone: [], attempts: 0 };
    this.sagas.set(m.saga, rec);
    this.checkBound();
    this.save(io, rec);
    io.send(from, { type: 'accepted', saga: m.saga });
    this.send(io, rec);
    this.publish(io);
  }

  private done(io: OrchIo, m: Done): void {
    const rec = this.sagas.get(m.saga);
    if (!rec || m.step !== (rec.status === 'compensating' ? rec.undo[0] : rec.step)) return;
    if (m.kind === 'tx' && rec.status === 'running') {
      if (m.ok) {
        rec.done.push(m.step);
        rec.step++;
        rec.attempts = 0;
        if (rec.step === STEPS.length) return this.finish(io, rec, 'completed');
        this.save(io, rec);
        this.send(io, rec);
      } else if (m.step <= PIVOT) {
        // A business refusal before or at the pivot: the saga aborts; the refused step had no effect.
        io.log(`${rec.saga}: ${STEPS[m.step]?.tx} refused: compensating`);
        this.compensate(io, rec, rec.done);
        return;
      }
      this.publish(io);
      return;
    }
    if (m.kind === 'comp' && rec.status === 'compensating' && m.ok) {
      rec.undone.push(m.step);
      rec.undo.shift();
      rec.attempts = 0;
      if (rec.undo.length === 0) return this.finish(io, rec, 'compensated');
      this.save(io, rec);
      this.send(io, rec);
      this.publish(io);
    }
  }

  /** Backward recovery: compensate `steps` (those that ran or may have), the last first. */
  private compensate(io: OrchIo, rec: SagaRecord, steps: number[]): void {
    rec.status = 'compensating';
    rec.undo = this.o.compensateForward ? [...steps] : [...steps].reverse();
    rec.attempts = 0;
    if (rec.undo.length === 0) return this.finish(io, rec, 'compensated');
    this.save(io, rec);
    this.send(io, rec);
    this.publish(io);
  }

  private finish(io: OrchIo, rec: SagaRecord, outcome: 'completed' | 'compensated'): void {
    rec.status = outcome;
    rec.step = -1;
    rec.undo = [];
    this.save(io, rec);
    io.cancelTimer('retry', rec.saga);
    io.send(rec.client, { type: 'outcome', saga: rec.saga, outcome });
    this.publish(io);
  }

  /** The command in progress (step or compensation), with its retry timer. */
  private send(io: OrchIo, rec: SagaRecord): void {
    const comp = rec.status === 'compensating';
    const step = comp ? rec.undo[0] : rec.step;
    if (step === undefined) return; // nothing left to compensate: STEPS[undefined] would be no step either
    const def = STEPS[step];
    if (!def) return;
    io.send(def.service, { type: 'do', saga: rec.saga, customer: rec.customer, qty: rec.qty, amount: rec.amount, step, kind: comp ? 'comp' : 'tx' });
    io.setTimer({ name: 'retry', key: rec.saga }, this.o.stepTimeout);
  }

  /** The log write: durable before anything it leads to is sent. */
  private save(io: OrchIo, rec: SagaRecord): void {
    if (this.o.volatileProgress) return;
    io.put(`saga/${rec.saga}`, { ...rec } as unknown as JsonValue);
    io.fsync();
  }

  private publish(io: OrchIo): void {
    const sagas: Record<string, SagaView> = {};
    for (const r of this.sagas.values()) sagas[r.saga] = { status: r.status, step: r.status === 'compensating' ? (r.undo[0] ?? -1) : r.step, done: [...r.done], undone: [...r.undone] };
    const s: OrchestratorState = { sagas };
    io.publish(s as unknown as JsonValue);
  }
}
