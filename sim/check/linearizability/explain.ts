// Human-readable explanation of a non-linearizable history: the longest
// linearizable prefix the search found, and the operation that cannot be
// placed after it (the pending operation with the earliest return: it must take
// effect before anything that starts after it returned, and no order of the
// operations still open makes it legal).

import type { LinearizabilityFailure, LinearizedStep } from './checker.ts';
import type { Core } from './core.ts';
import type { Model, Operation } from './models.ts';
import { showValue } from './models.ts';

/** At most this many prefix steps are printed (the last ones, closest to the failure). */
const PRINTED_PREFIX = 12;

export function describeOperation<S>(model: Model<S>, op: Operation): string {
  if (model.describeOp) return model.describeOp(op);
  const result = op.outcome === 'unknown' ? '?' : op.outcome === 'fail' ? 'fail' : showValue(op.output);
  return `${op.process}: ${op.f}${op.key !== undefined ? `[${op.key}]` : ''}(${showValue(op.input)}) -> ${result}`;
}

export function describeModelState<S>(model: Model<S>, state: S): string {
  return model.describeState ? model.describeState(state) : JSON.stringify(state);
}

export function explainFailure<S>(
  model: Model<S>,
  partition: string,
  init: S,
  prefix: LinearizedStep[],
  stuck: Operation,
  partOps: readonly Operation[],
  findCore: () => Core,
  where: (position: number) => string,
): LinearizabilityFailure {
  let core: Core | undefined;
  let text: string | undefined;
  const getCore = (): Core => (core ??= findCore());
  const state = (prefix.length > 0 ? prefix[prefix.length - 1]!.state : init) as S;
  const done = new Set(prefix.map((s) => s.op.id));
  // Still-open operations that overlap the stuck one: the only ones that could have gone before it.
  const concurrent = partOps.filter((op) => op.id !== stuck.id && !done.has(op.id) && op.call < stuck.ret);
  return {
    partition,
    prefix,
    state,
    stuck,
    concurrent,
    get core() {
      return getCore().ops;
    },
    get coreMinimal() {
      return getCore().minimal;
    },
    get explanation() {
      return (text ??= explanationText(model, partition, prefix, state, stuck, concurrent, partOps, getCore(), where));
    },
  };
}

function explanationText<S>(
  model: Model<S>,
  partition: string,
  prefix: LinearizedStep[],
  state: S,
  stuck: Operation,
  concurrent: Operation[],
  partOps: readonly Operation[],
  core: Core,
  where: (position: number) => string,
): string {
  const span = (op: Operation): string => `called at ${where(op.call)}, ${op.ret === Infinity ? 'no known return' : `returned at ${where(op.ret)}`}`;
  const scope = partition === '' ? model.name : `${model.name} key ${JSON.stringify(partition)}`;
  const lines: string[] = [];
  lines.push(`${scope} is not linearizable.`);
  if (core.ops.length > 0) {
    lines.push(
      `Smallest failing core: these ${core.ops.length} of ${partOps.length} operations cannot be linearized even if every other one may or may not have taken effect (within its own call and return)${core.minimal ? '' : ' (search budget ran out: may not be minimal)'}:`,
    );
    for (const op of core.ops.slice(0, 2 * PRINTED_PREFIX)) lines.push(`        ${describeOperation(model, op)}   (${span(op)})`);
    if (core.ops.length > 2 * PRINTED_PREFIX) lines.push(`        ... and ${core.ops.length - 2 * PRINTED_PREFIX} more`);
  }
  lines.push(`Longest linearizable prefix: ${prefix.length} of ${partOps.length} operations${prefix.length > PRINTED_PREFIX ? ` (last ${PRINTED_PREFIX} shown)` : ''}:`);
  if (prefix.length === 0) lines.push(`  (none) state ${describeModelState(model, state)}`);
  prefix.slice(-PRINTED_PREFIX).forEach((s, i) => {
    const n = prefix.length - Math.min(prefix.length, PRINTED_PREFIX) + i + 1;
    lines.push(`  ${String(n).padStart(4)}. ${describeOperation(model, s.op)}   (${span(s.op)})  => ${describeModelState(model, s.state as S)}`);
  });
  const alone = model.step(state, stuck) === undefined ? `in state ${describeModelState(model, state)} it is illegal` : `it is legal in state ${describeModelState(model, state)} alone, but then the operations it overlaps cannot be ordered`;
  lines.push(`Cannot place: ${describeOperation(model, stuck)}   (${span(stuck)})`);
  lines.push(`  It must take effect before it returned: ${alone}, and no other order of the operations before its return makes it legal.`);
  if (concurrent.length > 0) lines.push(`  Other operations still open while it ran (${concurrent.length}):`);
  for (const op of concurrent.slice(0, PRINTED_PREFIX)) lines.push(`        ${describeOperation(model, op)}   (${span(op)})`);
  if (concurrent.length > PRINTED_PREFIX) lines.push(`        ... and ${concurrent.length - PRINTED_PREFIX} more`);
  return lines.join('\n');
}
