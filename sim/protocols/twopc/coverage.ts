// Two-phase commit's abstract state for coverage-guided fuzzing
// (sim/fuzz/guided.ts): the shape of the most advanced live transaction (the
// coordinator's phase, the set of phases its participants are in, symmetric in
// the shard names, and whether one is in doubt), how many transactions are
// live (0, 1, 2+), and whether the coordinator and how many participants are down.
//
// Computed once per instant with a publish in every guided fuzz run, so it is written for speed
// (session 10, README "Speed"): one pass over the live transactions, the phase set as a bit mask,
// the top shape by a running maximum (the shape text built only when it may win); no sort, no
// per-call sets. The string it returns is
// the same as the straightforward definition's (test/twopc/coverage-speed.test.ts checks it against
// that definition on every sample of fuzz runs).

import type { SimView } from '../../engine/types.ts';
import type { CoordinatorState, ParticipantState } from './state.ts';

const PHASE: Record<string, string> = { working: 'w', prepared: 'p', committed: 'c', aborted: 'a', preparing: 'P', committing: 'C', aborting: 'A', done: 'D' };
/** Every phase letter, in sort order (code units): bit i of a phase mask is LETTERS[i]. */
const LETTERS = [...new Set(Object.values(PHASE))].sort();
/** State name -> bit of its letter (own keys only). */
const BIT = new Map(Object.entries(PHASE).map(([k, v]) => [k, 1 << LETTERS.indexOf(v)]));
/** Phase mask -> the sorted letters it holds. */
const MASK_TEXT: string[] = Array.from({ length: 1 << LETTERS.length }, (_, m) => LETTERS.filter((_l, i) => (m & (1 << i)) !== 0).join(''));

/** Scratch list of the live transactions (reused: one call at a time). */
const LIVE: string[] = [];

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
  // Live transactions: open at the coordinator, or working / prepared at a participant (a few: a scan dedupes).
  const ctxs = coordinator?.txs;
  const live = LIVE;
  live.length = 0;
  if (ctxs !== undefined) for (const tx in ctxs) if (ctxs[tx]?.state !== 'done') live.push(tx);
  for (const p of participants) {
    const txs = p.txs;
    for (const tx in txs) {
      const phase = txs[tx];
      if ((phase === 'working' || phase === 'prepared') && !live.includes(tx)) live.push(tx);
    }
  }
  // The most advanced shape (the coordinator furthest on, then in doubt, then the greatest shape text).
  let top = '';
  let topLead = -2;
  let topDoubt = false;
  for (const tx of live) {
    const c = ctxs !== undefined && Object.prototype.hasOwnProperty.call(ctxs, tx) ? ctxs[tx] : undefined;
    // The set of phases the involved participants are in (not how many are in each: that only multiplies states).
    let mask = 0;
    let doubt = false;
    for (const p of participants) {
      const st = p.txs[tx];
      if (st !== undefined) mask |= BIT.get(st) ?? 0;
      if (!doubt && p.inDoubt.includes(tx)) doubt = true;
    }
    const letter = c ? (PHASE[c.state] ?? '-') : '-';
    const lead = '-PACD'.indexOf(letter);
    if (lead < topLead || (lead === topLead && !doubt && topDoubt)) continue;
    const shape = `${letter}:${MASK_TEXT[mask] ?? ''}${doubt ? '?' : ''}`;
    if (lead === topLead && doubt === topDoubt && shape <= top) continue;
    top = shape;
    topLead = lead;
    topDoubt = doubt;
  }
  const n = live.length;
  return `${coordinatorDown ? 'Cx' : 'C'} px${participantsDown} n${n >= 2 ? '2+' : n} ${top}`;
}
