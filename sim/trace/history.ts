// A trace's client history, checked for the viewer's history panel (the
// picture Porcupine draws): the operations of each partition (key), and either
// the linearization the checker found (order and a point in each operation's
// interval) or, for a violation, the longest linearizable prefix, the
// operation that cannot be placed after it, the operations concurrent with
// it, and the minimal failing core. The checking itself is sim/check's
// (Wing & Gong with Lowe's memoisation, as Porcupine); this only maps its
// answer back onto the trace's operations and times.

import type { HistoryEvent, Micros } from '../engine/types.ts';
import { checkOperations, HistoryError, historyToOperations, inferModel, models, type Model, type ModelName, type Verdict } from '../check/linearizability/index.ts';
import type { OperationRec } from './model.ts';

export { isHistoryViolation } from './history-violation.ts';

export interface PartitionView {
  key: string;
  /** Indices into the trace's operations, in invoke order. */
  ops: number[];
  /** The linearization found (operation indices in order), when this partition was proven linearizable, or the longest prefix when it failed. */
  order: number[];
  /** Linearization point (true time, µs) of each operation in `order`: inside its interval, non-decreasing. */
  points: Micros[];
  verdict: 'linearizable' | 'not-linearizable' | 'unchecked';
}

export interface HistoryFailure {
  key: string;
  /** The longest linearizable prefix (operation indices, in order). */
  prefix: number[];
  /** The operation that cannot be placed after the prefix. */
  stuck: number;
  /** Operations not linearized that were concurrent with it. */
  concurrent: number[];
  /** The minimal failing core (definite operations). */
  core: number[];
  coreMinimal: boolean;
  explanation: string;
}

export interface HistoryAnalysis {
  /** The model the operations were checked against (inferred from their names), or undefined when none fits. */
  model: ModelName | undefined;
  verdict: Verdict | 'no-model' | 'no-operations';
  partitions: PartitionView[];
  /** Operations the model ignores (they constrain nothing, e.g. a failed write). */
  ignored: number[];
  failure: HistoryFailure | undefined;
  /** Search budget used, in model steps. */
  steps: number;
  /** Why the history could not be checked (an operation the model cannot check). */
  problem?: string;
}

/** The engine history of a trace's operations (invokes and returns in seq order); positions map back through `seqs`. */
export function historyOf(ops: readonly OperationRec[]): { history: HistoryEvent[]; seqs: number[] } {
  const evs: { seq: number; ev: HistoryEvent }[] = [];
  for (const o of ops) {
    evs.push({ seq: o.invokeSeq, ev: { type: 'invoke', t: o.invokeT, node: o.node, op: o.op, process: o.process, f: o.f, ...(o.key !== undefined ? { key: o.key } : {}), ...(o.value !== undefined ? { value: o.value } : {}) } });
    if (o.returnSeq !== undefined && o.returnT !== undefined && o.outcome !== undefined) {
      evs.push({ seq: o.returnSeq, ev: { type: 'return', t: o.returnT, node: o.node, op: o.op, process: o.process, outcome: o.outcome, ...(o.result !== undefined ? { value: o.result } : {}) } });
    }
  }
  evs.sort((a, b) => a.seq - b.seq);
  return { history: evs.map((e) => e.ev), seqs: evs.map((e) => e.seq) };
}

/** Points for an order of operations: each at or after its invoke and the previous point, at most its return. */
export function linearizationPoints(order: readonly number[], ops: readonly OperationRec[]): Micros[] {
  const points: Micros[] = [];
  let last = -Infinity;
  for (const i of order) {
    const o = ops[i] as OperationRec;
    let p = Math.max(o.invokeT, last);
    if (o.returnT !== undefined) p = Math.min(p, o.returnT);
    points.push(p);
    last = p;
  }
  return points;
}

/**
 * Check a trace's operations (in invoke order, as model.ts / columns.ts list
 * them) for linearizability against the model their names imply, within a
 * budget of model steps. Operation i of the checker is operation i here.
 */
export function analyzeHistory(ops: readonly OperationRec[], opts: { maxSteps?: number; coreSteps?: number; model?: ModelName } = {}): HistoryAnalysis {
  const empty = { partitions: [], ignored: [], failure: undefined, steps: 0 };
  if (ops.length === 0) return { model: undefined, verdict: 'no-operations', ...empty };
  const name = opts.model ?? inferModel(ops.map((o) => o.f));
  if (name === undefined) return { model: undefined, verdict: 'no-model', ...empty };
  const model = models[name] as Model<unknown>;
  const { history } = historyOf(ops);
  // The checker numbers operations in invoke order, as the trace's list is.
  const checked = historyToOperations(history);
  let result;
  try {
    result = checkOperations(checked, model, { maxSteps: opts.maxSteps ?? 500_000, coreSteps: opts.coreSteps ?? 50_000 });
  } catch (err) {
    if (err instanceof HistoryError) return { model: name, verdict: 'no-model', ...empty, problem: err.message };
    throw err;
  }
  const parts = new Map<string, PartitionView>();
  const ignored: number[] = [];
  for (const op of checked) {
    if (model.ignore?.(op)) {
      ignored.push(op.id);
      continue;
    }
    const key = model.partition ? model.partition(op) : '';
    let p = parts.get(key);
    if (!p) parts.set(key, (p = { key, ops: [], order: [], points: [], verdict: 'unchecked' }));
    p.ops.push(op.id);
  }
  for (const { partition, order } of result.linearizations) {
    const p = parts.get(partition);
    if (!p) continue;
    p.order = order;
    p.points = linearizationPoints(p.order, ops);
    p.verdict = 'linearizable';
  }
  // The checker stops at the first key that fails: check the others on their own, to draw their linearizations too.
  let steps = result.steps;
  let budget = (opts.maxSteps ?? 500_000) - steps;
  for (const p of parts.values()) {
    if (p.verdict !== 'unchecked' || p.key === result.failure?.partition || budget <= 0) continue;
    const own = new Set(p.ops);
    const r = checkOperations(
      checked.filter((op) => own.has(op.id)),
      model,
      { maxSteps: budget, coreSteps: 0 },
    );
    steps += r.steps;
    budget -= r.steps;
    const order = r.linearizations.find((l) => l.partition === p.key)?.order;
    if (order) {
      p.order = order;
      p.points = linearizationPoints(p.order, ops);
      p.verdict = 'linearizable';
    } else if (r.failure) p.verdict = 'not-linearizable';
  }
  let failure: HistoryFailure | undefined;
  const f = result.failure;
  if (f) {
    const prefix = f.prefix.map((s) => s.op.id);
    failure = { key: f.partition, prefix, stuck: f.stuck.id, concurrent: f.concurrent.map((o) => o.id), core: f.core.map((o) => o.id), coreMinimal: f.coreMinimal, explanation: f.explanation };
    const p = parts.get(f.partition);
    if (p) {
      p.order = prefix;
      p.points = linearizationPoints(prefix, ops);
      p.verdict = 'not-linearizable';
    }
  }
  return { model: name, verdict: result.verdict, partitions: [...parts.values()], ignored, failure, steps };
}

/**
 * The cause of a history violation: the seq of the return (else the invoke) of the operation that cannot be
 * placed after the longest linearizable prefix (a member of the failing core's search), or undefined when the
 * history is linearizable or cannot be checked here. The viewer's "jump to cause" and `faultline view` use it.
 */
export function historyCause(ops: readonly OperationRec[], opts: { maxSteps?: number } = {}): number | undefined {
  const f = analyzeHistory(ops, opts).failure;
  const stuck = f === undefined ? undefined : ops[f.stuck];
  return stuck === undefined ? undefined : (stuck.returnSeq ?? stuck.invokeSeq);
}
