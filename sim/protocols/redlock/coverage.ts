// Redlock's abstract state for guided fuzzing: how many masters hold the
// current holder's key, another client's key, or nothing; how many clients
// believe they hold the lock; masters down or in their restart delay.

import type { SimView } from '../../api/index.ts';
import type { MasterState, RedlockClientState } from './state.ts';

const bucket = (n: number): string => (n >= 3 ? '3+' : String(n));

export function redlockAbstractState(view: SimView): string {
  const holders: string[] = [];
  const masters: MasterState[] = [];
  let down = 0;
  let away = 0;
  for (const id of view.nodeIds) {
    const role = view.role(id);
    const s = view.published(id) as unknown;
    if (role === 'server') {
      if (!view.isUp(id) || view.isPaused(id)) down++;
      else if (s && !(s as MasterState).available) away++;
      if (s && view.isUp(id)) masters.push(s as MasterState);
    } else if (role === 'client' && s && (s as RedlockClientState).phase === 'holding') holders.push((s as RedlockClientState).value ?? '');
  }
  let mine = 0;
  let other = 0;
  for (const m of masters) {
    const k = Object.values(m.keys)[0];
    if (!k) continue;
    if (holders.includes(k.value)) mine++;
    else other++;
  }
  return `h${bucket(holders.length)} k${bucket(mine)} o${bucket(other)} d${down} a${away}`;
}
