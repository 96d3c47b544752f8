// A SimView rebuilt from a trace up to (excluding) event `seq`: the published states and the
// up/down/paused status of every node, nothing from the engine. Role and trigger tests use it
// to judge what a role resolved to against what the nodes had published at that moment.

import { FaultState } from '../../sim/engine/fault-state.ts';
import type { JsonValue, NodeId, SimView, TraceEvent } from '../../sim/engine/types.ts';

export function viewBefore(events: readonly TraceEvent[], seq: number, roles: Record<NodeId, string>): SimView {
  const published = new Map<NodeId, JsonValue>();
  const down = new Set<NodeId>();
  const paused = new Set<NodeId>();
  for (const e of events) {
    if (e.seq >= seq) break;
    if (e.type === 'state') published.set(e.node, e.state);
    if (e.type === 'crash') down.add(e.node);
    if (e.type === 'restart') down.delete(e.node);
    if (e.type === 'pause') paused.add(e.node);
    if (e.type === 'resume') paused.delete(e.node);
  }
  const ids = Object.keys(roles);
  return {
    now: 0,
    seq,
    nodeIds: ids,
    role: (id) => roles[id] as string,
    isUp: (id) => !down.has(id),
    isPaused: (id) => paused.has(id),
    behaviour: () => undefined,
    stepsTaken: 0,
    actor: undefined,
    faults: new FaultState(new Map(ids.map((id, i) => [id, i]))),
    published: (id) => published.get(id),
    durable: () => new Map(),
    history: [],
    quiesced: false,
    quiescedAt: undefined,
    warn: () => undefined,
  };
}
