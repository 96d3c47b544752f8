// The saga protocol's abstract state for guided fuzzing: how many sagas are
// running before the pivot, after it, compensating, and ended each way
// (bucketed), and which servers are down.

import type { SimView } from '../../api/index.ts';
import type { OrchestratorState } from './state.ts';
import { ORCHESTRATOR, PIVOT } from './steps.ts';

const bucket = (n: number): string => (n >= 3 ? '3+' : String(n));

export function sagaAbstractState(view: SimView): string {
  const o = view.published(ORCHESTRATOR) as unknown as OrchestratorState | undefined;
  let pre = 0;
  let post = 0;
  let comp = 0;
  let completed = 0;
  let compensated = 0;
  for (const s of Object.values(o?.sagas ?? {})) {
    if (s.status === 'running') {
      if (s.step <= PIVOT) pre++;
      else post++;
    } else if (s.status === 'compensating') comp++;
    else if (s.status === 'completed') completed++;
    else compensated++;
  }
  const down = view.nodeIds.filter((id) => view.role(id) === 'server' && (!view.isUp(id) || view.isPaused(id))).join(',');
  return `p${bucket(pre)} a${bucket(post)} c${bucket(comp)} ${completed > 0 ? 'C' : '-'}${compensated > 0 ? 'K' : '-'} ${down}`;
}
