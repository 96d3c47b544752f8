// The saga checkers, read off the trace: what services answered (`done` with
// `applied`: this delivery changed the service's state), what the orchestrator
// decided (`accepted`, `outcome`), and the services' published ledgers.
//
//   at-most-once          each step and each compensation takes effect at most once per saga
//   compensation-order    a saga's compensations take effect in reverse step order
//   saga-atomicity        a completed saga has every step in effect; a compensated one none;
//                         no compensation takes effect for a step that never did
//   saga-termination      liveness: every saga the client submitted is accepted and ends
//                         (completed or compensated) once faults have stopped for `grace`
//   conservation          money and stock are conserved: balances + revenue = initial money,
//                         revenue and shipped stock match the completed sagas
//   no-dirty-reads        (only with checkIsolation) no saga is refused stock that a saga
//                         later compensated was holding: the isolation Sagas give up

import { formatDuration, type Checker, type Micros, type NodeId, type SimView, type TraceEvent } from '../../api/index.ts';
import type { Done, SagaMessage } from './messages.ts';
import type { OrchestratorState, ServiceState } from './state.ts';
import { ORCHESTRATOR, SERVICES, STEPS, type Order } from './steps.ts';

const serviceSet = new Set(SERVICES);

function sent(ev: TraceEvent): { from: NodeId; to: NodeId; msg: SagaMessage } | undefined {
  return ev.type === 'send' ? { from: ev.from, to: ev.to, msg: ev.msg as unknown as SagaMessage } : undefined;
}

/** A service's answer that changed its state. */
function effect(ev: TraceEvent): Done | undefined {
  const s = sent(ev);
  return s && serviceSet.has(s.from) && s.msg.type === 'done' && s.msg.applied ? s.msg : undefined;
}

function always(name: string, description: string, step: (ev: TraceEvent) => string | undefined): Checker {
  let found: string | undefined;
  return { name, description, when: 'always', observe: (ev) => void (found ??= step(ev)), check: () => found };
}

export function atMostOnceChecker(): Checker {
  const seen = new Map<string, Micros>();
  return always('at-most-once', 'Each step and each compensation of a saga takes effect at most once', (ev) => {
    const d = effect(ev);
    if (!d) return undefined;
    const def = STEPS[d.step];
    const k = `${d.saga}/${d.step}/${d.kind}`;
    const first = seen.get(k);
    if (first !== undefined) return `${def?.service} applied ${d.kind === 'tx' ? def?.tx : def?.comp} of ${d.saga} twice: at t=${formatDuration(first)} and again at t=${formatDuration(ev.t)} (a retry was not recognised by its idempotency key)`;
    seen.set(k, ev.t);
    return undefined;
  });
}

export function compensationOrderChecker(): Checker {
  const last = new Map<string, number>();
  return always('compensation-order', "A saga's compensations take effect in reverse order of its steps", (ev) => {
    const d = effect(ev);
    if (!d || d.kind !== 'comp') return undefined;
    const prev = last.get(d.saga);
    if (prev !== undefined && d.step > prev) return `${d.saga}: ${STEPS[d.step]?.comp} (step ${d.step}) took effect after ${STEPS[prev]?.comp} (step ${prev}): compensations must run last step first`;
    last.set(d.saga, d.step);
    return undefined;
  });
}

/** Per saga, how many times each step and each compensation took effect (from the services' history records). */
class Effects {
  readonly tx = new Map<string, number[]>();
  readonly comp = new Map<string, number[]>();
  constructor(history: SimView['history']) {
    for (const h of history) {
      if (h.type !== 'invoke' || !serviceSet.has(h.process) || (h.f !== 'tx' && h.f !== 'comp') || h.key === undefined) continue;
      this.add(h.key, h.value as number, h.f);
    }
  }
  add(saga: string, step: number, kind: 'tx' | 'comp'): void {
    const map = kind === 'tx' ? this.tx : this.comp;
    const counts = map.get(saga) ?? STEPS.map(() => 0);
    counts[step] = (counts[step] ?? 0) + 1;
    map.set(saga, counts);
  }
  /** Steps of a saga in effect now: took effect more often than compensated. */
  inEffect(saga: string): number[] {
    const t = this.tx.get(saga) ?? [];
    const c = this.comp.get(saga) ?? [];
    return STEPS.map((_, i) => i).filter((i) => (t[i] ?? 0) > (c[i] ?? 0));
  }
}

/** The orchestrator's published sagas (its durable log, republished after a restart). */
function sagasOf(view: SimView): OrchestratorState['sagas'] {
  return (view.published(ORCHESTRATOR) as unknown as OrchestratorState | undefined)?.sagas ?? {};
}

export function sagaAtomicityChecker(): Checker {
  return {
    name: 'saga-atomicity',
    description: 'A completed saga has every step in effect, a compensated saga none; no compensation takes effect for a step that did not',
    when: 'final',
    check(view) {
      const e = new Effects(view.history);
      for (const [saga, c] of e.comp) {
        const t = e.tx.get(saga) ?? [];
        const bad = c.findIndex((n, i) => n > (t[i] ?? 0));
        if (bad >= 0) return `${saga}: ${STEPS[bad]?.comp} took effect but ${STEPS[bad]?.tx} never did: a compensation of a step that did not happen must be a no-op`;
      }
      for (const [saga, v] of Object.entries(sagasOf(view))) {
        const live = e.inEffect(saga);
        if (v.status === 'completed' && live.length !== STEPS.length) return `${saga} completed but only steps ${live.join(', ') || 'none'} are in effect`;
        if (v.status === 'compensated' && live.length > 0) return `${saga} was compensated but ${live.map((i) => STEPS[i]?.tx).join(', ')} still in effect (a step took effect after its compensation)`;
      }
      return undefined;
    },
  };
}

/** Fault-free time every saga needs to finish: a few retries of each step and compensation. */
export function terminationGrace(stepTimeout: Micros, maxAttempts: number, submitRetry: Micros): Micros {
  return STEPS.length * stepTimeout * (maxAttempts + 2) + 2 * submitRetry;
}

export function sagaTerminationChecker(planned: readonly Order[], lastSubmit: Micros, grace: Micros): Checker {
  let reached = false;
  return {
    name: 'saga-termination',
    description: 'Once faults stop, every submitted saga ends completed or compensated (within the grace period)',
    when: 'final',
    judged: () => reached,
    check(view: SimView) {
      const from = Math.max(view.quiescedAt ?? 0, lastSubmit);
      if (view.now - from < grace || !view.isUp(ORCHESTRATOR)) return undefined; // not enough quiet time to judge
      reached = true;
      const sagas = sagasOf(view);
      for (const o of planned) {
        const s = sagas[o.saga];
        if (s === undefined) return `${o.saga} is unknown to ${ORCHESTRATOR} ${formatDuration(view.now - from)} after the faults stopped and the last order was submitted`;
        if (s.status !== 'completed' && s.status !== 'compensated') return `${o.saga} is still ${s.status} at step ${s.step} ${formatDuration(view.now - from)} after the faults stopped (neither completed nor compensated)`;
      }
      return undefined;
    },
  };
}

export interface Initial {
  money: number;
  stock: number;
}

export function conservationChecker(planned: readonly Order[], initial: Initial): Checker {
  let reached = false;
  return {
    name: 'conservation',
    description: 'Money and stock are conserved: balances plus revenue equal the initial money; revenue and stock match the completed sagas',
    when: 'final',
    judged: () => reached,
    check(view) {
      const sagas = sagasOf(view);
      // Judged only when every saga has ended (else saga-termination speaks).
      if (planned.some((o) => sagas[o.saga]?.status !== 'completed' && sagas[o.saga]?.status !== 'compensated')) return undefined;
      reached = true;
      const done = planned.filter((o) => sagas[o.saga]?.status === 'completed');
      const revenue = done.reduce((a, o) => a + o.amount, 0);
      const items = done.reduce((a, o) => a + o.qty, 0);
      const pay = view.published('payment') as unknown as ServiceState | undefined;
      const stock = view.published('stock') as unknown as ServiceState | undefined;
      if (pay && (pay.level + (pay.merchant ?? 0) !== initial.money || pay.merchant !== revenue)) return `money not conserved: balances ${pay.level} + revenue ${pay.merchant} (initial ${initial.money}); the ${done.length} completed sagas paid ${revenue}`;
      if (stock && stock.level !== initial.stock - items) return `stock not conserved: ${stock.level} available, but ${initial.stock} - ${items} sold by the ${done.length} completed sagas = ${initial.stock - items}`;
      return undefined;
    },
  };
}

/**
 * no-dirty-reads: serializability's promise that Sagas give up. A saga refused stock while the stock
 * was held by a saga that is later compensated, when the stock it held would have been enough, saw
 * a state that never "committed". Reported when the holder's release takes effect.
 */
export function noDirtyReadsChecker(planned: readonly Order[]): Checker {
  const qty = new Map(planned.map((o) => [o.saga, o.qty]));
  const reserved = new Set<string>(); // sagas whose stock reservation is in effect
  const refusals: { saga: string; available: number; holders: string[]; t: Micros }[] = [];
  return always('no-dirty-reads', 'No saga is refused stock that a saga later compensated was holding (Sagas promise no isolation: this fails by design)', (ev) => {
    const s = sent(ev);
    if (!s || s.from !== 'stock' || s.msg.type !== 'done' || s.msg.step !== 1) return undefined;
    const d = s.msg;
    if (d.kind === 'tx' && d.applied) reserved.add(d.saga);
    else if (d.kind === 'tx' && !d.ok && d.available !== undefined) refusals.push({ saga: d.saga, available: d.available, holders: [...reserved].filter((h) => h !== d.saga), t: ev.t });
    else if (d.kind === 'comp' && d.applied) {
      reserved.delete(d.saga);
      for (const r of refusals) {
        if (r.holders.includes(d.saga) && r.available + (qty.get(d.saga) ?? 0) >= (qty.get(r.saga) ?? Infinity)) {
          return `${r.saga} was refused ${qty.get(r.saga)} items at t=${formatDuration(r.t)} (${r.available} available) while ${d.saga} held ${qty.get(d.saga)}, which ${d.saga} gave back at t=${formatDuration(ev.t)} when it was compensated: ${r.saga} read uncommitted state`;
        }
      }
    }
    return undefined;
  });
}
