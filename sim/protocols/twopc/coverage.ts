// Two-phase commit's abstract state for coverage-guided fuzzing
// (sim/fuzz/guided.ts): the shape of the most advanced live transaction (the
// coordinator's phase, the set of phases its participants are in, symmetric in
// the shard names, and whether one is in doubt), how many transactions are
// live (0, 1, 2+), and whether the coordinator and how many participants are down.

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
    // The set of phases the involved participants are in (not how many are in each: that only multiplies states).
    const phases = [...new Set(participants.map((p) => PHASE[p.txs[tx] ?? '']).filter((x) => x !== undefined))].sort().join('');
    const doubt = participants.some((p) => p.inDoubt.includes(tx)) ? '?' : '';
    shapes.add(`${c ? (PHASE[c.state] ?? '-') : '-'}:${phases}${doubt}`);
  }
  // The set of shapes of concurrent transactions multiplies out (one run reaches a thousand): keep the
  // most advanced shape (the coordinator furthest on, in doubt first), and how many transactions are live.
  const rank = (x: string): string => `${'-PACD'.indexOf(x[0] ?? '-')}${x.endsWith('?') ? 1 : 0}${x}`;
  const top = [...shapes].sort((a, b) => (rank(a) < rank(b) ? 1 : rank(a) > rank(b) ? -1 : 0))[0] ?? '';
  return `${coordinatorDown ? 'Cx' : 'C'} px${participantsDown} n${txs.size >= 2 ? '2+' : txs.size} ${top}`;
}
