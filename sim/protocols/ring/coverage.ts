// The ring's abstract state for coverage-guided fuzzing (sim/fuzz/guided.ts):
// the membership phase (the coordinator's settled flag, how many hand-offs it
// waits for, queued changes), how many distinct ring versions live servers act
// on (old and new rings side by side), how many servers are still migrating
// keys, and how many servers (and whether the coordinator) are down.

import type { SimView } from '../../engine/types.ts';
import type { RingCoordinatorState, RingServerState } from './state.ts';

const bucket = (n: number): string => (n >= 2 ? '2+' : String(n));

/** The ring's abstract state: `ProtocolDefinition.abstractState`. */
export function ringAbstractState(view: SimView): string {
  let coordinator: RingCoordinatorState | undefined;
  let coordinatorDown = false;
  const versions = new Set<number>();
  let migrating = 0;
  let down = 0;
  let members = 0;
  for (const id of view.nodeIds) {
    const role = view.role(id);
    const s = view.published(id) as Record<string, unknown> | undefined;
    if (role === 'coordinator') {
      coordinator = s as unknown as RingCoordinatorState | undefined;
      coordinatorDown = !view.isUp(id);
      continue;
    }
    if (role !== 'server' || !s || typeof s !== 'object') continue;
    const st = s as unknown as RingServerState;
    if (!st.members.some((m) => m.id === id) && st.keys === 0 && st.migrating.length === 0) continue; // a spare outside the ring
    members++;
    if (!view.isUp(id)) {
      down++;
      continue;
    }
    versions.add(st.ringVersion);
    if (st.migrating.length > 0) migrating++;
  }
  const phase = coordinator ? `${coordinator.settled ? 'S' : 'M'}${bucket(coordinator.waitingFor.length)} q${bucket(coordinator.queued)}` : '-';
  return `${coordinatorDown ? 'Kx' : 'K'} ${phase} v${bucket(versions.size)} m${bucket(migrating)} x${bucket(down)}/${members}`;
}
