// A fault-step SimView (no actor) over hand-built published states, for step-rule tests that feed a rule
// states directly: the probe looks at every server; an id whose state is undefined is down. Each call is
// a new step (stepsTaken rises), as the engine's views are.
import { FaultState } from '../../sim/engine/fault-state.ts';
import type { SimView } from '../../sim/engine/types.ts';
import type { RaftServerState } from '../../sim/protocols/raft/state.ts';

let steps = 0;

/** A view of `ids` (default: the keys of `states`) publishing `states`; the rule may read published state only. */
export function publishedView(states: Record<string, RaftServerState | undefined>, ids: string[] = Object.keys(states)): SimView {
  return {
    now: 0,
    seq: 0,
    stepsTaken: ++steps,
    nodeIds: ids,
    role: () => 'server',
    isUp: (id) => states[id] !== undefined,
    isPaused: () => false,
    behaviour: () => {
      throw new Error('the rule reads published state only');
    },
    published: (id) => states[id],
    durable: () => new Map(),
    history: [],
    quiesced: false,
    quiescedAt: undefined,
    actor: undefined,
    faults: new FaultState(new Map(ids.map((id, i) => [id, i]))),
    warn: () => {
      throw new Error('the rule decides every case');
    },
  };
}
