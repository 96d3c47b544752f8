// Two-phase commit's abstract state for coverage-guided fuzzing
// (sim/fuzz/guided.ts): for each live transaction, the coordinator's phase and
// the multiset of the participants' phases (as a vector of phases, symmetric in
// the shard names), plus which kind of node is down. Distinct transactions in
// the same shape count once, so the string stays short.

import type { SimView } from '../../engine/types.ts';
import type { CoordinatorState, ParticipantState } from './state.ts';

const PHASE: Record<string, string> = { working: 'w', prepared: 'p', committed: 'c', aborted: 'a', preparing: 'P', committing: 'C', aborting: 'A', done: 'D' };

/** Two-phase commit's abstract state: `ProtocolDefinition.abstractState`. */
export function twopcAbstractState(view: SimView): string {
  let coordinator: CoordinatorState | undefined;
  let coordinatorDown = false;
  const participants: ParticipantState[] = [];
  let participantsDown = 0;
  for (const id of view.nodeIds) {
    if (view.role(id) !== 'server') continue;
    const s = view.published(id) as Record<string, unknown> | undefined;
    if (!s || typeof s !== 'object') continue;
    const up = view.isUp(id);
    if ('inDoubt' in s) {
      participants.push(s as unknown as ParticipantState);
      if (!up) participantsDown++;
    } else if ('txs' in s) {
      coordinator = s as unknown as CoordinatorState;
      coordinatorDown = !up;
    }
  }
  const txs = new Set<string>();
  for (const [tx, t] of Object.entries(coordinator?.txs ?? {})) if (t.state !== 'done') txs.add(tx);
  for (const p of participants) for (const [tx, phase] of Object.entries(p.txs)) if (phase === 'working' || phase === 'prepared') txs.add(tx);
  const shapes = new Set<string>();
  for (const tx of txs) {
    const c = coordinator?.txs[tx];
    const phases = participants.map((p) => PHASE[p.txs[tx] ?? ''] ?? '-').sort().join('');
    const doubt = participants.some((p) => p.inDoubt.includes(tx)) ? '?' : '';
    shapes.add(`${c ? (PHASE[c.state] ?? '-') : '-'}:${phases}${doubt}`);
  }
  return `${coordinatorDown ? 'Cx' : 'C'} px${participantsDown} ${[...shapes].sort().join(',')}`;
}
